"""The review page in a real browser: Debian's chromium driven by Playwright against the app
under gunicorn, showing a draft that the real `sozialgraph extract` made from a test text (the
council decision of tests/fixtures/extract, which proposes actors) and, where the corpus is
present, from a corpus text read from the corpus folder.

Every request the browser makes goes through a route that lets through only this server on
127.0.0.1; each test ends by checking that nothing else was asked for (as tests/test_browser.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import loopback_page
from drafthelpers import EXTRACT_FIXTURES, extract_draft
from projectdata import corpus_present
from storefixture import build_store, gunicorn_serving

pytest.importorskip("spacy")

CHROMIUM = "/usr/bin/chromium"
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip(f"no chromium at {CHROMIUM}: run `make browser-deps`", allow_module_level=True)

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000
CORPUS_FILE = "004_98e034db05515fd9.txt"  # the Kassel coalition agreement


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("drafts")
    shutil.copy(EXTRACT_FIXTURES / "ratsbeschluss.txt", folder / "ratsbeschluss.txt")
    extract_draft(folder / "ratsbeschluss.txt", "ratsbeschluss", folder, "--level", "marburg")
    if corpus_present():
        from sozialgraph.settings import corpus_dir

        extract_draft(corpus_dir() / CORPUS_FILE, "kassel", folder, "--level", "kassel",
                      "--kind", "coalition-agreement")
    return folder


@pytest.fixture(scope="module")
def server_url(drafts, tmp_path_factory):
    """gunicorn over the small test store (which describes sga:stadt-kassel, the closest match of
    the proposed Stadt Marburg) with the drafts folder."""
    store = build_store(tmp_path_factory.mktemp("drafts-browser") / "store")
    with gunicorn_serving(store, SOZIALGRAPH_DRAFTS=str(drafts)) as url:
        yield url


@pytest.fixture
def page(browser, server_url):
    """A fresh context that may reach only the server; asserts afterwards that it did."""
    with loopback_page(browser, server_url, "de-DE", TIMEOUT_MS) as page:
        yield page


# For each row of the table: its quotes, and for each quote the highlight's pieces as the browser
# renders them: their joined text and where in the text element the first piece starts (the
# number of characters before it, counted by a DOM Range).
ROWS_AND_HIGHLIGHTS = """() => {
  const box = document.querySelector('.draft-text');
  const offset = (node) => { const r = document.createRange(); r.setStart(box, 0);
                             r.setEndBefore(node); return r.toString().length; };
  return [...document.querySelectorAll('table.statements tbody tr')].map(row => ({
    kind: row.dataset.kind,
    quotes: [...row.querySelectorAll('a.quote')].map(a => {
      const key = a.getAttribute('href').slice(1);
      const pieces = [...box.querySelectorAll(`mark[data-hl="${key}"]`)];
      const anchor = document.getElementById(key);
      return { quote: a.textContent, key, joined: pieces.map(p => p.textContent).join(''),
               start: anchor ? offset(anchor) : -1, anchorIsFirst: pieces[0] === anchor,
               visible: pieces.length > 0 && pieces[0].getBoundingClientRect().height > 0 };
    }),
  }));
}"""


def check_highlights(page, text: str) -> list[dict]:
    assert page.locator(".draft-text").evaluate("box => box.textContent") == text
    rows = page.evaluate(ROWS_AND_HIGHLIGHTS)
    assert rows
    for row in rows:
        assert row["quotes"], row
        for quote in row["quotes"]:
            assert quote["joined"] == quote["quote"], quote
            assert quote["anchorIsFirst"] and quote["visible"], quote
            start = quote["start"]
            assert text[start:start + len(quote["quote"])] == quote["quote"], quote
            assert quote["key"] == f"h{start}-{start + len(quote['quote'])}"
    return rows


def test_the_highlights_are_the_quotes_at_their_characters(page, server_url):
    text = (EXTRACT_FIXTURES / "ratsbeschluss.txt").read_text(encoding="utf-8")
    page.goto(server_url + "/drafts/ratsbeschluss")
    rows = check_highlights(page, text)
    kinds = {row["kind"] for row in rows}
    assert {"money", "count", "measure", "actor", "target-group"} <= kinds
    money = next(row for row in rows if row["kind"] == "money")
    assert "480.000 Euro" in money["quotes"][0]["quote"]
    # the money row's link leads to its highlight, which is then the target
    page.locator("tr[data-kind=money] a.quote").first.click()
    assert page.evaluate("() => document.querySelector(':target').tagName") == "MARK"
    assert page.evaluate("() => location.hash") == "#" + money["quotes"][0]["key"]


def test_kinds_are_told_by_symbol_and_legend_not_colour_alone(page, server_url):
    page.goto(server_url + "/drafts/ratsbeschluss")
    legend = page.locator("ul.legend").inner_text()
    for words in ("Geldbetrag", "money", "Anzahl", "Akteur", "Zielgruppe", "Politikfeld",
                  "Maßnahme", "vorgeschlagen"):
        assert words in legend
    symbol = page.evaluate("""() => getComputedStyle(
        document.querySelector('mark.hl-money[id]'), '::before').content""")
    assert symbol == '"€"'
    title = page.locator("mark.hl-money[id]").first.get_attribute("title")
    assert "Geldbetrag / money" in title


def test_the_table_rows_and_a_proposed_entity_link(page, server_url):
    page.goto(server_url + "/drafts/ratsbeschluss")
    money = page.locator("tr[data-kind=money]").first
    cells = money.locator("td")
    assert "480.000 €" in cells.nth(2).inner_text()
    assert cells.nth(3).inner_text().strip() != ""  # the qualifier (höchstens)
    assert cells.nth(6).inner_text().strip() != ""  # confidence
    assert cells.nth(7).inner_text().strip().startswith("money-")  # rule
    proposed = page.locator('table.proposed tr[data-iri$="/actor/ratsbeschluss-stadt-marburg"]')
    link = proposed.locator("a.closest")
    assert link.inner_text() == "Stadt Kassel"
    link.click()
    page.wait_for_load_state()
    assert page.url == server_url + "/id/actor/stadt-kassel"
    assert page.locator("h1").inner_text() == "Stadt Kassel"


def test_the_list_leads_to_the_draft(page, server_url):
    page.goto(server_url + "/drafts")
    page.locator('a[href="/drafts/ratsbeschluss"]').click()
    page.wait_for_selector(".draft-text mark")
    assert page.url.endswith("/drafts/ratsbeschluss")


def test_a_bad_id_is_a_clear_404(page, server_url):
    response = page.goto(server_url + "/drafts/..%2F..%2Fetc%2Fpasswd")
    assert response.status == 404
    assert "there is no draft" in page.locator("body").inner_text()


@pytest.mark.skipif(not corpus_present(), reason="corpus folder not present")
def test_a_corpus_text_is_read_from_the_corpus_folder(page, server_url):
    from sozialgraph.corpus import read_text
    from sozialgraph.settings import corpus_dir

    page.goto(server_url + "/drafts/kassel")
    assert "found in the corpus folder" in page.locator("table.facts").inner_text()
    rows = check_highlights(page, read_text(corpus_dir() / CORPUS_FILE))
    assert len(rows) > 50
