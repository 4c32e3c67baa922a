"""Scale-out on Virtuoso Open Source: `sozialgraph push --method graphs` into a real Virtuoso
(Debian's virtuoso-opensource-7-bin, started from deploy/virtuoso/virtuoso.ini on free loopback
ports with a fresh database), then the app served over its /sparql (`serve --remote`) and
compared, answer for answer, with the app over the embedded store.

Where Virtuoso answers differently, the difference is named here (VIRTUOSO_DIFFERENCES), explained
in docs/scale-out.md, and asserted as that difference: the test fails if it goes away or if
anything else differs.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pyoxigraph as ox
import pytest
import requests
from remotecompare import (
    CATALOGUE,
    JSON_RESULTS,
    RDF_SUFFIXES,
    canonical,
    concatenations_unordered,
    dump_format,
    local_path,
    push,
    quads_per_graph,
    remote_count,
    rows,
    same_html_page,
    same_rdf,
    same_rows,
)
from storefixture import close_app, make_app
from virtuososerver import VIRTUOSO, virtuoso_server

from sozialgraph.rdf.namespaces import EVIDENCE, FUNDING, GRAPH, MEASURE
from sozialgraph.store.remote import MERGE_GRAPH
from sozialgraph.web.app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    VIRTUOSO is None and not os.environ.get("CI"),
    reason="virtuoso-t is not installed (make virtuoso-deps); CI installs it and runs this")]


# ---- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso") / "db") as server:
        yield server


@pytest.fixture(scope="module")
def pushed(virtuoso, built_store):
    result = push("--to", virtuoso.sparql, "--graph-store", virtuoso.graph_store,
                  "--method", "graphs", "--no-default-graph", "--user", virtuoso.user,
                  "--password", virtuoso.password, "--store", str(built_store))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def local_sizes(built_store):
    sizes = quads_per_graph(built_store)
    sizes[MERGE_GRAPH] = sizes.pop(None)
    return sizes


@pytest.fixture(scope="module")
def local(built_store):
    app = make_app(built_store, QUERY_TIMEOUT=0)
    yield app.test_client()
    close_app(app)


@pytest.fixture(scope="module")
def remote(pushed, virtuoso):
    return create_app({"TESTING": True, "REMOTE_ENDPOINT": virtuoso.sparql,
                       "QUERY_TIMEOUT": 20}).test_client()


# ---- push ---------------------------------------------------------------------------------------

def test_push_by_graphs_copies_every_graph(pushed, virtuoso, local_sizes):
    assert GRAPH_INFERRED_IRI in local_sizes and len(local_sizes) >= 9
    for graph, size in local_sizes.items():  # counted again here, independently of push
        assert remote_count(virtuoso.sparql, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == size, graph
        assert f"{graph} " in pushed.stdout
    assert "DIFFERS" in pushed.stdout.splitlines()[-2]  # only the blank-node links, below
    assert sum("DIFFERS" in line for line in pushed.stdout.splitlines()) == 1
    assert "(method graphs)" in pushed.stdout


def test_blank_nodes_shared_between_graphs_come_apart(pushed):
    """One PUT per graph: Virtuoso gives each request's blank nodes fresh identities (as
    Oxigraph does), and it takes no N-Quads on its Graph Store endpoint (--method dataset)."""
    assert "warning: blank nodes shared between graphs" in pushed.stderr
    local_links, remote_links = links_in(pushed)
    assert local_links > 100 and remote_links == 0


GRAPH_INFERRED_IRI = str(GRAPH["inferred"])


def links_in(pushed) -> tuple[int, int]:
    """push's count of blank nodes linking graphs: (in the build, on the store)."""
    line = next(line for line in pushed.stdout.splitlines() if line.startswith("blank nodes"))
    local_links, remote_links = line.split()[-3:-1]
    return int(local_links), int(remote_links)


def graph_canonical(dataset: ox.Dataset, graph) -> set:
    """One graph's triples, canonicalised."""
    one = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                     for q in dataset.quads_for_graph_name(graph))
    one.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(one)


# ---- the same answers through Virtuoso ----------------------------------------------------------

# Curated queries Virtuoso 7.2.5 (07.20.3229) answers differently, by (slug, inference), each
# with what was seen (docs/scale-out.md, "Virtuoso: differences found"). These run as strict
# xfails: the comparison stays exact (but for the order of GROUP_CONCAT's parts, which SPARQL
# leaves to the engine), and the test fails when Virtuoso starts to agree, so that this list is
# kept true. Not investigated to the end in the session that found them.
WRONG_ROWS = "Virtuoso returns other rows than the SPARQL 1.1 answer (Oxigraph's)"
VIRTUOSO_DIFFERS = {
    ("funding-per-year", "false"): WRONG_ROWS + ": every row three times (21 for 7)",
    ("funding-per-year", "true"): WRONG_ROWS + ": every row three times (21 for 7)",
    ("measures-for-refugees", "false"): WRONG_ROWS + ": 1 row for 9",
    ("measures-for-refugees", "true"): WRONG_ROWS + ": 1 row for 9",
    ("who-funds-what", "false"): "the same rows; rows tied on every ORDER BY key come in "
                                 "another order",
    ("who-funds-what", "true"): "the same rows; rows tied on every ORDER BY key come in "
                                "another order",
    ("kassel-pledges-by-policy-area", "false"): "GROUP_CONCAT: Virtuoso drops the common "
                                                "language tag",
    ("kassel-pledges-by-policy-area", "true"): WRONG_ROWS + ": 1 row for 28",
    ("land-and-kassel-side-by-side", "false"): WRONG_ROWS + ": the counts of a sub-select "
                                               "with GROUP BY differ",
    ("land-and-kassel-side-by-side", "true"): WRONG_ROWS + ": the counts of a sub-select "
                                              "with GROUP BY differ",
    ("measures-without-funding", "true"): WRONG_ROWS + " (MINUS with a * path): 255 for 250",
    ("actors-with-identifiers", "true"): WRONG_ROWS + ": rows repeated (34 for 12)",
    ("measures-by-status-and-level", "true"): WRONG_ROWS + ": no row for 4",
    ("sources-overview", "false"): WRONG_ROWS + ": counts of sub-selects are 0",
    ("sources-overview", "true"): WRONG_ROWS + ": counts of sub-selects are 0",
    ("actor-network", "false"): WRONG_ROWS + ": 1 row for 18 (VALUES over the predicate)",
    ("actor-network", "true"): WRONG_ROWS + ": 1 row for 221 (VALUES over the predicate)",
    ("measures-by-year", "false"): "GROUP_CONCAT: Virtuoso drops the common language tag",
    ("measures-by-year", "true"): "GROUP_CONCAT: Virtuoso drops the common language tag",
    ("where-documents-disagree", "false"): "GROUP_CONCAT: Virtuoso drops the common language "
                                           "tag",
    ("where-documents-disagree", "true"): "GROUP_CONCAT: Virtuoso drops the common language "
                                          "tag",
    ("partners-of-agreements", "false"): "GROUP_CONCAT: Virtuoso drops the common language tag",
    ("partners-of-agreements", "true"): "GROUP_CONCAT: Virtuoso drops the common language tag",
}


def curated_cases():
    for query in CATALOGUE:
        for inference in ("false", "true"):
            reason = VIRTUOSO_DIFFERS.get((query.slug, inference))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(query, inference, marks=marks, id=f"{query.slug}-{inference}")


@pytest.mark.parametrize("query,inference", list(curated_cases()))
def test_curated_query_answers_the_same(local, remote, query, inference):
    form = {"query": query.text, "inference": inference}
    a = local.post("/sparql", data=form, headers={"Accept": JSON_RESULTS})
    b = remote.post("/sparql", data=form, headers={"Accept": JSON_RESULTS})
    assert a.status_code == b.status_code == 200, b.get_data(as_text=True)
    expected = concatenations_unordered(rows(a.data), query.text)
    got = concatenations_unordered(rows(b.data), query.text)
    assert expected, "the curated query should find something"
    assert same_rows(expected, got, "ORDER BY" in query.text.upper())


def test_every_named_difference_is_a_curated_query():
    slugs = {q.slug for q in CATALOGUE}
    assert {slug for slug, _ in VIRTUOSO_DIFFERS} <= slugs
    agreeing = {(q.slug, i) for q in CATALOGUE for i in ("false", "true")} - set(VIRTUOSO_DIFFERS)
    assert agreeing, "at least some curated queries answer the same through Virtuoso"


@pytest.mark.parametrize("fmt", ["csv", "xml", "tsv"])
def test_other_result_formats_are_the_same_bytes(local, remote, fmt):
    query = next(q for q in CATALOGUE if (q.slug, "false") not in VIRTUOSO_DIFFERS).text
    a = local.post("/sparql", data={"query": query, "format": fmt})
    b = remote.post("/sparql", data={"query": query, "format": fmt})
    assert (a.status_code, a.content_type, a.data) == (b.status_code, b.content_type, b.data)


@pytest.mark.parametrize("query", ["ASK { ?s a <https://w3id.org/sozialgraph/ontology#Measure> }",
                                   "ASK { ?s a <urn:x-nothing:Class> }"])
def test_ask_answers_the_same(local, remote, query):
    a = local.post("/sparql", data={"query": query}, headers={"Accept": JSON_RESULTS})
    b = remote.post("/sparql", data={"query": query}, headers={"Accept": JSON_RESULTS})
    assert a.status_code == b.status_code == 200, b.get_data(as_text=True)
    assert a.get_json() == b.get_json()


@pytest.mark.parametrize("iri", [MEASURE["kita-ausbau"], FUNDING["kita-ausbau-169-mio"],
                                 EVIDENCE["hmsi-bilanz/kita-ausbau-169-mio"],
                                 GRAPH["hmsi-bilanz"]])
def test_linked_data_is_the_same(local, remote, iri):
    path = local_path(iri)
    for suffix, fmt in RDF_SUFFIXES:
        a, b = local.get(path + suffix), remote.get(path + suffix)
        assert a.status_code == b.status_code == 200, b.get_data(as_text=True)
        assert a.content_type == b.content_type
        assert same_rdf(a.data, b.data, fmt)
    a, b = local.get(path), remote.get(path)
    assert a.status_code == b.status_code == 200
    assert same_html_page(a.get_data(as_text=True), b.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/", "/sparql?format=ttl", "/ui", "/shapes"])
def test_pages_and_descriptions_are_the_same_bytes(local, remote, path):
    a, b = local.get(path), remote.get(path)
    assert (a.status_code, a.content_type) == (b.status_code, b.content_type)
    assert a.data == b.data


def test_ontology_page_lists_the_same_terms_in_the_stores_order(local, remote):
    """Named difference: the page lists a class's superclasses, a property's sub-properties
    and the like in the order the store answers (the app does not sort them), and Virtuoso's
    order differs from Oxigraph's. The same lines, each with the same items."""
    a, b = local.get("/ontology"), remote.get("/ontology")
    assert a.status_code == b.status_code == 200

    def items(page: bytes) -> Counter:
        lines = (line.strip().removeprefix("<dd>").removesuffix("</dd>")
                 for line in page.decode().splitlines())
        return Counter(tuple(sorted(line.split(", "))) for line in lines)

    assert a.data != b.data and items(a.data) == items(b.data)


def test_void_statistics_count_the_split_blank_nodes(local, remote, pushed):
    """Named difference: VoID's distinct subjects and objects count blank nodes once per
    identity; --method graphs gives each graph's copy of a shared blank node an identity of its
    own, so the counts grow (by at most the blank nodes that linked graphs). Everything else on
    the page is the same."""
    a, b = (client.get("/.well-known/void").get_data(as_text=True) for client in (local, remote))
    numbers = re.compile(r"void:distinct(Subjects|Objects) (\d+)")
    ours, theirs = dict(numbers.findall(a)), dict(numbers.findall(b))
    grown = {key: int(theirs[key]) - int(ours[key]) for key in ours}
    assert set(grown) == {"Subjects", "Objects"} and any(grown.values())
    assert all(0 <= n <= links_in(pushed)[0] for n in grown.values())
    assert numbers.sub("", a) == numbers.sub("", b)


@pytest.mark.parametrize("path", ["/downloads/hmsi-bilanz.ttl", "/downloads/inferred.ttl",
                                  "/ontology.ttl"])
def test_dumps_are_the_same_data(local, remote, path):
    a, b = local.get(path), remote.get(path)
    assert a.status_code == b.status_code == 200 and a.content_type == b.content_type
    fmt = dump_format(path)
    assert canonical(a.data, fmt) == canonical(b.data, fmt)


@pytest.mark.parametrize("path, same", [("/downloads/sozialgraph.nq", False),
                                        ("/downloads/sozialgraph-asserted.trig", True)])
def test_dataset_dumps_are_the_same_graph_by_graph(local, remote, path, same):
    """One named difference: a blank node the build shares between graphs (the inferred graph
    speaks of the amounts' blank nodes of the document graphs) is a different blank node in each
    graph on Virtuoso (--method graphs), so the whole dataset with inference is not the same;
    the asserted graphs share none and are the same dataset. Graph by graph, both hold the same
    triples. (Virtuoso keeps an xsd:duration as a number of months, "P2Y" coming back as
    "24"^^xsd:duration; since issue 9 a run time is sg:durationMonths, an integer, and the
    graphs hold no xsd:duration.)"""
    a, b = local.get(path), remote.get(path)
    assert a.status_code == b.status_code == 200 and a.content_type == b.content_type
    fmt = dump_format(path)
    assert (canonical(a.data, fmt) == canonical(b.data, fmt)) is same
    ours, theirs = ox.Dataset(ox.parse(a.data, format=fmt)), ox.Dataset(ox.parse(b.data,
                                                                                  format=fmt))
    graphs = {q.graph_name for q in ours}
    assert graphs == {q.graph_name for q in theirs}
    for graph in graphs:
        assert graph_canonical(ours, graph) == graph_canonical(theirs, graph), graph


def test_validate_works_over_virtuoso(local, remote, built_store):
    data = ("@prefix sg: <https://w3id.org/sozialgraph/ontology#> .\n"
            "<https://w3id.org/sozialgraph/id/measure/x> a sg:Measure .\n")
    a = local.post("/validate", data=data, content_type="text/turtle")
    b = remote.post("/validate", data=data, content_type="text/turtle")
    assert a.status_code == b.status_code == 200 and a.content_type == b.content_type
    assert same_rdf(a.data, b.data, "turtle")


def test_health_reports_virtuoso(local, remote, virtuoso):
    a, b = local.get("/health").get_json(), remote.get("/health").get_json()
    assert b["status"] == "ok" and b["store"] == virtuoso.sparql
    assert (a["graphs"], a["inferred_graph"]) == (b["graphs"], True)


def test_anonymous_endpoint_refuses_updates(virtuoso):
    """The app's account (the anonymous SPARQL user) only reads: what the docs recommend."""
    answer = requests.post(virtuoso.sparql, timeout=30, data={
        "query": "INSERT DATA { GRAPH <urn:x-test:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }"})
    assert answer.status_code != 200 and "permission" in answer.text.lower()
