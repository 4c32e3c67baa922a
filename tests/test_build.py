"""The build pipeline on the tiny fixture: reading RDF, validation, inference, the store and its
atomic swap. Real stores on tmp_path, no mocks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from sozialgraph.inference.owl import infer
from sozialgraph.pipeline.build import BUILD_INFO, BuildError, ValidationFailed, build, builds_root
from sozialgraph.rdf.namespaces import ACTOR, GRAPH, MEASURE, SG
from sozialgraph.rdf.parse import RDFSyntaxError, read_graph, read_quads
from sozialgraph.store.embedded import GRAPH_INFERRED, GRAPH_ONTOLOGY, named_graphs, open_store
from sozialgraph.validation.engine import load_shapes, validate
from sozialgraph.validation.report import render_json, render_text, render_turtle
from sozialgraph_bench.faults import kill_build_at_each_stage

FORMATS = Path(__file__).parent / "fixtures" / "build" / "formats"
HMSI, LIGA = ACTOR["hmsi"], ACTOR["liga"]
PROGRAMME, CENTRES, KASSEL = MEASURE["wir-programm"], MEASURE["wir-vielfaltszentren"], \
    MEASURE["vielfaltszentrum-kassel"]


def run_build(project: Path, store: Path, lines: list[str] | None = None):
    return build(store, ontology_file=project / "ontology" / "sozialgraph.ttl",
                 graphs_dir=project / "graphs", shapes_dir=project / "shapes",
                 progress=(lines.append if lines is not None else lambda _: None))


def quads_of(store_dir: Path) -> set[str]:
    store = open_store(store_dir)
    quads = {str(q) for q in store}
    del store
    return quads


def inferred_graph(store_dir: Path) -> Graph:
    store = open_store(store_dir)
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH_INFERRED))
    del store
    return Graph().parse(data=data.decode(), format="nt")


# ---- reading RDF ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sample.ttl", "sample.nt", "sample.rdf", "sample.nq",
                                  "sample.trig", "sample.jsonld"])
def test_every_format_reads_the_same_two_triples(name):
    graph = read_graph(FORMATS / name)
    kassel = ACTOR["stadt-kassel"]
    assert set(graph) == {(kassel, RDF.type, SG.Organisation),
                          (kassel, RDFS.label, Literal("Stadt Kassel", lang="de"))}


@pytest.mark.parametrize("name", ["sample.nq", "sample.trig", "sample.jsonld"])
def test_quad_formats_keep_their_graphs(name):
    graphs = {q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "urn:x:rest"
              for q in read_quads(FORMATS / name)}
    named = {"https://example.org/graph/one"} | ({"urn:x:rest"} if name != "sample.jsonld"
                                                  else set())
    assert graphs == named


def test_syntax_error_names_file_and_line(build_sources):
    with pytest.raises(RDFSyntaxError) as caught:
        read_graph(build_sources / "extra" / "syntax-error.ttl")
    assert caught.value.line == 6
    assert str(caught.value).startswith(f"{build_sources / 'extra' / 'syntax-error.ttl'}:6: ")


def test_n_triples_error_line():
    with pytest.raises(RDFSyntaxError) as caught:
        read_graph(FORMATS / "bad.nt")
    assert caught.value.line == 3


def test_rdfxml_entities_are_refused():
    with pytest.raises(RDFSyntaxError, match="refused for safety"):
        read_graph(FORMATS / "entities.rdf")


def test_jsonld_remote_context_is_refused_not_fetched():
    with pytest.raises(RDFSyntaxError, match="remote JSON-LD context") as caught:
        read_graph(FORMATS / "remote-context.jsonld")
    assert caught.value.line == 2


def test_unknown_extension(tmp_path):
    (tmp_path / "data.txt").write_text("x")
    with pytest.raises(RDFSyntaxError, match="unknown RDF file extension"):
        read_graph(tmp_path / "data.txt")


# ---- validation -----------------------------------------------------------------------------

def fixture_validation(project: Path, *extra: str):
    data = Graph()
    for path in sorted((project / "graphs").glob("*.ttl")) + [project / "extra" / e
                                                              for e in extra]:
        data += read_graph(path)
    return validate(data, load_shapes([project / "shapes" / "shapes.ttl"]),
                    read_graph(project / "ontology" / "sozialgraph.ttl"), allow_warnings=True)


def test_warnings_do_not_break_conformance(build_sources):
    result = fixture_validation(build_sources)
    assert result.conforms
    assert result.count(SH.Warning) == 2 and result.count(SH.Violation) == 0
    assert render_text(result.report).startswith("Conforms: yes (0 violations, 2 warnings")


def test_violations_through_subclass_and_range(build_sources):
    result = fixture_validation(build_sources, "violation.ttl")
    assert not result.conforms
    violations = [r for r in result.results if r["severity"] == SH.Violation]
    # sg:Programme is a sg:Measure only through rdfs:subClassOf; the amount is a
    # sg:MonetaryAmount only through the range of sg:amount
    assert {str(r["message"]) for r in violations} == {"A measure needs evidence.",
                                                       "The amount must be positive."}
    text = result.text()
    assert "focus node: sgm:ohne-beleg" in text
    assert "(the sg:amount of sgf:negativ)" in text
    assert "shape:      sgsh:MeasureShape (property shape on sg:evidence)" in text


def test_report_renderings(build_sources):
    report = fixture_validation(build_sources, "violation.ttl").report
    as_json = json.loads(render_json(report))
    assert as_json["conforms"] is False
    first = as_json["results"][0]
    assert first["severity"] == "Violation"
    assert set(first) >= {"focusNode", "path", "value", "message", "constraintComponent",
                          "sourceShape"}
    assert as_json["results"][-1]["severity"] == "Warning"
    reread = Graph().parse(data=render_turtle(report), format="turtle")
    assert (None, SH.conforms, Literal(False)) in reread
    assert len(list(reread.subjects(RDF.type, SH.ValidationResult))) == 4


# ---- inference ------------------------------------------------------------------------------

def test_inference_keeps_meaning_and_drops_noise(build_sources):
    ontology = read_graph(build_sources / "ontology" / "sozialgraph.ttl")
    data = [read_graph(p) for p in (build_sources / "graphs").glob("*.ttl")]
    result = infer(ontology, data)
    kept = result.triples
    assert (HMSI, SG.responsibleFor, PROGRAMME) in kept  # owl:inverseOf
    assert (PROGRAMME, SG.involvedActor, HMSI) in kept  # rdfs:subPropertyOf
    assert (HMSI, SG.involvedIn, PROGRAMME) in kept  # inverse of the super-property
    assert (KASSEL, SG.partOf, PROGRAMME) in kept  # owl:TransitiveProperty
    assert (LIGA, SG.partnerOf, HMSI) in kept  # owl:SymmetricProperty
    assert (HMSI, RDF.type, SG.Actor) in kept  # rdfs:subClassOf
    assert (PROGRAMME, RDF.type, SG.Measure) in kept
    assert (SG.Ministry, RDFS.subClassOf, SG.Actor) in kept  # class hierarchy closure
    for s, p, o in kept:
        assert not (p == OWL.sameAs and s == o)
        assert not isinstance(s, Literal)
        assert o not in (OWL.Thing, RDFS.Resource)
        assert not str(s).startswith(("http://www.w3.org/2002/07/owl#",
                                      "http://www.w3.org/2001/XMLSchema#"))
        assert not (p in (RDFS.subClassOf, RDFS.subPropertyOf) and s == o)
    assert not result.inconsistencies
    assert result.engine == "rules"  # the project's ontology needs only the fast rules
    # owlrl's raw closure is mostly noise; the rules derive none (tests/test_inference_equivalence)
    assert infer(ontology, data, engine="owlrl").dropped > len(kept)


# ---- build ----------------------------------------------------------------------------------

def test_build_writes_graphs_inference_info_and_link(build_sources, tmp_path):
    store_dir = tmp_path / "store"
    lines: list[str] = []
    report = run_build(build_sources, store_dir, lines)

    assert store_dir.is_symlink()
    assert report.build_dir.parent == builds_root(store_dir)
    assert store_dir.resolve() == report.build_dir.resolve()
    assert not os.path.isabs(os.readlink(store_dir))  # the link survives moving the checkout
    assert any(line.startswith("validate") for line in lines)

    store = open_store(store_dir)
    expected = {GRAPH_ONTOLOGY, GRAPH_INFERRED} | {str(GRAPH[s]) for s in
                                                   ("actors", "sources", "demo-bilanz")}
    assert set(named_graphs(store)) == expected
    del store
    inferred = inferred_graph(store_dir)
    assert (HMSI, SG.responsibleFor, PROGRAMME) in inferred
    assert not any(s == o for s, _, o in inferred.triples((None, OWL.sameAs, None)))
    assert len(inferred) == report.inferred == report.graph_counts[GRAPH_INFERRED]

    info = json.loads((store_dir / BUILD_INFO).read_text())
    assert info["graphs"] == report.graph_counts
    assert info["inferred_triples"] == report.inferred
    assert set(info["timings_seconds"]) >= {"parse", "validate", "infer"}
    assert info["validation"]["conforms"] is True and info["validation"]["warnings"] == 2
    assert "sgg:demo-bilanz" in report.summary()


def test_blank_nodes_are_shared_between_data_and_inferred_graphs(fixture_store):
    store = open_store(fixture_store)
    rows = list(store.query(
        f"SELECT ?funding WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?amount a <{SG.MonetaryAmount}> }} "
        f"GRAPH <{GRAPH['demo-bilanz']}> {{ ?funding <{SG.amount}> ?amount }} }}"))
    assert len(rows) == 1


def test_default_graph_holds_the_merge_of_asserted_graphs(fixture_store):
    store = open_store(fixture_store)
    default = {(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    asserted = {(q.subject, q.predicate, q.object) for q in store
                if q.graph_name not in (ox.DefaultGraph(), ox.NamedNode(GRAPH_INFERRED))}
    assert default == asserted


def test_rebuild_swaps_the_link_and_keeps_one_previous_build(build_sources, tmp_path):
    store_dir = tmp_path / "store"
    first = run_build(build_sources, store_dir).build_dir
    second = run_build(build_sources, store_dir).build_dir
    third = run_build(build_sources, store_dir).build_dir
    assert store_dir.resolve() == third.resolve()
    builds = {p.name for p in builds_root(store_dir).iterdir() if not p.name.startswith(".")}
    assert builds == {second.name, third.name}
    assert not first.exists()
    assert len(quads_of(second)) == len(quads_of(store_dir))  # the previous one still opens


def test_violation_stops_the_build_and_keeps_the_store(build_sources, tmp_path):
    store_dir = tmp_path / "store"
    run_build(build_sources, store_dir)
    target, before = os.readlink(store_dir), quads_of(store_dir)
    shutil.copy(build_sources / "extra" / "violation.ttl", build_sources / "graphs")
    with pytest.raises(ValidationFailed) as caught:
        run_build(build_sources, store_dir)
    assert caught.value.result.count(SH.Violation) == 2
    assert os.readlink(store_dir) == target and quads_of(store_dir) == before
    assert len([p for p in builds_root(store_dir).iterdir() if p.name[0].isdigit()]) == 1


def test_owl_beyond_the_rules_stops_the_build_and_names_it(build_sources, tmp_path):
    """One inference path: OWL the build's rules do not materialise is an error that names the
    construct, not a silent switch to another engine; the served store stays."""
    store_dir = tmp_path / "store"
    run_build(build_sources, store_dir)
    target, before = os.readlink(store_dir), quads_of(store_dir)
    (build_sources / "graphs" / "disjoint.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<http://example.org/A> owl:disjointWith <http://example.org/B> .\n", encoding="utf-8")
    with pytest.raises(BuildError, match="owl#disjointWith.*sozialgraph.inference.rules"):
        run_build(build_sources, store_dir)
    assert os.readlink(store_dir) == target and quads_of(store_dir) == before


def test_syntax_error_stops_the_build_before_writing(build_sources, tmp_path):
    store_dir = tmp_path / "store"
    shutil.copy(build_sources / "extra" / "syntax-error.ttl", build_sources / "graphs")
    with pytest.raises(RDFSyntaxError, match=r"syntax-error\.ttl:6: "):
        run_build(build_sources, store_dir)
    assert not store_dir.exists() and not builds_root(store_dir).exists()


def test_a_plain_directory_is_never_replaced(build_sources, tmp_path):
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    (store_dir / "precious.txt").write_text("user data")
    with pytest.raises(BuildError, match="not a link to a build"):
        run_build(build_sources, store_dir)
    assert (store_dir / "precious.txt").read_text() == "user data"


def test_reserved_graph_names_are_refused(build_sources, tmp_path):
    shutil.copy(build_sources / "graphs" / "actors.ttl", build_sources / "graphs" / "inferred.ttl")
    with pytest.raises(BuildError, match="reserved"):
        run_build(build_sources, tmp_path / "store")


def test_literal_and_blank_terms_survive_the_store(fixture_store):
    store = open_store(fixture_store)
    graph = Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES,
                                          from_graph=ox.NamedNode(str(GRAPH["demo-bilanz"])))
                          .decode(), format="nt")
    amount = next(graph.objects(None, SG.amount))
    assert isinstance(amount, BNode)
    (value,) = graph.objects(amount, URIRef("http://schema.org/value"))
    # Oxigraph keeps the value, not the lexical form: "15000000.0" is stored as 15000000
    assert value.datatype == XSD.decimal and value.value == Decimal(15000000)


# ---- what a killed build leaves behind (issue 10) ------------------------------------------------

def test_the_next_build_removes_what_a_killed_build_left(build_sources, tmp_path):
    store_dir = tmp_path / "store"
    run_build(build_sources, store_dir)
    root = builds_root(store_dir)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that no longer runs
    left = [root / ".20260101T000000000000Z.partial.nq",
            root / f".validation-{dead.pid}-1.nt", root / f".validation-{dead.pid}-1.report.nt"]
    running = root / f".validation-{os.getpid()}-2.nt"  # a build of this process, still running
    for path in (*left, running):
        path.write_text("x", encoding="utf-8")
    run_build(build_sources, store_dir)
    assert not any(path.exists() for path in left)
    assert running.exists()


@pytest.mark.slow
def test_a_killed_build_leaves_no_validation_running(tmp_path, build_sources):
    """The validation worker dies with the build that started it, however the build ends: here
    the build is killed while its worker still reads 10^6 triples (seconds of work), and the
    worker is gone at once, not when it would have finished."""
    script = ("import sys, time; from pathlib import Path; "
              "from sozialgraph.pipeline.validate import Validation; "
              "data = {(f'<urn:s{i}>', '<urn:p>', f'<urn:o{i}>') for i in range(1_000_000)}; "
              "Validation(Path(sys.argv[1]), data, [Path(sys.argv[2])], 'turbo'); "
              "print('started', flush=True); time.sleep(120)")
    build = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "work"),
                              str(build_sources / "shapes" / "shapes.ttl")],
                             stdout=subprocess.PIPE, text=True)
    assert build.stdout.readline().strip() == "started"
    workers = _children(build.pid, "sozialgraph.validation.worker")
    assert workers
    build.kill()
    build.wait()
    deadline = time.monotonic() + 1.0  # reading the triples alone takes several seconds
    while any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in workers):
        assert time.monotonic() < deadline, "the validation worker outlived the build"
        time.sleep(0.05)


def _children(parent: int, module: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if ppid == parent and module in cmdline:
                found.append(int(entry.name))
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


@pytest.mark.slow
def test_a_build_killed_at_each_stage_leaves_the_served_store_and_nothing_running(tmp_path):
    """The project's build, killed (SIGKILL) as it announces each stage, over a store that is
    being served: the store link and its data are unchanged, no process of the killed build
    runs a second later, and the next build removes every file it left. The same observations
    fill docs/reliability.md (`make loadtest`)."""
    store = tmp_path / "store"
    build(store)
    for outcome in kill_build_at_each_stage(store):
        assert outcome["reached"], outcome
        assert outcome["served_after"] == outcome["served_before"], outcome
        assert outcome["processes_left"] == 0, outcome
        assert outcome["files_after_next_build"] == [], outcome


def test_a_build_a_server_still_reads_is_not_removed(build_sources, tmp_path):
    """A server reads the build it opened until it restarts; builds after it keep that build
    (the last two are kept anyway), and once no process reads it, the next build removes it."""
    store_dir = tmp_path / "store"
    run_build(build_sources, store_dir)
    served = store_dir.resolve()
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys; from sozialgraph.store.handle import StoreHandle; "
         "handle = StoreHandle(sys.argv[1], False); handle.get(); print('open', flush=True); "
         "sys.stdin.read()", str(store_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        for _ in range(3):
            run_build(build_sources, store_dir)
        assert served.is_dir() and store_dir.resolve() != served
        assert len(list(builds_root(store_dir).glob("2*"))) == 3  # the last two and the read one
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    run_build(build_sources, store_dir)
    assert not served.exists()
    assert len(list(builds_root(store_dir).glob("2*"))) == 2
