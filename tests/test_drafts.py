"""The review pages over HTTP (Flask's test client): /drafts lists the drafts, /drafts/ID shows
the text with every quote highlighted at its characters, the table of statements, the proposed
entities with links to the closest existing ones; the text and quotes are escaped; a bad id is a
404 with a clear message and never a path; the draft itself as Turtle.

The drafts are made by the real `sozialgraph extract` from the test texts of
tests/fixtures/extract and one of our own (drafthelpers.TRICKY_TEXT)."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser

import pytest
from drafthelpers import EXTRACT_FIXTURES, TRICKY_TEXT, extract_draft
from rdflib import Graph
from storefixture import build_store, close_app, make_app

pytest.importorskip("spacy")

from sozialgraph.review.draft import read_draft  # noqa: E402
from sozialgraph.review.highlight import highlights, tokens  # noqa: E402


@pytest.fixture(scope="module")
def drafts(tmp_path_factory):
    """A drafts folder: `rat` (the council decision, with proposed actors), `tricky` (HTML in
    the text), `changed` (its text changed after extraction), `lost` (its text gone) and a file
    that is no Turtle."""
    folder = tmp_path_factory.mktemp("drafts")
    shutil.copy(EXTRACT_FIXTURES / "ratsbeschluss.txt", folder / "ratsbeschluss.txt")
    extract_draft(folder / "ratsbeschluss.txt", "rat", folder, "--level", "marburg")
    (folder / "tricky.txt").write_text(TRICKY_TEXT, encoding="utf-8")
    extract_draft(folder / "tricky.txt", "tricky", folder, "--level", "marburg")
    (folder / "changed.txt").write_text(TRICKY_TEXT, encoding="utf-8")
    extract_draft(folder / "changed.txt", "changed", folder, "--level", "marburg")
    (folder / "changed.txt").write_text(TRICKY_TEXT.replace("12.000", "13.000"), encoding="utf-8")
    (folder / "lost.txt").write_text(TRICKY_TEXT, encoding="utf-8")
    extract_draft(folder / "lost.txt", "lost", folder, "--level", "marburg")
    (folder / "lost.txt").unlink()
    (folder / "broken.ttl").write_text("@prefix sg: <https://w3id.org/sozialgraph/ontology#> .\n"
                                       "sg:x sg:y .\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def client(drafts, tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("drafts-store") / "store")
    app = make_app(store, DRAFTS_PATH=str(drafts))
    yield app.test_client()
    close_app(app)


class Marks(HTMLParser):
    """The text of the draft-text element, and the characters each highlight covers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.inside, self.text = 0, False, []
        self.stack: list[str | None] = []
        self.marks: dict[str, list[tuple[int, int]]] = {}
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "draft-text" in (attrs.get("class") or ""):
            self.inside = True
            return
        if self.inside and tag == "mark":
            self.stack.append(attrs["data-hl"])
            self.marks.setdefault(attrs["data-hl"], []).append((len("".join(self.text)), -1))
            if "id" in attrs:
                self.ids.add(attrs["id"])

    def handle_endtag(self, tag):
        if self.inside and tag == "mark":
            key = self.stack.pop()
            start, _ = self.marks[key][-1]
            self.marks[key][-1] = (start, len("".join(self.text)))
        elif self.inside and tag == "div":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text.append(data)


def page_marks(client, draft_id: str) -> tuple[str, Marks]:
    response = client.get(f"/drafts/{draft_id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    parser = Marks()
    parser.feed(body)
    return body, parser


def test_the_list_names_every_draft_and_the_one_it_cannot_read(client):
    response = client.get("/drafts")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for draft_id in ("rat", "tricky", "changed", "lost"):
        assert f'href="/drafts/{draft_id}"' in body
    assert "broken.ttl cannot be read" in body


def test_every_highlight_covers_exactly_its_quote(client, drafts):
    text = (drafts / "ratsbeschluss.txt").read_text(encoding="utf-8")
    body, parser = page_marks(client, "rat")
    assert "".join(parser.text) == text  # the whole text, nothing added or lost
    draft = read_draft(drafts / "rat.ttl", "rat")
    spans = {s.key: s for item in draft.items for s in item.spans}
    assert parser.marks and set(parser.marks) == set(spans)
    for key, pieces in parser.marks.items():
        span = spans[key]
        assert pieces[0][0] == span.start and pieces[-1][1] == span.end
        assert "".join(text[a:b] for a, b in pieces) == span.exact == text[span.start:span.end]
    assert parser.ids == set(spans)  # each highlight has one anchor


def test_the_table_has_a_row_per_statement_linked_to_its_highlight(client, drafts):
    body, parser = page_marks(client, "rat")
    draft = read_draft(drafts / "rat.ttl", "rat")
    rows = re.findall(r'<tr id="s(\d+)" data-kind="([a-z-]+)"', body)
    assert [int(n) for n, _ in rows] == list(range(1, len(draft.items) + 1))
    kinds = {kind for _, kind in rows}
    assert {"money", "count", "measure", "actor", "target-group"} <= kinds
    assert "480.000 €" in body and "höchstens" in body  # value and qualifier of the funding
    for key in parser.marks:
        assert f'href="#{key}"' in body
    assert "money-digits" in body and "0.9" in body  # rule and confidence
    # a highlight's tooltip names the rows that quote it, with value, qualifier and status
    assert re.search(r'title="[^"]*\d+\. Geldbetrag / money: 480\.000 € [^"(]+\(\w+\)', body)


def test_proposed_entities_link_to_the_closest_existing_one(client):
    body = client.get("/drafts/rat").get_data(as_text=True)
    assert 'data-iri="https://w3id.org/sozialgraph/id/actor/stadt-marburg"' in body
    # the proposed Stadt Marburg: its closest match, Stadt Kassel, is an entity of the store
    assert re.search(r'<a class="closest" href="http://localhost/id/actor/stadt-kassel">'
                     r'Stadt Kassel</a>', body)


def test_the_text_and_quotes_are_escaped(client, drafts):
    body, parser = page_marks(client, "tricky")
    assert "<script>" not in body and "<b>Nachbarschaft" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "".join(parser.text) == TRICKY_TEXT
    assert html.escape("„<script>alert(1)</script>“", quote=False) in body


def test_a_changed_text_is_not_highlighted_and_a_missing_one_is_said(client):
    body = client.get("/drafts/changed").get_data(as_text=True)
    assert "is not the text the draft was made from" in body and "<mark" not in body
    body = client.get("/drafts/lost").get_data(as_text=True)
    assert "was found in neither" in body and "<mark" not in body
    assert 'id="s1"' in body  # the statements are listed all the same


@pytest.mark.parametrize("path", ["/drafts/nope", "/drafts/Rat", "/drafts/rat_1",
                                  "/drafts/..%2F..%2Fetc%2Fpasswd", "/drafts/%2e%2e",
                                  "/drafts/rat/extra", "/drafts/" + "a" * 200,
                                  "/drafts/ratsbeschluss.txt", "/drafts/broken.ttl.ttl"])
def test_a_bad_id_is_404_with_a_clear_message(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "there is no draft" in response.get_data(as_text=True)


def test_the_draft_as_turtle(client, drafts):
    for response in (client.get("/drafts/rat.ttl"),
                     client.get("/drafts/rat", headers={"Accept": "text/turtle"})):
        assert response.status_code == 200
        assert response.mimetype == "text/turtle"
        assert response.get_data() == (drafts / "rat.ttl").read_bytes()
    assert len(Graph().parse(data=client.get("/drafts/rat.ttl").get_data(as_text=True),
                             format="turtle")) > 100
    assert client.get("/drafts/rat", headers={"Accept": "image/png"}).status_code == 406


def test_an_unreadable_draft_says_why_without_a_stack_trace(client):
    response = client.get("/drafts/broken")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "broken.ttl cannot be read" in body and "Traceback" not in body
    assert "/tmp" not in body  # no machine paths


def test_crossing_spans_are_cut_into_pieces_that_nest():
    from sozialgraph.review.draft import Item, Span

    text = "abcdefghij"
    items = [Item(1, "money", "x", "x", spans=[Span(0, 6, text[0:6], "e1")]),
             Item(2, "actor", "y", "y", spans=[Span(4, 9, text[4:9], "e2")])]
    found = tokens(text, highlights(items, text))
    shown, depth, pieces = [], 0, {}
    for token in found:
        if token.kind == "open":
            depth += 1
            pieces.setdefault(token.highlight.key, []).append(len("".join(shown)))
        elif token.kind == "close":
            depth -= 1
        else:
            shown.append(token.text)
        assert depth >= 0
    assert depth == 0 and "".join(shown) == text
    assert pieces == {"h0-6": [0], "h4-9": [4, 6]}


def test_the_text_is_looked_up_in_the_texts_folder_then_the_corpus_by_its_sha256(
        drafts, tmp_path, monkeypatch):
    """DRAFT_TEXTS_PATH is looked at first; where it holds another text of the same name, the
    corpus folder's copy with the draft's SHA-256 is the one shown."""
    texts, corpus = tmp_path / "texts", tmp_path / "corpus"
    texts.mkdir()
    corpus.mkdir()
    monkeypatch.setenv("SOZIALGRAPH_CORPUS", str(corpus))
    only = tmp_path / "drafts"
    only.mkdir()
    shutil.copy(drafts / "rat.ttl", only / "rat.ttl")
    shutil.copy(drafts / "ratsbeschluss.txt", texts / "ratsbeschluss.txt")
    store = build_store(tmp_path / "store")
    app = make_app(store, DRAFTS_PATH=str(only), DRAFT_TEXTS_PATH=str(texts))
    try:
        client = app.test_client()
        body = client.get("/drafts/rat").get_data(as_text=True)
        assert "found in the drafts texts folder" in body and "<mark" in body
        (texts / "ratsbeschluss.txt").write_text("Ein anderer Text.\n", encoding="utf-8")
        shutil.copy(drafts / "ratsbeschluss.txt", corpus / "ratsbeschluss.txt")
        body = client.get("/drafts/rat").get_data(as_text=True)
        assert "found in the corpus folder" in body and "<mark" in body
        (corpus / "ratsbeschluss.txt").unlink()
        body = client.get("/drafts/rat").get_data(as_text=True)
        assert "is not the text the draft was made from" in body and "<mark" not in body
    finally:
        close_app(app)


def test_only_project_iris_and_web_addresses_become_links(client, drafts, tmp_path):
    """A draft is untrusted: a closest match `javascript:…` is shown, never linked."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    shutil.copy(drafts / "ratsbeschluss.txt", folder / "ratsbeschluss.txt")
    turtle = (drafts / "rat.ttl").read_text(encoding="utf-8")
    (folder / "rat.ttl").write_text(turtle.replace("sg:closestMatch sga:stadt-kassel",
                                                   "sg:closestMatch <javascript:alert(1)>"),
                                    encoding="utf-8")
    store = build_store(tmp_path / "store")
    app = make_app(store, DRAFTS_PATH=str(folder))
    try:
        body = app.test_client().get("/drafts/rat").get_data(as_text=True)
    finally:
        close_app(app)
    assert "javascript:alert(1)" in body and 'href="javascript:' not in body


def test_a_mention_of_a_status_is_highlighted_as_status(drafts, tmp_path):
    """Where a draft marks the words that give a status (a mention whose body is sg:Pledged …),
    they are highlighted as the kind status."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    shutil.copy(drafts / "ratsbeschluss.txt", folder / "ratsbeschluss.txt")
    text = (drafts / "ratsbeschluss.txt").read_text(encoding="utf-8")
    start = text.index("bereitgestellt")
    end = start + len("bereitgestellt")
    (folder / "rat.ttl").write_text((drafts / "rat.ttl").read_text(encoding="utf-8") + f"""
<https://w3id.org/sozialgraph/id/draft/rat/mention/status-1> a sg:Mention ;
    oa:hasBody sg:Planned ; oa:hasTarget <https://w3id.org/sozialgraph/id/evidence/rat/s1> .
<https://w3id.org/sozialgraph/id/evidence/rat/s1> a sg:Evidence ;
    oa:hasSource sgs:rat ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "bereitgestellt" ] ,
        [ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ] .
""", encoding="utf-8")
    store = build_store(tmp_path / "store")
    app = make_app(store, DRAFTS_PATH=str(folder))
    try:
        body = app.test_client().get("/drafts/rat").get_data(as_text=True)
    finally:
        close_app(app)
    parser = Marks()
    parser.feed(body)
    key = f"h{start}-{end}"
    assert parser.marks[key] == [(start, end)]
    assert re.search(rf'<mark class="hl hl-status" data-hl="{key}"', body)
    assert re.search(r'<tr id="s\d+" data-kind="status"', body)
