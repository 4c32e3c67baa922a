"""Linked data through the HTTP layer: /id/..., /graph/..., /query/..., /ontology, /shapes.

Most tests read the store the real build pipeline makes from the project's graphs (built once per
session, `built_store`) and compare what the server says with the graph files read by rdflib.
"""

from __future__ import annotations

import gc
import json
import re
from decimal import Decimal

import pyoxigraph as ox
import pytest
from projectdata import project_graph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH
from storefixture import make_app

from sozialgraph.rdf.namespaces import (
    ACTOR,
    BASE,
    EVIDENCE,
    FUNDING,
    GRAPH,
    MEASURE,
    OA,
    SCHEMA,
    SG,
    SOURCE,
)
from sozialgraph.settings import ONTOLOGY_DIR, SHAPES_DIR
from sozialgraph.store.embedded import add_union_copy

MEASURE_IRI = MEASURE["kita-ausbau"]
FUNDING_IRI = FUNDING["kita-ausbau-169-mio"]
EVIDENCE_IRI = EVIDENCE["hmsi-bilanz/kita-ausbau-169-mio"]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF_TYPES = {
    "turtle": ("text/turtle", "text/turtle; charset=utf-8"),
    "json-ld": ("application/ld+json", "application/ld+json"),
    "nt": ("application/n-triples", "application/n-triples"),
}
FORMAT_NAMES = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}


@pytest.fixture(scope="module")
def app(built_store):
    return make_app(built_store, QUERY_TIMEOUT=0)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def path_of(iri) -> str:
    return "/" + str(iri).removeprefix(BASE)


def parse(body: bytes, fmt: str) -> Graph:
    return Graph().parse(data=body, format=fmt)


def section(html: str, heading: str) -> str:
    """The HTML between <h2>heading</h2> and the next <h2> (or the end of the article)."""
    start = html.index(f"<h2>{heading}</h2>")
    end = html.find("<h2", start + 1)
    return html[start:end if end > 0 else len(html)]


# --- HTML for people -----------------------------------------------------------------------------

def test_measure_page_shows_labels_values_incoming_links_and_evidence(client):
    response = client.get(path_of(MEASURE_IRI), headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Vary"] == "Accept"
    html = response.get_data(as_text=True)
    assert '<h1 lang="de">Kita-Ausbau</h1>' in html
    assert '<p class="subtitle" lang="en">Expansion of day-care places</p>' in html
    # a linked value: the responsible actor, by its label, linked to its local page
    properties = section(html, "Properties")
    assert re.search(r'<a href="http://localhost/id/actor/landesregierung-hessen"[^>]*>'
                     r"Hessische Landesregierung</a>", properties)
    assert 'href="http://localhost/ontology#FundingProgramme"' in html  # the type, documented
    # an incoming link: the funding that funds the measure, grouped under sg:fundedMeasure
    incoming = section(html, "Incoming links")
    assert "sg:fundedMeasure" in incoming
    assert re.search(r'<a href="http://localhost/id/funding/kita-ausbau-169-mio"[^>]*>'
                     r"169 Millionen Euro für den Kita-Ausbau</a>", incoming)
    # the evidence quote, highlighted, with context, offsets and its source document's page
    evidence = section(html, "Evidence")
    assert "<mark>Hinzu kommen 169 Millionen Euro für den Kita-Ausbau</mark>" in evidence
    assert '<span class="context">…ibilität der Eltern ermöglicht. </span>' in evidence
    assert "characters 574–625" in evidence
    assert re.search(r'<a href="http://localhost/id/source/hmsi-bilanz">Bilanz – Ministerium '
                     r"für Soziales und Integration</a>", evidence)
    assert evidence.count('<blockquote class="evidence"') == len(
        list(project_graph().objects(MEASURE_IRI, SG.evidence)))


def test_quotes_on_the_page_are_the_quotes_of_the_graph(client):
    """Every evidence quote of a funding page: exact words and offsets as graphs/ state them."""
    graph = project_graph()
    html = client.get(path_of(FUNDING_IRI)).get_data(as_text=True)
    for evidence in graph.objects(FUNDING_IRI, SG.evidence):
        selectors = list(graph.objects(evidence, OA.hasSelector))
        exact = next(graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact))
        start = next(graph.value(s, OA.start) for s in selectors if graph.value(s, OA.start))
        end = next(graph.value(s, OA.end) for s in selectors if graph.value(s, OA.end))
        assert f"<mark>{exact}</mark>" in html
        assert f"characters {start}–{end}" in html


def test_funding_page_shows_the_amount_node_in_place(client):
    html = client.get(path_of(FUNDING_IRI)).get_data(as_text=True)
    properties = section(html, "Properties")
    assert '<table class="properties nested">' in properties
    assert "169000000" in properties and "xsd:decimal" in properties
    assert "EUR" in properties


def test_evidence_page_shows_its_own_quote(client):
    response = client.get(path_of(EVIDENCE_IRI))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<mark>Hinzu kommen 169 Millionen Euro für den Kita-Ausbau</mark>" in html
    assert "sg:evidence" in section(html, "Incoming links")


def test_html_escapes_data_and_scripts_get_json(tmp_path):
    """Labels are data: they are escaped in the page and written with tojson into the JSON-LD
    script, so a label cannot end the script or add markup."""
    evil = '</script><script>alert("x")</script> & <b>bold</b>'
    iri = str(MEASURE["evil"])
    store = ox.Store(str(tmp_path / "store"))
    graph = ox.NamedNode(str(GRAPH["hmsi-bilanz"]))
    store.extend([
        ox.Quad(ox.NamedNode(iri), ox.NamedNode(str(RDF.type)), ox.NamedNode(str(SG.Measure)),
                graph),
        ox.Quad(ox.NamedNode(iri), ox.NamedNode(str(RDFS.label)), ox.Literal(evil, language="de"),
                graph),
    ])
    add_union_copy(store)
    store.flush()
    del store
    gc.collect()
    client = make_app(tmp_path / "store", QUERY_TIMEOUT=0).test_client()
    html = client.get(path_of(iri)).get_data(as_text=True)
    assert "<b>bold</b>" not in html and "<script>alert" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert found is not None
    script = found.group(1)
    assert "<" not in script
    data = json.loads(script)
    assert data[0]["@id"] == iri
    labels = data[0][str(RDFS.label)]
    assert labels[0]["@value"] == evil


# --- RDF for machines ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", sorted(RDF_TYPES))
def test_funding_as_rdf_by_accept(client, fmt):
    accept, content_type = RDF_TYPES[fmt]
    response = client.get(path_of(FUNDING_IRI), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Vary"] == "Accept"
    check_funding_description(parse(response.data, fmt))


@pytest.mark.parametrize("name", sorted(FORMAT_NAMES))
def test_funding_as_rdf_by_format_parameter_and_extension(client, name):
    fmt = FORMAT_NAMES[name]
    for url in (f"{path_of(FUNDING_IRI)}?format={name}", f"{path_of(FUNDING_IRI)}.{name}"):
        response = client.get(url, headers={"Accept": BROWSER})  # the parameter wins
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == RDF_TYPES[fmt][1], url
        check_funding_description(parse(response.data, fmt))


def check_funding_description(graph: Graph) -> None:
    """The description holds the funding's own triples (as graphs/ state them), its amount node,
    its evidence with selectors, and the labels of what it links to."""
    amount = graph.value(FUNDING_IRI, SG.amount)
    assert isinstance(amount, BNode)
    assert graph.value(amount, SCHEMA.value).toPython() == Decimal(169_000_000)
    assert graph.value(amount, SCHEMA.currency) == Literal("EUR")
    assert graph.value(amount, SG.qualifier) == SG.Exact
    selectors = list(graph.objects(EVIDENCE_IRI, OA.hasSelector))
    assert len(selectors) == 2
    offsets = {(graph.value(s, OA.start), graph.value(s, OA.end)) for s in selectors} - {(None,
                                                                                           None)}
    assert {(s.toPython(), e.toPython()) for s, e in offsets} == {(574, 625)}
    assert Literal("Hinzu kommen 169 Millionen Euro für den Kita-Ausbau") in {
        graph.value(s, OA.exact) for s in selectors}
    assert graph.value(EVIDENCE_IRI, OA.hasSource) == SOURCE["hmsi-bilanz"]
    assert Literal("Kita-Ausbau", lang="de") in set(graph.objects(MEASURE_IRI, RDFS.label))
    # every triple graphs/ states about the funding (blank nodes aside) is there
    stated = {(p, o) for p, o in project_graph().predicate_objects(FUNDING_IRI)
              if not isinstance(o, BNode)}
    served = {(p, o) for p, o in graph.predicate_objects(FUNDING_IRI) if not isinstance(o, BNode)}
    assert served == stated


def test_measure_turtle_has_incoming_links(client):
    graph = parse(client.get(f"{path_of(MEASURE_IRI)}.ttl").data, "turtle")
    assert (FUNDING_IRI, SG.fundedMeasure, MEASURE_IRI) in graph
    assert (FUNDING_IRI, RDFS.label, Literal("169 Millionen Euro für den Kita-Ausbau",
                                              lang="de")) in graph
    # outgoing as stated, evidence included
    for p, o in project_graph().predicate_objects(MEASURE_IRI):
        assert (MEASURE_IRI, p, o) in graph


def test_three_formats_say_the_same(client):
    graphs = [parse(client.get(path_of(FUNDING_IRI), headers={"Accept": accept}).data, fmt)
              for fmt, (accept, _) in RDF_TYPES.items()]
    assert len(graphs[0]) > 20
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/n-triples;q=0.3, text/html;q=0.2", "application/n-triples"),
    ("text/html;q=0.1, text/turtle", "text/turtle; charset=utf-8"),
    ("application/*", "application/n-triples"),
    (BROWSER, "text/html; charset=utf-8"),
    ("*/*", "text/html; charset=utf-8"),
    ("", "text/html; charset=utf-8"),
    ("application/rdf+xml", "application/rdf+xml"),
])
def test_q_value_negotiation(client, accept, expected):
    response = client.get(path_of(MEASURE_IRI), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected
    assert response.headers["Vary"] == "Accept"


def test_nothing_acceptable_is_406(client):
    response = client.get(path_of(MEASURE_IRI), headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)
    assert client.get(path_of(MEASURE_IRI) + "?format=pdf").status_code == 406


def test_head_and_conditional_get(client):
    url = path_of(MEASURE_IRI)
    full = client.get(url, headers={"Accept": "text/turtle"})
    head = client.head(url, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert head.headers["Content-Length"] == str(len(full.data))
    again = client.get(url, headers={"Accept": "text/turtle", "If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304


def test_every_iri_of_the_namespace_resolves(client):
    """Every subject IRI under /id/ of the graphs answers with Turtle describing it."""
    subjects = {s for s in project_graph().subjects()
                if isinstance(s, URIRef) and str(s).startswith(BASE + "id/")}
    kinds = {str(s).removeprefix(BASE + "id/").split("/")[0] for s in subjects}
    assert kinds >= {"actor", "measure", "funding", "quantity", "evidence", "source",
                     "policy-area", "target-group", "scheme"}
    for subject in sorted(subjects):
        response = client.get(path_of(subject), headers={"Accept": "text/turtle"})
        assert response.status_code == 200, subject
        assert (subject, None, None) in parse(response.data, "turtle"), subject


@pytest.mark.parametrize("iri", [ACTOR["land-hessen"], SOURCE["hmsi-bilanz"],
                                 URIRef(BASE + "id/policy-area/fruehkindliche-bildung"),
                                 URIRef(BASE + "id/target-group/kinder"),
                                 URIRef(BASE + "id/scheme/policy-areas"),
                                 URIRef(BASE + "id/quantity/erstaufnahme-plaetze-2022")])
def test_pages_of_each_kind(client, iri):
    response = client.get(path_of(iri), headers={"Accept": BROWSER})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    label = project_graph().value(iri, RDFS.label) or str(iri)
    assert f"<code class=\"iri\">{iri}</code>" in html
    assert str(label).replace("&", "&amp;") in html


# --- Unknown IRIs --------------------------------------------------------------------------------

def test_unknown_iri_html_404_suggests_similar_iris(client):
    response = client.get("/id/measure/kita-ausbauen", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Vary"] == "Accept"
    html = response.get_data(as_text=True)
    assert f"{BASE}id/measure/kita-ausbauen" in html
    similar = section(html, "Similar IRIs")
    assert 'href="http://localhost/id/measure/kita-ausbau"' in similar
    assert 'href="http://localhost/ui' in html and 'href="http://localhost/downloads"' in html


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "image/png", "*/*;q=0"])
def test_unknown_iri_plain_404_for_machines(client, accept):
    response = client.get("/id/measure/kita-ausbauen", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "kita-ausbauen" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/id/measure/a%3Eb%20c", "/id/measure/%22%7D%20UNION",
                                  "/id/", "/id/measure/", "/graph/nope", "/query/nope",
                                  "/id/measure/kita-ausbau.pdf", "/ontology/9.9.9"])
def test_odd_paths_are_404_not_errors(client, path):
    assert client.get(path, headers={"Accept": BROWSER}).status_code == 404
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


# --- Named graphs and curated queries -------------------------------------------------------------

def test_graph_page_describes_the_named_graph(client):
    file_graph = Graph().parse(ONTOLOGY_DIR.parent / "graphs" / "hmsi-bilanz.ttl")
    response = client.get("/graph/hmsi-bilanz", headers={"Accept": BROWSER})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<td>{len(file_graph):,}</td>" in html
    assert 'href="http://localhost/downloads/hmsi-bilanz.ttl"' in html
    assert 'href="http://localhost/id/source/hmsi-bilanz"' in html
    graph = parse(client.get("/graph/hmsi-bilanz.ttl").data, "turtle")
    void = URIRef("http://rdfs.org/ns/void#")
    assert graph.value(GRAPH["hmsi-bilanz"], URIRef(void + "triples")).toPython() == len(file_graph)
    assert (GRAPH["hmsi-bilanz"], URIRef(void + "dataDump"),
            URIRef("http://localhost/downloads/hmsi-bilanz.ttl")) in graph


def test_curated_query_page(client):
    response = client.get("/query/funding-per-year", headers={"Accept": BROWSER})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Which measures does Hessen fund per year" in html
    assert "Welche Maßnahmen fördert Hessen jährlich" in html
    assert "sg:periodicity sg:PerYear" in html
    assert 'href="http://localhost/ui?query=funding-per-year"' in html
    graph = parse(client.get("/query/funding-per-year", headers={"Accept": "text/turtle"}).data,
                  "turtle")
    query = URIRef(BASE + "query/funding-per-year")
    assert (query, RDF.type, SH.SPARQLExecutable) in graph
    assert "SELECT" in str(graph.value(query, SH.select))


# --- Ontology and shapes -------------------------------------------------------------------------

def test_ontology_html_documents_every_term_with_an_anchor(client):
    ontology = Graph().parse(ONTOLOGY_DIR / "sozialgraph.ttl")
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Vary"] == "Accept"
    html = response.get_data(as_text=True)
    terms = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
             for s in ontology.subjects(RDF.type, t) if str(s).startswith(str(SG))}
    assert len(terms) > 100
    for term in terms:
        name = str(term).removeprefix(str(SG))
        assert f'id="{name}"' in html, name
    funding = html[html.index('id="Funding"'):]
    funding = funding[:funding.index("</section>")]
    assert "Förderung" in funding and "A sum of money named in a source" in funding
    amount = html[html.index('id="amount"'):]
    amount = amount[:amount.index("</section>")]
    assert "functional" in amount and 'href="http://localhost/ontology#MonetaryAmount"' in amount
    assert "schema:amount" in amount  # its super-property


@pytest.mark.parametrize("url, accept", [("/ontology.ttl", None), ("/ontology", "text/turtle"),
                                         ("/ontology/0.1.0", "text/turtle")])
def test_ontology_turtle_is_the_ontology(client, url, accept):
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    served = parse(response.data, "turtle")
    assert isomorphic(served, Graph().parse(ONTOLOGY_DIR / "sozialgraph.ttl"))


def test_shapes_page_and_turtle(client):
    shapes = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        shapes.parse(path)
    html = client.get("/shapes", headers={"Accept": BROWSER}).get_data(as_text=True)
    node_shapes = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)]
    assert node_shapes
    for shape in node_shapes:
        assert f'id="{str(shape).split("#")[1]}"' in html
    message = next(m for m in shapes.objects(None, SH.message) if m.language == "en")
    assert str(message).replace('"', "&#34;") in html or str(message) in html
    response = client.get("/shapes.ttl")
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert isomorphic(parse(response.data, "turtle"), shapes)


# --- The namespace mapped onto the server --------------------------------------------------------

def test_public_base_maps_the_namespace(built_store):
    configured = make_app(built_store, QUERY_TIMEOUT=0, PUBLIC_BASE="http://example.test/")
    html = configured.test_client().get(path_of(MEASURE_IRI)).get_data(as_text=True)
    assert 'href="http://example.test/id/actor/landesregierung-hessen"' in html
    assert 'href="http://example.test/id/source/hmsi-bilanz"' in html
    assert "http://localhost/id/" not in html

    plain = make_app(built_store, QUERY_TIMEOUT=0).test_client()
    html = plain.get(path_of(MEASURE_IRI), base_url="http://sozialgraph.local:8080/") \
        .get_data(as_text=True)
    assert 'href="http://sozialgraph.local:8080/id/actor/landesregierung-hessen"' in html
    assert "example.test" not in html
    # the identifiers themselves never change
    graph = parse(plain.get(path_of(MEASURE_IRI) + ".ttl",
                            base_url="http://sozialgraph.local:8080/").data, "turtle")
    assert (MEASURE_IRI, RDF.type, SG.FundingProgramme) in graph


def test_the_404_scan_runs_under_the_query_limits(built_store):
    """Looking for similar IRIs scans the store: it runs as /sparql queries do, in a query
    worker under the time limit. A scan that is not answered (here every worker busy) leaves
    the page without suggestions, still a 404, and the web process never waits for it."""
    from sozialgraph.sparql.executor import Failure
    from sozialgraph.web.app import close
    from sozialgraph.web.dataset import query_executor

    app = make_app(built_store, QUERY_TIMEOUT=5, QUERY_WORKERS=1)
    try:
        client = app.test_client()
        response = client.get("/id/measure/kita-ausbauen", headers={"Accept": BROWSER})
        assert 'href="http://localhost/id/measure/kita-ausbau"' in section(
            response.get_data(as_text=True), "Similar IRIs")
        seen = []

        def busy(task):
            seen.append(task.query)
            return Failure("busy", "every query worker is busy")

        query_executor(app).run = busy
        response = client.get("/id/measure/kita-ausbauen", headers={"Accept": BROWSER})
        assert response.status_code == 404
        assert seen and "STRSTARTS" in seen[0]
        assert "<h2>Similar IRIs</h2>" not in response.get_data(as_text=True)
    finally:
        close(app)
