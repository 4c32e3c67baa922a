"""The VoID description, on the store the real build makes: it parses in every format, and its
numbers equal counts made independently, with rdflib over the graph files (the asserted part)
and over the N-Quads dump (the whole dataset, the inferred graph included)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from projectdata import project_graph
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF
from storefixture import make_app

from sozialgraph.rdf.namespaces import BASE, GRAPH
from sozialgraph.settings import GRAPHS_DIR, ONTOLOGY_DIR

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef(BASE + "dataset")


@pytest.fixture(scope="module")
def client(built_store):
    return make_app(built_store, QUERY_TIMEOUT=0).test_client()


@pytest.fixture(scope="module")
def void(client) -> Graph:
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"  # the default
    assert response.headers["Vary"] == "Accept"
    return Graph().parse(data=response.data, format="turtle")


@pytest.fixture(scope="module")
def everything(client) -> Graph:
    """The union of every named graph, from the N-Quads dump, counted by rdflib."""
    dataset = Dataset()
    dataset.parse(data=client.get("/downloads/sozialgraph.nq").data, format="nquads")
    union = Graph()
    for graph in dataset.graphs():
        for triple in graph:
            union.add(triple)
    return union


def number(graph: Graph, subject, predicate) -> int:
    value = graph.value(subject, predicate)
    assert value is not None, (subject, predicate)
    return value.toPython()


@pytest.mark.parametrize("accept, fmt", [("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt")])
def test_other_formats_by_accept(client, void, accept, fmt):
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.headers["Content-Type"] == accept
    assert isomorphic(Graph().parse(data=response.data, format=fmt), void)


def test_dataset_metadata(void):
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert {t.language for t in void.objects(DATASET, DCTERMS.title)} == {"de", "en"}
    assert {t.language for t in void.objects(DATASET, DCTERMS.description)} == {"de", "en"}
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert void.value(DATASET, VOID.uriSpace) == Literal(BASE)
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert URIRef("https://w3id.org/sozialgraph/ontology#") in set(
        void.objects(DATASET, VOID.vocabulary))


def test_whole_dataset_numbers(void, everything):
    asserted = project_graph()  # the graph files merged: the asserted part, by rdflib alone
    inferred = next(g for g in void.objects(DATASET, VOID.subset) if g == GRAPH["inferred"])
    assert number(void, DATASET, VOID.triples) == len(everything)
    assert len(everything) == len(asserted) + number(void, inferred, VOID.triples)
    assert number(void, DATASET, VOID.distinctSubjects) == len(set(everything.subjects()))
    assert number(void, DATASET, VOID.distinctObjects) == len(set(everything.objects()))
    assert number(void, DATASET, VOID.properties) == len(set(everything.predicates()))
    classes = set(everything.objects(None, RDF.type))
    assert number(void, DATASET, VOID.classes) == len(classes)
    entities = {s for s in everything.subjects() if isinstance(s, URIRef) and str(s).startswith(
        BASE)}
    assert number(void, DATASET, VOID.entities) == len(entities)


def test_partitions(void, everything):
    instances = defaultdict(set)
    for subject, cls in everything.subject_objects(RDF.type):
        instances[cls].add(subject)
    served = {void.value(p, VOID["class"]): number(void, p, VOID.entities)
              for p in void.objects(DATASET, VOID.classPartition)}
    assert served == {cls: len(members) for cls, members in instances.items()}
    per_property = Counter(p for _, p, _ in everything)
    served = {void.value(p, VOID.property): number(void, p, VOID.triples)
              for p in void.objects(DATASET, VOID.propertyPartition)}
    assert served == dict(per_property)


def test_subsets_are_the_named_graphs(client, void):
    files = {str(GRAPH[p.stem]): p for p in GRAPHS_DIR.glob("*.ttl")}
    files[str(GRAPH["ontology"])] = ONTOLOGY_DIR / "sozialgraph.ttl"
    subsets = set(void.objects(DATASET, VOID.subset))
    assert {str(s) for s in subsets} == set(files) | {str(GRAPH["inferred"])}
    for subset in subsets:
        dump = void.value(subset, VOID.dataDump)
        response = client.get(str(dump).removeprefix("http://localhost"))
        assert response.status_code == 200, dump
        size = number(void, subset, VOID.triples)
        assert len(Graph().parse(data=response.data, format="turtle")) == size, subset
        if str(subset) in files:
            assert size == len(Graph().parse(files[str(subset)])), subset
    source = void.value(GRAPH["hmsi-bilanz"], DCTERMS.source)
    assert source == URIRef(BASE + "id/source/hmsi-bilanz")


def test_dumps_and_examples_resolve(client, void):
    dumps = set(void.objects(DATASET, VOID.dataDump))
    assert {str(d) for d in dumps} == {"http://localhost/downloads/sozialgraph.nq",
                                       "http://localhost/downloads/sozialgraph.trig"}
    for dump in dumps:
        assert client.head(str(dump).removeprefix("http://localhost")).status_code == 200
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert examples
    for example in examples:
        assert not isinstance(example, BNode)
        response = client.get("/" + str(example).removeprefix(BASE),
                              headers={"Accept": "text/turtle"})
        assert response.status_code == 200, example


def test_public_base_in_access_urls_only(built_store):
    client = make_app(built_store, QUERY_TIMEOUT=0,
                      PUBLIC_BASE="http://example.test/").test_client()
    graph = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://example.test/sparql")
    assert URIRef("http://example.test/downloads/sozialgraph.nq") in set(
        graph.objects(DATASET, VOID.dataDump))
    assert (DATASET, RDF.type, VOID.Dataset) in graph  # identifiers stay in the namespace
