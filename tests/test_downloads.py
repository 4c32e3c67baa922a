"""Downloads through the HTTP layer, on the store the real build makes from the project's graphs:
every listed file downloads, parses and holds what the list says; graph files equal the files in
graphs/ and ontology/; the dataset files hold every named graph."""

from __future__ import annotations

import html as html_module
import re
from decimal import Decimal

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from storefixture import make_app

from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.settings import GRAPHS_DIR, ONTOLOGY_DIR, SHAPES_DIR

CONTENT_TYPES = {"ttl": "text/turtle; charset=utf-8", "trig": "application/trig",
                 "nq": "application/n-quads"}
RDFLIB_FORMATS = {"ttl": "turtle", "trig": "trig", "nq": "nquads"}
ROW = re.compile(r'<tr data-file="([^"]+)" data-statements="(\d+)" data-unit="(\w+)" '
                 r'data-bytes="(\d+)">')


@pytest.fixture(scope="module")
def client(built_store):
    return make_app(built_store, QUERY_TIMEOUT=0).test_client()


@pytest.fixture(scope="module")
def listing(client) -> dict[str, tuple[int, str, int]]:
    response = client.get("/downloads")
    assert response.status_code == 200
    rows = ROW.findall(response.get_data(as_text=True))
    return {name: (int(statements), unit, int(size)) for name, statements, unit, size in rows}


def expected_graphs() -> set[str]:
    stems = {p.stem for p in GRAPHS_DIR.glob("*.ttl")} | {"ontology", "inferred"}
    return {str(GRAPH[stem]) for stem in stems}


def load(body: bytes, filename: str) -> Graph | Dataset:
    extension = filename.rsplit(".", 1)[1]
    if extension == "ttl":
        return Graph().parse(data=body, format="turtle")
    dataset = Dataset()
    dataset.parse(data=body, format=RDFLIB_FORMATS[extension])
    return dataset


def same_graph(first: Graph, second: Graph) -> bool:
    """Isomorphic, reading xsd:decimal by value: the store writes the canonical lexical form
    ("169000000"), the files may not ("169000000.0")."""
    return isomorphic(canonical(first), canonical(second))


def canonical(graph: Graph) -> Graph:
    result = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        result.add((s, p, o))
    return result


def quads(dataset: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def test_page_lists_everything_with_licence(client, listing):
    names = set(listing)
    assert {"sozialgraph.trig", "sozialgraph.nq", "sozialgraph-asserted.trig",
            "sozialgraph-asserted.nq", "shapes.ttl", "ontology.ttl", "inferred.ttl"} <= names
    assert {g.removeprefix(str(GRAPH)) + ".ttl" for g in expected_graphs()} <= names
    html = client.get("/downloads").get_data(as_text=True)
    assert "CC BY 4.0" in html and 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert 'href="http://localhost/.well-known/void"' in html


def test_every_listed_file_downloads_parses_and_has_the_stated_size(client, listing):
    for filename, (statements, unit, size) in listing.items():
        response = client.get(f"/downloads/{filename}")
        assert response.status_code == 200, filename
        extension = filename.rsplit(".", 1)[1]
        assert response.headers["Content-Type"] == CONTENT_TYPES[extension], filename
        assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert 'rel="license"' in response.headers["Link"]
        assert len(response.data) == size, filename
        parsed = load(response.data, filename)
        if unit == "quads":
            assert sum(len(g) for g in quads(parsed).values()) == statements, filename
        else:
            assert len(parsed) == statements, filename


def test_dataset_files_hold_every_named_graph(client):
    for filename in ("sozialgraph.trig", "sozialgraph.nq"):
        graphs = quads(load(client.get(f"/downloads/{filename}").data, filename))
        assert set(graphs) == expected_graphs(), filename
        for name in ("hmsi-bilanz", "actors"):
            on_disk = Graph().parse(GRAPHS_DIR / f"{name}.ttl")
            assert same_graph(graphs[str(GRAPH[name])], on_disk), (filename, name)
    for filename in ("sozialgraph-asserted.trig", "sozialgraph-asserted.nq"):
        graphs = quads(load(client.get(f"/downloads/{filename}").data, filename))
        assert set(graphs) == expected_graphs() - {str(GRAPH["inferred"])}, filename


def test_graph_files_are_the_committed_graphs(client):
    for path in sorted(GRAPHS_DIR.glob("*.ttl")) + [ONTOLOGY_DIR / "sozialgraph.ttl"]:
        name = "ontology" if path.parent == ONTOLOGY_DIR else path.stem
        served = Graph().parse(data=client.get(f"/downloads/{name}.ttl").data, format="turtle")
        assert same_graph(served, Graph().parse(path)), name


def test_shapes_file_is_the_shapes(client):
    shapes = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        shapes.parse(path)
    body = client.get("/downloads/shapes.ttl").data
    assert isomorphic(Graph().parse(data=body, format="turtle"), shapes)
    assert body == client.get("/shapes.ttl").data


def test_unknown_file_head_and_conditional(client):
    missing = client.get("/downloads/nope.ttl")
    assert missing.status_code == 404
    assert "sozialgraph.trig" in missing.get_data(as_text=True)
    head = client.head("/downloads/sozialgraph.nq")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == "application/n-quads"
    etag = head.headers["ETag"]
    assert client.get("/downloads/sozialgraph.nq",
                      headers={"If-None-Match": etag}).status_code == 304


def test_dataset_iri_answers_with_the_downloads_for_people(client):
    response = client.get("/dataset", headers={"Accept": "text/html"})
    assert response.status_code == 200
    text = html_module.unescape(response.get_data(as_text=True))
    assert "sozialgraph.trig" in text
    graph = Graph().parse(data=client.get("/dataset", headers={"Accept": "text/turtle"}).data,
                          format="turtle")
    assert (URIRef("https://w3id.org/sozialgraph/dataset"), None, None) in graph
