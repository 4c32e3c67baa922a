"""The SPARQL 1.1 Protocol at /sparql, through the HTTP layer: operations, datasets, result
formats parsed back, protocol errors, read-only refusal, service description, CORS, health."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from storefixture import (
    CENTRES,
    DEFAULT_GRAPH_SIZE,
    GRAPH_ACTORS,
    GRAPH_DOCUMENT,
    GRAPH_INFERRED,
    GRAPH_SIZES,
    LAND_HESSEN,
    TRICKY_TEXT,
    build_store,
    close_app,
    make_app,
)
from werkzeug.datastructures import MultiDict

from sozialgraph.rdf.namespaces import SD, VOID
from sozialgraph.web.dataset import query_executor

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("protocol") / "store")


@pytest.fixture(scope="module")
def app(store_path):
    app = make_app(store_path)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def bindings(response) -> list[dict]:
    assert response.status_code == 200, response.data
    return response.get_json()["results"]["bindings"]


def count(response) -> int:
    return int(bindings(response)[0]["n"]["value"])


# --- operations -----------------------------------------------------------------------------


def test_get_query(client):
    response = client.get("/sparql", query_string={"query": COUNT})
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert response.headers["Vary"] == "Accept"
    assert count(response) == DEFAULT_GRAPH_SIZE


def test_post_form(client):
    response = client.post("/sparql", data={"query": COUNT})
    assert count(response) == DEFAULT_GRAPH_SIZE


@pytest.mark.parametrize("content_type", ["application/sparql-query",
                                          "application/sparql-query; charset=UTF-8"])
def test_post_query_body_in_utf8(client, content_type):
    query = 'ASK { ?s ?p ?text FILTER(CONTAINS(?text, "für alle")) }'
    response = client.post("/sparql", data=query.encode("utf-8"),
                           headers={"Content-Type": content_type})
    assert response.status_code == 200, response.data
    assert response.get_json()["boolean"] is True


def test_head_answers_without_body(client):
    response = client.head("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 200
    assert response.data == b""


# --- datasets -------------------------------------------------------------------------------


def test_default_graph_is_the_merge_of_asserted_graphs(client):
    rows = bindings(client.get("/sparql", query_string={
        "query": f"SELECT ?type WHERE {{ <{CENTRES}> a ?type }}"}))
    assert [r["type"]["value"] for r in rows] == ["https://w3id.org/sozialgraph/ontology#Facility"]


@pytest.mark.parametrize("switch", ["inference=true", "infer=1", "inference=on", "inference"])
def test_inference_switch_adds_the_inferred_graph(client, switch):
    response = client.get(f"/sparql?{switch}&{urlencode({'query': COUNT})}")
    assert count(response) == DEFAULT_GRAPH_SIZE + GRAPH_SIZES[GRAPH_INFERRED]
    off = client.get("/sparql", query_string={"query": COUNT, "inference": "false"})
    assert count(off) == DEFAULT_GRAPH_SIZE


def test_inference_switch_rejects_other_values(client):
    response = client.get("/sparql", query_string={"query": COUNT, "inference": "maybe"})
    assert response.status_code == 400


def test_inferred_by_default_when_configured(store_path):
    app = make_app(store_path, INCLUDE_INFERRED_DEFAULT=True, QUERY_TIMEOUT=0)
    client = app.test_client()
    assert count(client.get("/sparql", query_string={"query": COUNT})) == 16
    assert count(client.get("/sparql", query_string={"query": COUNT, "infer": "no"})) == 14


def test_every_named_graph_is_reachable_with_graph(client):
    rows = bindings(client.get("/sparql", query_string={
        "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"}))
    assert {r["g"]["value"]: int(r["n"]["value"]) for r in rows} == GRAPH_SIZES


def test_default_graph_uri(client):
    response = client.get("/sparql", query_string={"query": COUNT,
                                                    "default-graph-uri": GRAPH_ACTORS})
    assert count(response) == GRAPH_SIZES[GRAPH_ACTORS]


def test_several_default_graph_uris(client):
    query = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"
    response = client.get("/sparql", query_string=[
        ("query", query), ("default-graph-uri", GRAPH_ACTORS),
        ("default-graph-uri", GRAPH_INFERRED)])
    subjects = {r["s"]["value"] for r in bindings(response)}
    assert subjects == {LAND_HESSEN, CENTRES, "https://w3id.org/sozialgraph/id/actor/stadt-kassel"}


def test_named_graph_uris_limit_graph_and_empty_the_default_graph(client):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.post("/sparql", data=MultiDict([
        ("query", query), ("named-graph-uri", GRAPH_ACTORS),
        ("named-graph-uri", GRAPH_DOCUMENT)]))
    assert {r["g"]["value"] for r in bindings(response)} == {GRAPH_ACTORS, GRAPH_DOCUMENT}
    ask = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }",
                                              "named-graph-uri": GRAPH_ACTORS})
    assert ask.get_json()["boolean"] is False


def test_query_in_the_url_of_an_empty_post(client):
    response = client.post("/sparql", query_string={"query": COUNT}, data=b"",
                           headers={"Content-Type": "application/sparql-query"})
    assert count(response) == DEFAULT_GRAPH_SIZE


def test_dataset_parameters_with_sparql_query_body(client):
    response = client.post(f"/sparql?default-graph-uri={GRAPH_INFERRED}", data=COUNT,
                           headers={"Content-Type": "application/sparql-query"})
    assert count(response) == GRAPH_SIZES[GRAPH_INFERRED]


def test_from_and_from_named_in_the_query(client):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_ACTORS}> WHERE {{ ?s ?p ?o }}"
    assert count(client.get("/sparql", query_string={"query": query})) == 5
    query = (f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{GRAPH_INFERRED}> "
             "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g")
    rows = bindings(client.get("/sparql", query_string={"query": query}))
    assert [(r["g"]["value"], r["n"]["value"]) for r in rows] == [(GRAPH_INFERRED, "2")]


def test_protocol_dataset_overrides_from(client):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_ACTORS}> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", query_string={"query": query,
                                                    "default-graph-uri": GRAPH_DOCUMENT})
    assert count(response) == GRAPH_SIZES[GRAPH_DOCUMENT]


# --- result formats, parsed back ------------------------------------------------------------

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SELECT_LABELS = f"SELECT ?label WHERE {{ <{LAND_HESSEN}> <{RDFS}label> ?label }} ORDER BY ?label"
CONSTRUCT_ALL = "CONSTRUCT WHERE { ?s ?p ?o }"


def test_select_as_json(client):
    rows = bindings(client.get("/sparql", query_string={"query": SELECT_LABELS}))
    assert [(r["label"]["value"], r["label"]["xml:lang"]) for r in rows] == [
        ("Land Hessen", "de"), ("State of Hesse", "en")]


def test_select_as_xml(client):
    response = client.get("/sparql", query_string={"query": SELECT_LABELS},
                          headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["Content-Type"] == "application/sparql-results+xml"
    root = ET.fromstring(response.data)
    literals = root.findall(f"./{RESULTS_NS}results/{RESULTS_NS}result/{RESULTS_NS}binding/"
                            f"{RESULTS_NS}literal")
    assert [lit.text for lit in literals] == ["Land Hessen", "State of Hesse"]


def test_select_as_csv_and_tsv(client):
    query = (f"SELECT ?comment ?value WHERE {{ <{CENTRES}> <{RDFS}comment> ?comment ; "
             "<http://schema.org/value> ?value }")
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8"), newline="")))
    assert rows == [["comment", "value"], [TRICKY_TEXT, "33"]]
    response = client.get("/sparql", query_string={"query": query, "format": "tsv"})
    assert response.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    header, row = response.data.decode("utf-8").rstrip("\n").split("\n")
    assert header.split("\t") == ["?comment", "?value"]
    assert row.split("\t")[1] == "33"
    assert "\\t" in row and "\\n" in row  # tabs and newlines inside a literal are escaped


@pytest.mark.parametrize("fmt, check", [
    ("json", lambda body: json.loads(body)["boolean"] is True),
    ("xml", lambda body: ET.fromstring(body).find(f"{RESULTS_NS}boolean").text == "true"),
    ("csv", lambda body: body.decode().strip() == "true"),
    ("tsv", lambda body: body.decode().strip() == "true"),
])
def test_ask_in_each_result_format(client, fmt, check):
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": fmt})
    assert response.status_code == 200
    assert check(response.data)


@pytest.fixture(scope="module")
def expected_graph(client):
    response = client.get("/sparql", query_string={"query": CONSTRUCT_ALL, "format": "nt"})
    graph = Graph().parse(data=response.data.decode("utf-8"), format="nt")
    assert len(graph) == DEFAULT_GRAPH_SIZE
    assert (URIRef(CENTRES), URIRef("http://schema.org/value"),
            Literal(33)) in graph
    return graph


@pytest.mark.parametrize("accept, content_type, rdflib_format", [
    ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/trig", "application/trig", "trig"),
    ("application/n-quads", "application/n-quads", "nquads"),
])
def test_construct_in_each_rdf_format(client, expected_graph, accept, content_type,
                                      rdflib_format):
    response = client.get("/sparql", query_string={"query": CONSTRUCT_ALL},
                          headers={"Accept": accept})
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Vary"] == "Accept"
    text = response.data.decode("utf-8")
    if rdflib_format in ("trig", "nquads"):
        graph = Dataset().parse(data=text, format=rdflib_format).default_graph
    else:
        graph = Graph().parse(data=text, format=rdflib_format)
    assert isomorphic(graph, expected_graph)


def test_describe(client):
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{LAND_HESSEN}>"})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.data.decode("utf-8"), format="turtle")
    assert (URIRef(LAND_HESSEN), RDF.type, URIRef("http://www.w3.org/ns/org#Organization")) \
        in graph


# --- protocol errors ------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parsers_message(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "syntax error" in response.get_data(as_text=True)
    assert "error at 1:" in response.get_data(as_text=True)


@pytest.mark.parametrize("request_args", [
    {"query_string": [("query", "ASK {}"), ("query", "ASK {}")]},
    {"method": "POST", "data": MultiDict([("query", "ASK {}"), ("query", "ASK {}")])},
    {"method": "POST", "query_string": {"query": "ASK {}"}, "data": {"query": "ASK {}"}},
    {"method": "POST", "query_string": {"query": "ASK {}"}, "data": "ASK {}",
     "content_type": "application/sparql-query"},
    {"query_string": {"query": "   "}},
    {"method": "POST", "data": {"default-graph-uri": GRAPH_ACTORS}},
])
def test_malformed_requests_are_400(client, request_args):
    response = client.open("/sparql", **request_args)
    assert response.status_code == 400, response.data
    assert response.get_data(as_text=True).startswith("400 Bad Request: ")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(client, method):
    response = client.open("/sparql", method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert "use GET, HEAD, OPTIONS, POST" in response.get_data(as_text=True)


@pytest.mark.parametrize("body, content_type", [
    (b"ASK {}", "text/plain"),
    (b'{"query": "ASK {}"}', "application/json"),
    (b"ASK {}", None),
    ("ASK { ?s ?p \"Gr\u00fc\u00dfe\" }".encode("latin-1"), "application/sparql-query"),
    (b"ASK {}", "application/sparql-query; charset=iso-8859-1"),
    (b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FC%22%20%7D", "application/x-www-form-urlencoded"),
])
def test_unsupported_media_type_or_encoding_is_415(client, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", data=body, headers=headers)
    assert response.status_code == 415, response.data
    text = response.get_data(as_text=True)
    assert "application/sparql-query" in text or "UTF-8" in text


def test_errors_are_json_for_clients_that_accept_only_json(client):
    response = client.get("/sparql", query_string={"query": "SELECT"},
                          headers={"Accept": "application/json"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and "syntax error" in body["message"]


def test_unexpected_errors_never_show_a_stack_trace(app, client, monkeypatch):
    def broken(task):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(query_executor(app), "run", broken)
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret" not in text


# --- read-only ------------------------------------------------------------------------------


@pytest.mark.parametrize("request_args", [
    {"method": "POST", "data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"},
    {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
])
def test_update_operations_are_refused_with_403(client, request_args):
    response = client.open("/sparql", **request_args)
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    assert count(client.get("/sparql", query_string={"query": COUNT})) == DEFAULT_GRAPH_SIZE


# --- service description, HTML, CORS, health ------------------------------------------------


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.data.decode("utf-8"), format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(f) for f in graph.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/JSON-LD" in formats
    assert len(formats) == 10
    dataset = graph.value(service, SD.defaultDataset)
    default_graph = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default_graph, VOID.triples).toPython() == DEFAULT_GRAPH_SIZE
    sizes = {
        str(graph.value(named, SD.name)): graph.value(graph.value(named, SD.graph),
                                                      VOID.triples).toPython()
        for named in graph.objects(dataset, SD.namedGraph)
    }
    assert sizes == GRAPH_SIZES


def test_service_description_in_json_ld_with_public_base(store_path):
    app = make_app(store_path, PUBLIC_BASE="https://sozialgraph.example.org", QUERY_TIMEOUT=0)
    response = app.test_client().get("/sparql?format=jsonld")
    assert response.headers["Content-Type"] == "application/ld+json"
    graph = Graph().parse(data=response.data.decode("utf-8"), format="json-ld")
    endpoint = URIRef("https://sozialgraph.example.org/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph


def test_browsers_get_the_query_ui(client):
    # the app registers the query UI at /ui (server/sozialgraph/web/ui.py): browsers are sent there
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": browser})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ui")


def test_cors_on_answers_and_preflight(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"},
                          headers={"Origin": "https://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response = client.post("/sparql", data="ASK {}",
                           headers={"Content-Type": "application/sparql-query",
                                    "Origin": "https://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"]
               .split(",")}
    assert {"content-type", "accept"} <= allowed


def test_health(client, store_path):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["store"] == store_path.name  # no path of the machine in an answer
    assert body["graphs"] == 3 and body["inferred_graph"] is True
    assert body["quads"] == sum(GRAPH_SIZES.values()) + DEFAULT_GRAPH_SIZE
    assert body["version"]


def test_missing_store_is_503_not_a_crash(tmp_path):
    app = make_app(tmp_path / "nowhere")
    client = app.test_client()
    assert client.get("/health").status_code == 503
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 503
    assert "store" in response.get_data(as_text=True)
    close_app(app)


# --- base IRI ---------------------------------------------------------------------------------

def test_relative_iris_resolve_against_the_endpoint(client):
    """The Protocol suite's query_content_type_construct: relative IRIs without BASE resolve
    against the endpoint's URL."""
    response = client.post("/sparql", data="CONSTRUCT { <s> <p> 1 } WHERE {}",
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/n-triples"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data(as_text=True).strip() == (
        '<http://localhost/s> <http://localhost/p> '
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    response = client.get("/sparql", query_string={
        "query": "ASK { FILTER(<x> IN (1, <x>)) }"}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["boolean"] is True
    based = client.get("/sparql", query_string={
        "query": "BASE <http://example.org/> SELECT (<x> AS ?x) WHERE {}"},
        headers={"Accept": "application/json"})
    assert based.get_json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/x"
