"""Real clients against the real server (gunicorn on loopback, the project's built store):
SPARQLWrapper through every return format with GET and POST over the four query forms, and
rdflib fetching an entity's IRI in every RDF format it knows. Each call must succeed with the
data it asked for."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from storefixture import gunicorn_serving

pytestmark = pytest.mark.e2e

MEASURE = "https://w3id.org/sozialgraph/id/measure/kita-ausbau"
SELECT = "SELECT ?p ?o WHERE { <%s> ?p ?o } LIMIT 5" % MEASURE
ASK = "ASK { <%s> ?p ?o }" % MEASURE
CONSTRUCT = "CONSTRUCT { <%s> ?p ?o } WHERE { <%s> ?p ?o }" % (MEASURE, MEASURE)
DESCRIBE = "DESCRIBE <%s>" % MEASURE


@pytest.fixture(scope="module")
def base_url(built_store):
    with gunicorn_serving(built_store) as url:
        yield url


def _rows(converted, fmt) -> int:
    """How many solutions a converted SELECT result holds, whatever its format."""
    if fmt == JSON:
        return len(converted["results"]["bindings"])
    if fmt == XML:
        return len(converted.getElementsByTagName("result"))
    text = converted.decode() if isinstance(converted, bytes) else converted
    return len(text.strip().splitlines()) - 1  # CSV and TSV: a header line, then the rows


def _boolean(converted, fmt) -> bool:
    if fmt == JSON:
        return converted["boolean"]
    if fmt == XML:
        return converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    text = converted.decode() if isinstance(converted, bytes) else converted
    return "true" in text


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_and_ask(base_url, method, fmt):
    client = SPARQLWrapper(base_url + "/sparql")
    client.setMethod(method)
    client.setReturnFormat(fmt)
    client.setQuery(SELECT)
    assert _rows(client.query().convert(), fmt) == 5
    client.setQuery(ASK)
    assert _boolean(client.query().convert(), fmt) is True


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [RDFXML, TURTLE, N3, JSONLD])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_construct_and_describe(base_url, method, fmt, query):
    client = SPARQLWrapper(base_url + "/sparql")
    client.setMethod(method)
    client.setReturnFormat(fmt)
    client.setQuery(query)
    result = client.query()
    converted = result.convert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(
        data=converted, format={TURTLE: "turtle", N3: "n3", JSONLD: "json-ld"}.get(fmt, "xml"))
    assert (URIRef(MEASURE), None, None) in graph


@pytest.mark.parametrize("fmt", ["nt", "n3", "turtle", "ttl", "xml", "json-ld", "trig", None])
def test_rdflib_parses_an_entity_iri_in_every_format(base_url, fmt):
    """rdflib asks with the media types it names for `fmt` (text/plain for N-Triples, text/n3
    for N3, ...; every parser's media type when no format is given) and must get RDF it can
    read, not the HTML page."""
    graph = Graph().parse(base_url + "/id/measure/kita-ausbau", format=fmt)
    assert len(graph) > 5
    assert any(True for _ in graph.triples((URIRef(MEASURE), None, None)))


def test_rdflib_sparqlstore_queries_and_reads_triples_with_prefixes_bound(base_url):
    """rdflib's SPARQLStore sends every bound prefix with every query (the project's, and a
    prefix named like a keyword) and reads triples through SELECT."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    from sozialgraph.rdf.namespaces import PREFIXES

    store = SPARQLStore(base_url + "/sparql", returnFormat="json")
    graph = Graph(store=store)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("service", "http://example.org/service/")
    graph.bind("fromage", "http://example.org/fromage/")
    rows = list(graph.query("SELECT ?label WHERE { sgm:kita-ausbau rdfs:label ?label }"))
    assert rows and any(str(row[0]) for row in rows)
    triples = list(graph.triples((URIRef(MEASURE), None, None)))
    assert len(triples) > 5
    assert bool(graph.query(f"ASK {{ <{MEASURE}> ?p ?o }}").askAnswer) is True
