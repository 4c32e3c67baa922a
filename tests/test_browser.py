"""The pages in a real browser: Debian's chromium driven by Playwright, against the real server
(`sozialgraph serve`, i.e. gunicorn) over a store made by the real build pipeline.

The section "/explore" holds each chart's marks to the answers /sparql gives (helpers in
tests/explorepage.py).

Every request the browser makes goes through a route that lets through only this server on
127.0.0.1 and records anything else; each test ends by checking that nothing else was asked for.

Needs chromium at /usr/bin/chromium (`make browser-deps`) and the YASGUI files in
server/static/vendor (`make assets`); the test is skipped only when chromium is missing. Set
SOZIALGRAPH_BROWSER_STORE to a built store to skip the build (about a minute).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import loopback_page
from explorepage import CHARTS, expected_marks, values
from playwright.sync_api import Page, expect
from storefixture import command_serving

from sozialgraph.sparql.catalogue import load_catalogue

CHROMIUM = "/usr/bin/chromium"
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    print(f"test_browser: skipped, no chromium at {CHROMIUM} (install it with `make browser-deps`)")
    pytest.skip(f"no chromium at {CHROMIUM}: run `make browser-deps`", allow_module_level=True)


pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000

BAD_TURTLE = """@prefix sg: <https://w3id.org/sozialgraph/ontology#> .
@prefix sgm: <https://w3id.org/sozialgraph/id/measure/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

sgm:browser-test a sg:Programme ;
    rdfs:label "Only an English label"@en .
"""


@pytest.fixture(scope="session")
def browser_store(request, tmp_path_factory) -> Path:
    """A store built from the project's ontology, graphs and shapes by the build pipeline: the
    session's `built_store` where conftest.py offers one, SOZIALGRAPH_BROWSER_STORE if set."""
    prebuilt = os.environ.get("SOZIALGRAPH_BROWSER_STORE")
    if prebuilt:
        return Path(prebuilt)
    try:
        return request.getfixturevalue("built_store")
    except pytest.FixtureLookupError:
        from sozialgraph.pipeline.build import build

        store = tmp_path_factory.mktemp("browser") / "store"
        build(store)
        return store


@pytest.fixture(scope="session")
def server_url(browser_store):
    """`sozialgraph serve` on a free loopback port."""
    with command_serving(browser_store, "--workers", "2") as served:
        yield served.url


@pytest.fixture
def page(browser, server_url):
    """A fresh browser context that may reach only the server (conftest.loopback_page)."""
    with loopback_page(browser, server_url, "en-GB", TIMEOUT_MS) as page:
        yield page


def open_ui(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#yasgui[data-ready=true]")


def run_active_query(page: Page, slug: str) -> None:
    page.locator(f"#{slug} .yasqe_queryButton").click()
    page.wait_for_selector(f"#{slug} .yasr table tbody tr")


def test_the_guard_sees_requests_to_other_hosts(page, server_url):
    page.goto(server_url + "/validate")
    page.evaluate("""() => new Promise(done => {
        const img = new Image(); img.onerror = img.onload = done;
        img.src = "http://example.org/probe.png"; })""")
    assert page.requests_elsewhere
    assert set(page.requests_elsewhere) == {"http://example.org/probe.png"}
    page.requests_elsewhere.clear()  # refused and recorded: the other tests can rely on it


# ---- query UI -----------------------------------------------------------------------------------

def test_curated_query_runs_in_its_tab(page, server_url):
    open_ui(page, server_url + "/ui?query=budget-increases")
    expect(page.locator("#query-about")).to_have_attribute("data-query", "budget-increases")

    page.locator("#tab-funding-per-year").click()
    expect(page.locator("#query-about")).to_have_attribute("data-query", "funding-per-year")
    expect(page.locator("#query-title")).to_have_text(
        "Which measures does Hessen fund per year, with how much, and which sentence says so?")
    expect(page.locator("#query-description")).to_contain_text("verbatim quote")
    assert page.url.endswith("/ui?query=funding-per-year")
    editor = page.locator("#funding-per-year .CodeMirror")
    expect(editor).to_contain_text("sg:periodicity sg:PerYear")

    run_active_query(page, "funding-per-year")
    table = page.locator("#funding-per-year .yasr table tbody")
    expect(table).to_contain_text("Rechtsberatung in der Erstaufnahmeeinrichtung")
    expect(table).to_contain_text("250000")
    assert table.locator("tr").count() == 4  # four yearly facts, each once (docs/model.md)


def test_result_links_open_on_this_server_with_their_evidence(page, server_url):
    open_ui(page, server_url + "/ui?query=funding-per-year")
    run_active_query(page, "funding-per-year")
    cell = page.locator("#funding-per-year .yasr .expandable",
                        has_text="measure/rechtsberatung-erstaufnahme").first
    cell.click()  # YASR cuts long IRIs; the first click shows the whole cell
    with page.context.expect_page() as opened:
        cell.locator("a").click()
    entity = opened.value
    entity.wait_for_load_state()
    assert entity.url == server_url + "/id/measure/rechtsberatung-erstaufnahme"
    expect(entity.locator("blockquote.evidence").first).to_be_visible()
    expect(entity.locator("body")).to_contain_text(
        "Jährlich 250.000 Euro für Rechtsberatung in der Erstaufnahmeeinrichtung des Landes Hessen")


def test_entity_page_shows_its_evidence(page, server_url):
    page.goto(server_url + "/id/funding/rechtsberatung-erstaufnahme-jaehrlich")
    quotes = page.locator("blockquote.evidence")
    expect(quotes.first).to_be_visible()
    expect(quotes.filter(has_text="Jährlich 250.000 Euro für Rechtsberatung")).to_have_count(1)


def test_fresh_tab_from_query_text(page, server_url):
    text = "ASK { ?funding a <https://w3id.org/sozialgraph/ontology#Funding> }"
    page.goto(server_url + "/ui?" + urlencode({"q": text}))
    page.wait_for_selector("#yasgui[data-ready=true]")
    expect(page.locator("#query-title")).to_have_text("Own query")
    active = page.locator(".tabPanel.active")
    expect(active.locator(".CodeMirror")).to_contain_text("sozialgraph/ontology#Funding")
    active.locator(".yasqe_queryButton").click()
    expect(active.locator(".yasr")).to_contain_text("True")


def test_every_curated_query_is_a_tab(page, server_url):
    from sozialgraph.sparql.catalogue import load_catalogue

    open_ui(page, server_url + "/ui")
    for query in load_catalogue():
        tab = page.locator(f"#tab-{query.slug}")
        expect(tab).to_have_count(1)
        expect(tab).to_contain_text(query.title_in("en"))


# ---- landing page -------------------------------------------------------------------------------

def test_landing_page_leads_to_the_ui(page, server_url):
    page.goto(server_url + "/")
    measures = page.locator('[data-figure="measures"]')
    assert int(measures.inner_text().replace(",", "")) > 100
    page.get_by_role("link", name="Who funds what?").click()
    page.wait_for_selector("#yasgui[data-ready=true]")
    expect(page.locator("#query-about")).to_have_attribute("data-query", "who-funds-what")


# ---- validation form ----------------------------------------------------------------------------

def test_validation_form_reports_a_violation(page, server_url):
    page.goto(server_url + "/validate")
    page.fill("#data", BAD_TURTLE)
    page.select_option("select[name=lang]", "de")
    page.get_by_role("button", name="Validate").click()
    page.wait_for_selector("section.report")
    expect(page.locator("#report-title")).to_have_text("The data do not conform")
    rows = page.locator("table.results tbody tr")
    label_row = rows.filter(has_text="sgsh:LabelDe")
    expect(label_row).to_have_count(1)
    expect(label_row).to_contain_text("Violation")
    expect(label_row).to_contain_text("sgm:browser-test")
    expect(label_row).to_contain_text("rdfs:label")
    expect(label_row).to_contain_text("Braucht eine deutsche Bezeichnung")
    expect(page.locator("#data")).to_have_value(BAD_TURTLE)  # ready to be fixed and sent again


def test_validation_form_reports_a_syntax_error(page, server_url):
    page.goto(server_url + "/validate")
    page.fill("#data", "@prefix ex: <http://example.org/> .\nex:a ex:b ;; .\n")
    page.get_by_role("button", name="Validate").click()
    expect(page.locator(".alert")).to_contain_text("cannot read the data: data:2")


# ---- search ------------------------------------------------------------------------------------

def test_the_header_search_box_finds_with_highlighted_snippets(page, server_url, tmp_path):
    """From any page, the box in the header submits to /search; the results mark the words that
    matched, in titles and snippets; a facet narrows them."""
    page.goto(server_url + "/id/measure/kita-ausbau")
    box = page.locator("header.site form.site-search input[name=q]")
    box.fill("Frauenhäuser")
    box.press("Enter")
    page.wait_for_url("**/search?q=Frauenh*")
    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    assert results.count() >= 5
    marks = page.locator(".search-result mark")
    assert marks.count() >= 5
    assert all(text.lower().startswith("frauenh") for text in marks.all_inner_texts())
    expect(page.locator(".search-result .snippet mark").first).to_be_visible()
    background = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    total = int(page.locator(".search-total").get_attribute("data-total"))
    page.locator('[data-facet="level"] a[data-value="MunicipalLevel"]').click()
    page.wait_for_url("**level=MunicipalLevel*")
    narrowed = int(page.locator(".search-total").get_attribute("data-total"))
    assert 0 < narrowed < total
    expect(page.locator('[data-facet="level"] li.selected')).to_have_count(1)


# ---- headers for a public service ---------------------------------------------------------------

def test_the_content_security_policy_blocks_nothing_our_pages_need(page, server_url):
    """The UI runs a curated query and the pages render under the policy (our own assets only,
    no framing): the browser reports no violation."""
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    response = page.goto(server_url + "/ui")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert response.headers["referrer-policy"] == "same-origin"
    open_ui(page, server_url + "/ui")
    page.locator("#tab-funding-per-year").click()
    page.locator(".yasqe_queryButton").first.click()
    expect(page.locator(".yasr_results").first).to_contain_text("Showing 1 to", timeout=20_000)
    for path in ("/", "/id/measure/kita-ausbau", "/validate", "/downloads", "/ontology"):
        page.goto(server_url + path)
    assert violations == []


# ---- /explore -----------------------------------------------------------------------------------
# Each chart is drawn, and its marks are held to the answer /sparql gives to its curated query:
# one mark per row with the row's number (data-key, data-value), and the marks' lengths in
# proportion to the numbers. A screenshot of the page is saved under the test's tmp folder. The
# time to draw is measured by the benchmark (`make bench-explore`, docs/explore-speed.md), not
# asserted here.

EXPLORE_QUERIES = {q.slug: q for q in load_catalogue()}
BARS = {"funding-by-area", "land-and-kassel", "money-by-year", "status-and-level"}


def sparql_rows(server_url: str, slug: str) -> list[dict[str, str]]:
    """The curated query's answer from /sparql, fetched apart from the page."""
    request = urllib.request.Request(
        server_url + "/sparql", data=urlencode({"query": EXPLORE_QUERIES[slug].text}).encode(),
        headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return values(json.load(response))


def open_explore(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-explore=ready]")
    for key in CHARTS:
        expect(page.locator(f"#{key}-plot")).to_have_attribute("data-state", "ready")


def marks(page, key: str, group: str) -> list[dict]:
    """The drawn marks of a chart: key, value and size (a bar's width, a link's path)."""
    return page.evaluate("""([key, group]) => Array.from(document.querySelectorAll(
        `#${key}-plot g[aria-label=${group}] [data-key]`)).map(el => ({
            key: el.getAttribute("data-key"), value: Number(el.getAttribute("data-value")),
            width: el.getBBox().width, panel: el.closest("svg").getAttribute("data-panel"),
            href: (el.closest("a") || {getAttribute: () => null}).getAttribute("href")}))""",
                         [key, group])


def test_every_chart_draws_the_answer_of_its_query(page, server_url, tmp_path):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    open_explore(page, server_url + "/explore?lang=en")
    page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)
    assert (tmp_path / "explore.png").stat().st_size > 10_000

    for key, slug in CHARTS.items():
        expected = expected_marks(key, sparql_rows(server_url, slug))
        drawn = marks(page, key, "bar" if key in BARS else "link")
        assert len(drawn) == len(expected), key  # one mark per number
        assert {m["key"]: m["value"] for m in drawn} == expected, key
        assert all(m["href"] for m in drawn), f"{key}: every mark links somewhere"
    assert violations == []


def test_bar_lengths_are_in_proportion_to_the_numbers(page, server_url):
    """Within one chart (one panel of the funding chart) a bar's length over its number is the
    same for every bar: the picture shows the numbers, not only carries them."""
    open_explore(page, server_url + "/explore")
    for key in ("funding-by-area", "land-and-kassel", "status-and-level"):
        panels: dict = {}
        for mark in marks(page, key, "bar"):
            if mark["value"] > 0:
                panels.setdefault(mark["panel"], []).append(mark["width"] / mark["value"])
        assert panels, key
        for ratios in panels.values():
            assert max(ratios) - min(ratios) <= 0.01 * max(ratios) + 1e-9, (key, ratios)
    # the timeline: the 2023-2024 sum spans two years, each 2018 increase one
    years = {m["key"].rsplit("/", 1)[-1]: m["width"] for m in marks(page, "money-by-year", "bar")}
    one = years["sozialbudget-erhoehung-2018"]
    assert years["kofab-hessen-erhoehung-2018"] == pytest.approx(one, rel=0.01)
    assert years["krankenhausinvestitionen-2023-2024"] == pytest.approx(2 * one, rel=0.05)


def test_the_network_draws_every_actor_and_measure(page, server_url):
    open_explore(page, server_url + "/explore")
    rows = sparql_rows(server_url, "actor-network")
    nodes = {m["key"] for m in marks(page, "actor-network", "dot")}
    assert nodes == {r["from"] for r in rows} | {r["to"] for r in rows}


def test_a_bar_opens_its_entity_page(page, server_url):
    open_explore(page, server_url + "/explore")
    bar = page.locator("#funding-by-area-plot g[aria-label=bar] a").first
    target = bar.get_attribute("href")
    assert target.startswith(server_url + "/id/policy-area/")
    bar.click()
    page.wait_for_url(target)
    expect(page.locator("h1")).to_be_visible()


def test_a_node_opens_its_entity_page(page, server_url):
    open_explore(page, server_url + "/explore")
    node = page.locator("#actor-network-plot g[aria-label=dot] a",
                        has=page.locator("[data-key$='/id/actor/land-hessen']"))
    node.click()
    page.wait_for_url(server_url + "/id/actor/land-hessen")
    expect(page.locator("h1")).to_contain_text("Land Hessen")


def test_german_labels(page, server_url):
    open_explore(page, server_url + "/explore?lang=de")
    expect(page.locator("#status-and-level-plot")).to_contain_text("zugesagt")
    expect(page.locator("#funding-by-area-plot h3").first).to_contain_text("jährlich")
    expect(page.locator("#land-and-kassel-plot")).to_contain_text("Stadt Kassel (Koalition)")


def test_the_speed_benchmark_runs(browser_store, tmp_path):
    """`make bench-explore` end to end with one warm load (the figures mean nothing here); in a
    process of its own, as make runs it (Playwright's sync API runs one per thread)."""
    out = tmp_path / "explore-speed.md"
    done = subprocess.run([sys.executable, "-m", "sozialgraph_bench.explore", "--store",
                           str(browser_store), "--loads", "1", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "3 loads" in done.stdout
    text = out.read_text(encoding="utf-8")
    assert "| cold (the web process ran the queries) | " in text
    assert "| warm (answers kept) | " in text
