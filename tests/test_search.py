"""Full-text search through the real HTTP interface: gunicorn (storefixture.gunicorn_serving)
over the store and search index the real build makes from the project's graphs.

The top results of at least 15 queries (umlauts and their transliteration, ß, plurals,
compounds, English words), facets that narrow, the JSON form, escaping of what the client sends,
400s with a message of what is accepted, the help page, and the search box on every page.
Where the graph itself says what must be found ("every measure about women's shelters"), the
answer is read from the graph files with rdflib, not from the index."""

from __future__ import annotations

import pytest
import requests
from projectdata import project_graph
from storefixture import gunicorn_serving

from sozialgraph.rdf.namespaces import BASE

pytestmark = pytest.mark.e2e

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def server(built_store):
    with gunicorn_serving(built_store) as url:
        yield url


def search(server: str, **params) -> dict:
    response = requests.get(server + "/search", params=params | {"limit": 100}, headers=JSON,
                            timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def ids(answer: dict) -> list[str]:
    return [r["iri"].removeprefix(BASE + "id/") for r in answer["results"]]


# (query, IRIs that must be among the first n results, n)
TOP_RESULTS = [
    ("Frauenhaus", ["measure/frauenhaus-kassel", "measure/landesmittel-frauenhaeuser",
                    "measure/spd-frauenhaus-14-plaetze"], 5),
    ("Frauenhäuser", ["measure/frauenhaus-kassel", "measure/landesmittel-frauenhaeuser"], 5),
    ("Frau", ["target-group/frauen", "measure/frauenhaus-kassel",
              "measure/landesmittel-frauenhaeuser"], 6),
    ("Pflege", ["policy-area/pflegepolitik", "target-group/pflege-gesundheitsfachkraefte"], 3),
    ("Pflegequalifizierungszentrum", ["measure/pflegequalifizierungszentrum"], 1),
    ("Geflüchtete", ["target-group/gefluechtete", "measure/dezentrale-unterbringung-gefluechteter"],
     5),
    ("Gefluechtete", ["target-group/gefluechtete",
                      "measure/dezentrale-unterbringung-gefluechteter"], 5),
    ("refugees", ["target-group/gefluechtete", "policy-area/fluechtlingsaufnahme"], 5),
    ("Kita", ["measure/kita-ausbau", "funding/kita-ausbau-169-mio",
              "measure/vielfalt-inklusion-kitas"], 5),
    ("Kitas", ["measure/kita-ausbau", "measure/laengere-kita-oeffnungszeiten"], 5),
    ("Ehrenamt", ["target-group/ehrenamtliche", "policy-area/ehrenamt-selbsthilfe"], 2),
    ("volunteers", ["target-group/ehrenamtliche"], 3),
    ("Straße", ["target-group/obdachlose"], 1),
    ("Strasse", ["target-group/obdachlose"], 1),
    ("childcare", ["measure/foerderung-kinderbetreuung", "policy-area/fruehkindliche-bildung"], 3),
    ("homelessness", ["policy-area/wohnungslosenhilfe", "target-group/obdachlose"], 2),
    ("poverty", ["policy-area/armutsbekaempfung"], 1),
    ("Vielfaltszentren", ["measure/wir-vielfaltszentren", "funding/vielfaltszentren-bis-2025",
                          "quantity/wir-vielfaltszentren-33"], 5),
    ("diversity centres", ["measure/wir-vielfaltszentren", "quantity/wir-vielfaltszentren-33"],
     3),
    ("Senioren", ["target-group/aeltere-menschen", "policy-area/seniorenpolitik"], 2),
    ("Menschen mit Behinderung", ["target-group/menschen-mit-behinderung"], 1),
    ("Demenz", ["target-group/menschen-mit-demenz", "measure/demenznetzwerk-kassel"], 4),
]


@pytest.mark.parametrize("query, expected, n", TOP_RESULTS, ids=[q for q, _, _ in TOP_RESULTS])
def test_top_results(server, query, expected, n):
    found = ids(search(server, q=query))
    assert set(expected) <= set(found[:n]), found[:n]


@pytest.mark.parametrize("one, other", [("Geflüchtete", "Gefluechtete"), ("Straße", "Strasse"),
                                         ("Frauenhaus", "frauenhäuser"), ("KITA", "kita")])
def test_spellings_give_the_same_answer(server, one, other):
    assert ids(search(server, q=one)) == ids(search(server, q=other))


def test_frauenhaus_finds_every_measure_about_womens_shelters(server):
    """Every measure whose label, alternative label, aim or quote speaks of a Frauenhaus (or of
    Frauenhäuser), as the graph files say."""
    rows = project_graph().query("""
        PREFIX sg: <https://w3id.org/sozialgraph/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT DISTINCT ?m WHERE {
          ?m a/rdfs:subClassOf* sg:Measure .
          { ?m rdfs:label|skos:altLabel|sg:aim ?text }
          UNION { ?m sg:evidence/oa:hasSelector/oa:exact ?text }
          FILTER (CONTAINS(LCASE(STR(?text)), "frauenhaus")
                  || CONTAINS(LCASE(STR(?text)), "frauenhäuser"))
        }""")
    expected = {str(row.m).removeprefix(BASE + "id/") for row in rows}
    assert len(expected) >= 5
    answer = search(server, q="Frauenhaus", kind="measure")
    assert set(ids(answer)) >= expected
    for result in answer["results"]:  # each shows where it matched
        assert result["title"]["highlights"] or result["snippet"]["highlights"]


def test_the_actors_involved_count_too(server):
    answer = search(server, q="Frauenhaus Kassel")
    found = ids(answer)
    assert found[0] == "measure/frauenhaus-kassel"
    assert "measure/landesmittel-frauenhaeuser" not in found  # the Land's
    assert all(r["facets"].get("level") == ["MunicipalLevel"] for r in answer["results"]
               if r["kind"] == "measure")


def test_compounds_are_found_from_their_parts(server):
    assert "measure/pflegequalifizierungszentrum" in ids(search(server, q="Pflege"))
    assert "measure/wohnraum-nach-frauenhausaufenthalt" in ids(search(server, q="Frau"))


def test_every_word_must_match(server):
    both = set(ids(search(server, q="Frauenhaus Plätze")))
    assert {"measure/frauenhaus-kassel", "measure/spd-frauenhaus-14-plaetze"} <= both
    assert both < set(ids(search(server, q="Frauenhaus")))
    assert "measure/landesmittel-frauenhaeuser" not in both  # money, no places


def test_highlights_point_at_the_matched_words(server):
    for result in search(server, q="Gefluechtete")["results"]:
        for part in (result["title"], result["snippet"] or {"highlights": []}):
            for start, end in part["highlights"]:
                assert part["text"][start:end].lower().startswith("gefl"), part


# --- facets ----------------------------------------------------------------------------------

def test_a_facet_narrows_and_its_counts_are_the_narrowed_totals(server):
    answer = search(server, q="Frauenhaus")
    for facet in ("kind", "level", "area", "status", "source"):
        for value in answer["facets"][facet]:
            narrowed = search(server, q="Frauenhaus", **{facet: value["value"]})
            assert narrowed["total"] == value["count"] <= answer["total"]
            assert all(value["value"] in r["facets"][facet] for r in narrowed["results"])


def test_values_of_one_facet_are_alternatives_and_facets_all_hold(server):
    land = search(server, q="Pflege", level="StateLevel")["total"]
    kassel = search(server, q="Pflege", level="MunicipalLevel")["total"]
    either = search(server, q="Pflege", level=["StateLevel", "MunicipalLevel"])
    assert either["total"] == land + kassel  # a measure has one level
    narrowed = search(server, q="Pflege", level="StateLevel", kind="measure", status="Ongoing")
    assert narrowed["total"] <= land
    for result in narrowed["results"]:
        assert result["kind"] == "measure" and "Ongoing" in result["facets"]["status"]


def test_a_chosen_facet_still_offers_its_other_values(server):
    state = search(server, q="Pflege", level="StateLevel")["total"]
    answer = search(server, q="Pflege", level="MunicipalLevel", kind="measure")
    offered = {v["value"]: v for v in answer["facets"]["level"]}
    assert offered["MunicipalLevel"]["selected"] and offered["MunicipalLevel"]["count"] == \
        answer["total"]
    assert not offered["StateLevel"]["selected"]
    assert offered["StateLevel"]["count"] == \
        search(server, q="Pflege", level="StateLevel", kind="measure")["total"] <= state
    assert "level=MunicipalLevel" in offered["StateLevel"]["href"]  # added as an alternative
    assert "level=StateLevel" in offered["StateLevel"]["href"]


def test_english_words_mark_the_english_label(server):
    shelter = next(r for r in search(server, q="shelter")["results"]
                   if r["iri"].endswith("measure/landesmittel-frauenhaeuser"))
    subtitle = shelter["subtitle"]
    assert [subtitle["text"][s:e] for s, e in subtitle["highlights"]] == ["shelters"]


def test_english_labels_first_with_lang_en(server):
    answer = search(server, q="Frauenhaus", lang="en")
    first = next(r for r in answer["results"] if r["iri"].endswith("frauenhaus-kassel"))
    assert first["title"] == {"text": "Women's shelter: additional and barrier-free places",
                              "lang": "en", "highlights": []}
    assert first["subtitle"]["lang"] == "de" and first["subtitle"]["highlights"] == [[0, 10]]
    page = requests.get(server + "/search", params={"q": "Frauenhaus", "lang": "en"},
                        headers=BROWSER, timeout=30).text
    assert '<html lang="en">' in page and 'lang="en">municipal level' in page


def test_fundings_take_the_area_of_the_measure_they_fund(server):
    answer = search(server, q="Kita", kind="funding", area="fruehkindliche-bildung")
    assert "funding/kita-ausbau-169-mio" in ids(answer)


def test_facets_without_words_browse(server):
    answer = search(server, kind="source")
    assert answer["total"] == 5
    assert all(r["kind"] == "source" for r in answer["results"])


def test_facet_links_on_the_page_narrow(server):
    page = requests.get(server + "/search", params={"q": "Frauenhaus"}, headers=BROWSER,
                        timeout=30).text
    assert 'data-facet="level"' in page and "level=MunicipalLevel" in page
    narrowed = requests.get(server + "/search", params={"q": "Frauenhaus", "level": [
        "MunicipalLevel", "StateLevel"]}, headers=BROWSER, timeout=30).text
    assert "(narrowed: Level: kommunale Ebene or Landesebene," in narrowed


# --- forms -----------------------------------------------------------------------------------

def test_json_by_accept_and_by_format_parameter_are_the_same(server):
    by_accept = requests.get(server + "/search", params={"q": "Kita"}, headers=JSON, timeout=30)
    by_param = requests.get(server + "/search", params={"q": "Kita", "format": "json"},
                            headers=BROWSER, timeout=30)
    assert by_accept.json()["results"] == by_param.json()["results"]
    assert by_accept.headers["Vary"] == "Accept"
    html = requests.get(server + "/search", params={"q": "Kita"}, headers=BROWSER, timeout=30)
    assert html.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<mark>Kita</mark>' in html.text
    as_html = requests.get(server + "/search", params={"q": "Kita", "format": "html"},
                           timeout=30).text
    assert "q=Kita&amp;format=json" in as_html and "format=html&amp;format=json" not in as_html


def test_paging(server):
    first = search(server, q="Gesundheit")
    page = requests.get(server + "/search", params={"q": "Gesundheit", "limit": 10,
                        "offset": 10}, headers=JSON, timeout=30).json()
    assert ids(page) == ids(first)[10:20]
    assert page["previous"] and page["next"]


def test_what_the_client_sends_is_escaped(server):
    hostile = '<script>alert(1)</script> Frauenhaus "><img src=x onerror=alert(1)>'
    response = requests.get(server + "/search", params={"q": hostile}, headers=BROWSER,
                            timeout=30)
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "<img src=x" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("params, says", [
    ({"q": "x", "sort": "date"}, "unknown parameter sort; accepted: q, kind"),
    ({"q": "x", "kind": "person"}, "kind=person is not a value of the facet kind; accepted:"),
    ({"q": "x", "area": "nowhere"}, "accepted: "),
    ({"q": "x", "limit": "ten"}, "limit must be a whole number from 1 to 100"),
    ({"q": "x", "limit": "1000"}, "limit must be a whole number from 1 to 100"),
    ({"q": "x", "limit": "²"}, "limit must be a whole number from 1 to 100"),  # isdigit, no int
    ({"q": "x", "offset": "-1"}, "offset must be a whole number"),
    ({"q": "x", "lang": "fr"}, "lang must be de or en"),
    ({"q": "x", "format": "xml"}, "accepted: html, json"),
    ({"q": ["a", "b"]}, "parameter q given more than once"),
    ({"q": "x" * 501}, "q is longer than 500 characters"),
])
def test_bad_parameters_are_400_with_what_is_accepted(server, params, says):
    response = requests.get(server + "/search", params=params, headers=BROWSER, timeout=30)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert says in response.text


@pytest.mark.parametrize("q", ['"*:(', "AND OR NOT", "\u0000", "ß" * 400, "a", "😀", "-", "x:y"])
def test_odd_queries_answer(server, q):
    response = requests.get(server + "/search", params={"q": q}, headers=JSON, timeout=30)
    assert response.status_code == 200


def test_what_cannot_be_answered_is_406_and_other_methods_405(server):
    response = requests.get(server + "/search", params={"q": "Kita"},
                            headers={"Accept": "text/csv"}, timeout=30)
    assert response.status_code == 406 and "text/html" in response.text
    response = requests.post(server + "/search", data={"q": "Kita"}, timeout=30)
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_json_errors_for_json_clients(server):
    response = requests.get(server + "/search", params={"bad": "1"}, headers=JSON, timeout=30)
    assert response.status_code == 400
    assert response.json()["message"].startswith("unknown parameter bad")


def test_an_empty_query_explains_the_search(server):
    page = requests.get(server + "/search", headers=BROWSER, timeout=30)
    assert page.status_code == 200
    assert "/search?q=Frauenhaus" in page.text and "format=json" in page.text
    answer = requests.get(server + "/search", params={"q": " "}, headers=JSON, timeout=30).json()
    assert answer["results"] == [] and "help" in answer


@pytest.mark.parametrize("path", ["/", "/ui", "/downloads", "/id/measure/kita-ausbau",
                                  "/validate", "/ontology", "/search?q=Kita"])
def test_every_page_has_the_search_box(server, path):
    page = requests.get(server + path, headers=BROWSER, timeout=30)
    assert page.status_code == 200
    assert '<form class="site-search" action="/search" method="get" role="search">' in page.text
