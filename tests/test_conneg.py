"""Content negotiation: the one function in server/sozialgraph/rdf/formats.py, and its use at /sparql."""

from __future__ import annotations

import doctest

import pytest
from storefixture import build_store, close_app, make_app

from sozialgraph.rdf import formats as conneg
from sozialgraph.rdf.formats import (
    RDF_FORMATS,
    RESULT_FORMATS,
    NotAcceptable,
    negotiate,
    parse_accept,
)

SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"


def test_doctests():
    assert doctest.testmod(conneg).failed == 0


@pytest.mark.parametrize("accept, expected", [
    (None, "json"),
    ("", "json"),
    ("*/*", "json"),
    ("application/*", "json"),
    ("text/*", "csv"),
    ("text/csv;q=0.5, application/sparql-results+xml", "xml"),
    ("application/sparql-results+xml;q=0.2, text/tab-separated-values;q=0.9", "tsv"),
    ("text/csv, application/sparql-results+json", "csv"),  # equal q: the client's order
    ("application/*, text/csv", "csv"),  # equal q: the more specific range
    ("text/*;q=0.9, text/csv;q=0.1", "tsv"),  # the most specific range sets csv's q
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/html, */*;q=0.1", "json"),
    ("TEXT/CSV", "csv"),
    ("garbage, text/csv", "csv"),
    ("*", "json"),
])
def test_result_formats(accept, expected):
    assert negotiate(RESULT_FORMATS, accept).name == expected


@pytest.mark.parametrize("accept, expected", [
    (None, "turtle"),
    ("*/*", "turtle"),
    ("application/*", "nt"),
    ("application/json", "jsonld"),
    ("application/rdf+xml;q=0.3, application/ld+json;q=0.7", "jsonld"),
    ("text/turtle;q=0, */*", "nt"),
])
def test_rdf_formats(accept, expected):
    assert negotiate(RDF_FORMATS, accept).name == expected


@pytest.mark.parametrize("param, offered, expected", [
    ("json", RESULT_FORMATS, "json"), ("xml", RESULT_FORMATS, "xml"),
    ("csv", RESULT_FORMATS, "csv"), ("tsv", RESULT_FORMATS, "tsv"),
    ("text/csv", RESULT_FORMATS, "csv"),
    ("turtle", RDF_FORMATS, "turtle"), ("ttl", RDF_FORMATS, "turtle"),
    ("nt", RDF_FORMATS, "nt"), ("ntriples", RDF_FORMATS, "nt"), ("jsonld", RDF_FORMATS, "jsonld"),
    ("json", RDF_FORMATS, "jsonld"), ("rdfxml", RDF_FORMATS, "rdfxml"),
    ("xml", RDF_FORMATS, "rdfxml"), ("trig", RDF_FORMATS, "trig"),
    ("nquads", RDF_FORMATS, "nquads"), ("application/n-quads", RDF_FORMATS, "nquads"),
])
def test_format_parameter_wins_over_accept(param, offered, expected):
    assert negotiate(offered, "image/png", param).name == expected


def test_nothing_acceptable():
    with pytest.raises(NotAcceptable) as raised:
        negotiate(RESULT_FORMATS, "image/png, text/turtle")
    assert "application/sparql-results+json" in str(raised.value)
    with pytest.raises(NotAcceptable):
        negotiate(RESULT_FORMATS, "text/csv;q=0")
    with pytest.raises(NotAcceptable):
        negotiate(RESULT_FORMATS, None, "turtle")


def test_q_values_are_parsed_and_clamped():
    ranges = parse_accept('text/csv;q=0.5;charset="utf-8", text/turtle;q=7, bad;q=1, x/y;q=abc')
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "csv", 0.5),
                                                          ("text", "turtle", 1.0)]


# --- through HTTP ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = make_app(build_store(tmp_path_factory.mktemp("conneg") / "store"))
    yield app.test_client()
    close_app(app)


@pytest.mark.parametrize("query, accept, content_type", [
    (SELECT, "text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    (SELECT, "*/*", "application/sparql-results+json"),
    (SELECT, None, "application/sparql-results+json"),
    (SELECT, "text/*", "text/csv; charset=utf-8"),
    (SELECT, "text/turtle, text/tab-separated-values;q=0.1",
     "text/tab-separated-values; charset=utf-8"),
    (CONSTRUCT, "application/sparql-results+json, application/ld+json;q=0.5",
     "application/ld+json"),
    (CONSTRUCT, "*/*", "text/turtle; charset=utf-8"),
    (CONSTRUCT, "application/*", "application/n-triples"),
    ("ASK {}", "text/csv", "text/csv; charset=utf-8"),
])
def test_negotiated_responses(client, query, accept, content_type):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", query_string={"query": query}, headers=headers)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Vary"] == "Accept"


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", query_string={"query": SELECT, "format": "xml"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.headers["Content-Type"] == "application/sparql-results+xml"
    response = client.post("/sparql", data={"query": CONSTRUCT, "format": "application/trig"})
    assert response.headers["Content-Type"] == "application/trig"


@pytest.mark.parametrize("query, accept, listed", [
    (SELECT, "text/turtle", "application/sparql-results+json"),
    (CONSTRUCT, "text/csv", "text/turtle"),
    ("ASK {}", "image/png", "application/sparql-results+json"),
])
def test_406_lists_what_is_supported(client, query, accept, listed):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    text = response.get_data(as_text=True)
    assert listed in text and accept in text


def test_406_for_an_unknown_format_parameter(client):
    response = client.get("/sparql", query_string={"query": SELECT, "format": "yaml"})
    assert response.status_code == 406
    assert "format=yaml" in response.get_data(as_text=True)
