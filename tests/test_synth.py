"""The synthetic benchmark data: deterministic, the requested size, quotes at their offsets,
every curated query answered, and (when the shapes exist) conforming to the shapes.

All on 10^4 triples, generated once per module.
"""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from projectdata import sha256_of

from sozialgraph.corpus import read_text
from sozialgraph.settings import ONTOLOGY_DIR, SHAPES_DIR
from sozialgraph.sparql.catalogue import load_catalogue
from sozialgraph.store.embedded import GRAPH_ONTOLOGY, add_union_copy, query
from sozialgraph_synth import documents as synth_documents
from sozialgraph_synth import proportions, synth

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TRIPLES = 10_000
SEED = 7

OA_AND_SG = """
PREFIX sg: <https://w3id.org/sozialgraph/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "out"
    synth.generate(TRIPLES, SEED, folder)
    return folder


@pytest.fixture(scope="module")
def store(out) -> ox.Store:
    store = ox.Store()
    synth.load_into_store(out, store)  # synthetic graphs, the ontology, their merge
    return store


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(store: ox.Store, sparql: str) -> list:
    return list(query(store, OA_AND_SG + sparql))


# ---- determinism --------------------------------------------------------------------------------

def test_same_seed_gives_the_same_bytes_in_another_process(out, tmp_path):
    # another interpreter with another hash seed: nothing may depend on set or hash order
    again = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-m", "sozialgraph.cli", "synth", "--triples", str(TRIPLES),
                    "--seed", str(SEED), "--out", str(again)],
                   cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    assert _files(again) == _files(out)


def test_another_seed_gives_other_data(out, tmp_path):
    synth.generate(TRIPLES, SEED + 1, tmp_path / "other")
    assert (tmp_path / "other" / synth.DATA_FILE).read_bytes() != (out / synth.DATA_FILE
                                                                    ).read_bytes()


def test_output_folder_is_replaced_but_foreign_folders_are_refused(tmp_path):
    folder = tmp_path / "data"
    synth.generate(6_000, 1, folder)
    first = _files(folder)
    synth.generate(6_000, 1, folder)  # an earlier output is replaced, to the same bytes
    assert _files(folder) == first
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        synth.generate(6_000, 1, foreign)
    assert (foreign / "notes.txt").read_text() == "mine"


def test_the_command_refuses_bad_input_and_changes_nothing(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    for args, says in ((["--triples", "1.5", "--out", str(tmp_path / "a")], "whole number"),
                       (["--triples", "100", "--out", str(tmp_path / "b")], "at least"),
                       (["--triples", "6000", "--out", str(foreign)], "not empty")):
        done = subprocess.run([sys.executable, "-m", "sozialgraph.cli", "synth", *args],
                              capture_output=True, text=True, check=False)
        assert done.returncode != 0 and says in done.stderr, (args, done.stderr)
    assert [p.name for p in tmp_path.iterdir()] == ["foreign"]
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]


# ---- size ---------------------------------------------------------------------------------------

def test_triple_count_within_tolerance_and_as_the_manifest_says(out, store):
    manifest = synth.read_manifest(out)
    per_graph: dict[str, int] = {}
    for quad in ox.parse(path=str(out / manifest["file"]), format=ox.RdfFormat.N_QUADS):
        per_graph[quad.graph_name.value] = per_graph.get(quad.graph_name.value, 0) + 1
    total = sum(per_graph.values())
    assert abs(total - TRIPLES) <= synth.TOLERANCE * TRIPLES
    assert total == manifest["triples"]
    assert per_graph == {g["graph"]: g["triples"] for g in manifest["graphs"]}
    # no quad is written twice: the store holds exactly what the file lists
    synthetic = [ox.NamedNode(g) for g in per_graph]
    assert sum(1 for g in synthetic for _ in store.quads_for_pattern(None, None, None, g)) == total
    # one graph per document, plus vocabularies, actors and sources
    assert len(per_graph) == len(manifest["corpus"]) + 3


def test_store_layout_is_the_one_the_build_writes(out, store):
    # named graphs plus their merge in the default graph, as store.add_union_copy makes it
    reference = ox.Store()
    reference.bulk_load(path=str(out / synth.DATA_FILE), format=ox.RdfFormat.N_QUADS)
    reference.bulk_load(path=str(ONTOLOGY_DIR / "sozialgraph.ttl"), format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    add_union_copy(reference)
    default = ox.DefaultGraph()
    assert len(store) == len(reference)
    assert sum(1 for _ in store.quads_for_pattern(None, None, None, default)) == sum(
        1 for _ in reference.quads_for_pattern(None, None, None, default))
    # a blank node is the same node in its graph and in the merge
    assert _rows(store, """SELECT ?a WHERE { GRAPH ?g { ?f sg:amount ?a } ?a sg:qualifier ?q }
                           LIMIT 1""")


def test_larger_request_stays_within_tolerance(tmp_path):
    report = synth.generate(60_000, 3, tmp_path / "larger")
    assert abs(report.triples - 60_000) <= synth.TOLERANCE * 60_000
    assert report.documents == synth.plan(60_000)["documents"]


def test_too_small_a_request_is_refused(tmp_path):
    with pytest.raises(ValueError):
        synth.generate(100, 1, tmp_path / "tiny")


# ---- provenance ---------------------------------------------------------------------------------

def test_every_quote_is_at_its_offsets_in_the_generated_text(out, store):
    rows = _rows(store, """
        SELECT ?file ?exact ?prefix ?suffix ?start ?end WHERE {
            ?ev a sg:Evidence ; oa:hasSource/sg:corpusFile ?file ;
                oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ;
                                 oa:prefix ?prefix ; oa:suffix ?suffix ] ,
                               [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
        }""")
    assert len(rows) == synth.read_manifest(out)["counts"]["evidence"]["nodes"]
    texts: dict[str, str] = {}
    for row in rows:
        file = row["file"].value
        text = texts.setdefault(file, read_text(out / "corpus" / file))
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["exact"].value, (file, start)
        assert text[max(0, start - 32):start] == row["prefix"].value
        assert text[end:end + 32] == row["suffix"].value
    assert len(texts) == len(synth.read_manifest(out)["corpus"])


def test_sources_describe_the_generated_texts(out, store):
    rows = _rows(store, """
        SELECT ?file ?sha ?count WHERE {
            ?s a sg:SourceDocument ; sg:corpusFile ?file ; sg:sha256 ?sha ;
               sg:characterCount ?count . }""")
    assert len(rows) == len(synth.read_manifest(out)["corpus"])
    for row in rows:
        text = read_text(out / "corpus" / row["file"].value)
        assert sha256_of(text) == row["sha"].value
        assert len(text) == int(row["count"].value)


def test_every_measure_funding_and_quantity_has_evidence(store):
    rows = _rows(store, """
        SELECT ?fact WHERE {
            ?fact a ?class . ?class rdfs:subClassOf* ?kind .
            VALUES ?kind { sg:Measure sg:Funding sg:Quantity }
            FILTER NOT EXISTS { ?fact sg:evidence ?e }
        }""")
    assert rows == []


# ---- shape of the data --------------------------------------------------------------------------

def test_every_enumeration_value_occurs(out, store):
    counts = synth.read_manifest(out)["counts"]
    assert set(counts["measures"]) == {c[0] for c in synth_documents.MEASURE_CLASSES}
    assert set(counts["quantities"]) == {u[0] for u in synth_documents.UNITS}
    used = {row["v"].value.rsplit("#", 1)[1] for row in _rows(store, """
        SELECT DISTINCT ?v WHERE {
            { ?x sg:status ?v } UNION { ?x sg:qualifier ?v } UNION { ?x sg:periodType ?v }
            UNION { ?x sg:periodicity ?v } UNION { ?x sg:level ?v } UNION { ?x sg:documentKind ?v }
        }""")}
    # a double budget's amounts are for a year of it (sg:InYear), the budget named apart
    period_types = {p for p, _ in synth_documents.PERIOD_TYPES if p} - {"DoubleBudget"}
    expected = {"Done", "Ongoing", "Planned", "Pledged", "PerYear", "Total",
                "PeriodicityNotStated", "StateLevel", "MunicipalLevel"} | {
        q[0] for q in synth_documents.QUALIFIERS} | period_types | set(
        synth_documents.DOCUMENT_KINDS)
    assert expected <= used


def test_periods_are_consistent(store):
    rows = _rows(store, """
        SELECT ?f ?type ?start ?end WHERE {
            ?f sg:periodType ?type .
            OPTIONAL { ?f sg:periodStart ?start } OPTIONAL { ?f sg:periodEnd ?end } }""")
    assert rows
    for row in rows:
        kind = row["type"].value.rsplit("#", 1)[1]
        start = int(row["start"].value) if row["start"] else None
        end = int(row["end"].value) if row["end"] else None
        assert {"InYear": start == end is not None, "YearRange": start and end and start < end,
                "SinceYear": start and end is None,
                "UntilYear": end and start is None}[kind], row


def test_synthetic_concepts_extend_the_real_schemes(store):
    refugees = _rows(store, """
        PREFIX sgt: <https://w3id.org/sozialgraph/id/target-group/>
        SELECT ?c WHERE {
            ?c skos:broader+ sgt:gefluechtete ;
               skos:inScheme <https://w3id.org/sozialgraph/id/scheme/target-groups> .
            FILTER STRSTARTS(STR(?c), STR(sgt:synth-)) }""")
    assert refugees
    deep = _rows(store, """
        SELECT ?c WHERE { ?c skos:broader/skos:broader/skos:broader ?top .
                          FILTER STRSTARTS(STR(?c), "https://w3id.org/sozialgraph/id/") }""")
    assert deep


def test_the_module_examples_hold():
    for module in (synth, proportions):  # plan(), money_text()
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module


# ---- the curated queries ------------------------------------------------------------------------

@pytest.mark.parametrize("curated", load_catalogue(), ids=lambda q: q.slug)
def test_curated_query_answers_on_synthetic_data(store, curated):
    result = query(store, curated.text)
    if curated.kind == "ask":
        assert bool(result)
    else:
        assert next(iter(result), None) is not None, f"{curated.slug} has no answer"


# ---- the shapes ---------------------------------------------------------------------------------

SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))


@pytest.mark.skipif(not SHAPE_FILES, reason="no shapes in shapes/ yet")
def test_synthetic_data_conforms_to_the_shapes(out):
    import pyshacl
    from rdflib import Graph

    shapes = Graph()
    for path in SHAPE_FILES:
        shapes.parse(path, format="turtle")
    ontology = Graph().parse(ONTOLOGY_DIR / "sozialgraph.ttl", format="turtle")
    # as the build validates: the ontology merged into the data, RDFS inference, SHACL-AF;
    # strict: not a warning nor an info either
    conforms, _, text = pyshacl.validate(synth.load_graph(out), shacl_graph=shapes,
                                         ont_graph=ontology, inference="rdfs", advanced=True,
                                         inplace=True)
    assert conforms, text[:5000]
