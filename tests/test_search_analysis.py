"""The search without a server process: the analysis (folding, stems, words inside compounds),
the spans the highlighter marks and the template that writes them, random parameters, and the
index in the build directory, pinned with the store."""

from __future__ import annotations

import pytest
from flask import render_template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storefixture import close_app, make_app

from sozialgraph.search.analysis import highlight, index_terms, query_words, stems
from sozialgraph.web.search import segments


@pytest.mark.parametrize("one, other", [
    ("Geflüchtete", "Gefluechtete"), ("Geflüchtete", "GEFLÜCHTETEN"), ("Straße", "Strasse"),
    ("Frauenhäuser", "Frauenhaus"), ("Kita", "KITA"), ("ehrenamtliche", "Ehrenamt"),
])
def test_forms_of_a_word_have_one_german_stem(one, other):
    assert stems(one)[0] == stems(other)[0]


def test_english_words_have_english_stems():
    assert stems("refugees")[1] == stems("refugee")[1]
    assert stems("shelters")[1] == stems("shelter")[1]


def test_query_words_drop_stopwords_and_single_letters_unless_nothing_is_left():
    assert [w.text for w in query_words("Frauenhaus in Kassel")] == ["Frauenhaus", "Kassel"]
    assert [w.text for w in query_words("women's shelter")] == ["women", "shelter"]
    assert [w.text for w in query_words("und")] == ["und"]


def test_compound_grams_follow_each_other_within_a_word_only():
    _, grams = index_terms("Pflegequalifizierungszentrum Kita")
    assert grams[:4] == ["pfl", "fle", "leg", "ege"]
    assert grams[-3:] == ["kit", "ita", "|"]


def test_highlight_marks_stems_compounds_and_glued_words():
    text = "die Landesmittel für die FrauenhäuserÖffnet sich in einem neuen Fenster"
    spans = highlight(text, query_words("Frau"))
    assert [text[s:e] for s, e in spans] == ["Frauenhäuser"]
    text = "Schutz für Geflüchtete und Flüchtlinge"
    assert [text[s:e] for s, e in highlight(text, query_words("gefluechtete"))] == ["Geflüchtete"]
    assert highlight("Verwaltung", query_words("Älteren")) == []  # short stems: whole words only


def test_segments_cover_the_text_in_order():
    assert segments("a <b> c", [(2, 5)]) == [("a ", False), ("<b>", True), (" c", False)]
    assert "".join(p for p, _ in segments("xyz", [(0, 1), (2, 3)])) == "xyz"


def test_the_template_escapes_titles_snippets_and_the_query(tmp_path):
    hostile = '<script>alert("x")</script> Frauenhaus <img src=x onerror=alert(1)>'
    start = hostile.index("Frauenhaus")
    result = {
        "iri": "https://w3id.org/sozialgraph/id/measure/x\"><script>", "url": "/id/measure/x",
        "kind": "measure", "types": [{"iri": "t", "label": "<i>type</i>"}],
        "label": {"de": hostile, "en": None},
        "title": {"text": hostile, "highlights": [[start, start + 10]]},
        "subtitle": {"text": hostile, "highlights": []},
        "snippet": {"field": "about", "lang": "de", "text": hostile, "before": False,
                    "after": False, "highlights": [[0, 8], [start, start + 10]]},
    }
    page = {"query": hostile, "filters": {"kind": ['"><script>']}, "lang": "de", "limit": 20,
            "offset": 0, "total": 1, "results": [result],
            "facets": {"kind": [{"value": "<x>", "label": {"de": "<b>m</b>", "en": "m"},
                                 "count": 1, "selected": False, "href": "/search?q=%3C"}]},
            "next": None, "previous": None}
    app = make_app(tmp_path / "no-store")
    try:
        with app.test_request_context("/search?q=x"):
            html = render_template("search.html", page=page, examples=(),
                                   facet_names={"kind": "Kind"},
                                   json_url="/search?q=x&format=json")
    finally:
        close_app(app)
    assert "<script" not in html and "<img" not in html and "<b>m" not in html
    assert "<i>type" not in html
    assert "&lt;script&gt;" in html
    assert html.count("<mark>Frauenhaus</mark>") == 2
    assert "<mark>&lt;script&gt;</mark>" in html  # a marked span is escaped too


def test_the_build_writes_the_index_into_the_build_directory_it_swaps_in(fixture_store):
    """The index lives in the build directory the store link points at (swapped and pinned with
    the store), and the build records the stage's time."""
    import json

    from sozialgraph.search.index import SearchIndex

    location = fixture_store.resolve()
    assert fixture_store.is_symlink() and (location / "search" / "facets.json").is_file()
    info = json.loads((location / "build-info.json").read_text(encoding="utf-8"))
    assert "index" in info["timings_seconds"]
    index = SearchIndex(location)
    everything = index.search("", {}, limit=1000)
    assert everything.total == index.size > 0
    assert all(h.entity["iri"].startswith("https://w3id.org/sozialgraph/id/")
               for h in everything.hits)


# --- no parameters answer 5xx (hypothesis, bounded) ---------------------------------------------

@pytest.fixture(scope="module")
def search_client(fixture_store):
    app = make_app(fixture_store, QUERY_TIMEOUT=0)
    yield app.test_client()
    close_app(app)


_NAMES = ["q", "kind", "level", "area", "target", "source", "status", "lang", "limit", "offset",
          "format", "x", ""]


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(_NAMES),
                          st.text(alphabet=st.characters(blacklist_categories=["Cs"]),
                                  max_size=40)), max_size=6),
       st.sampled_from(["application/json", "text/html", "*/*", "text/csv", ""]))
def test_no_parameters_answer_5xx(search_client, params, accept):
    response = search_client.get("/search", query_string=params, headers={"Accept": accept})
    assert response.status_code in (200, 400, 406), response.data[:300]


def test_a_server_searches_its_own_build_until_it_restarts(build_sources, tmp_path):
    """The index is pinned with the store: later builds (each with its own index) do not remove
    the build, index included, that a running app reads."""
    from sozialgraph.pipeline.build import build

    def run_build(store):
        return build(store, ontology_file=build_sources / "ontology" / "sozialgraph.ttl",
                     graphs_dir=build_sources / "graphs", shapes_dir=build_sources / "shapes")

    store = tmp_path / "store"
    run_build(store)
    served = store.resolve()
    app = make_app(store, QUERY_TIMEOUT=0)
    try:
        client = app.test_client()
        before = client.get("/search?kind=measure&format=json").get_json()
        assert before["total"] > 0
        for _ in range(3):
            report = run_build(store)
            assert (report.build_dir / "search" / "facets.json").is_file()
        assert store.resolve() != served and (served / "search" / "tantivy").is_dir()
        assert client.get("/search?kind=measure&format=json").get_json() == before
    finally:
        close_app(app)
