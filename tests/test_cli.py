"""The `sozialgraph` command line, run with click's CliRunner on real stores in tmp_path (plus one
run of the installed script, and one of `serve` under gunicorn)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from storefixture import free_port

from sozialgraph import settings as config
from sozialgraph.cli.main import main
from sozialgraph.corpus import read_text
from sozialgraph.rdf.namespaces import OA, PREFIXES
from sozialgraph.store.embedded import open_store

SCRIPT = Path(sys.executable).parent / "sozialgraph"
QUERIES = Path(__file__).parent / "fixtures" / "build" / "queries"
FORMATS = Path(__file__).parent / "fixtures" / "build" / "formats"
needs_corpus = pytest.mark.skipif(not config.corpus_dir().is_dir(), reason="no corpus folder")


def build_args(project: Path, store: Path) -> list[str]:
    return ["build", "--store", str(store), "--ontology",
            str(project / "ontology" / "sozialgraph.ttl"), "--graphs", str(project / "graphs"),
            "--shapes", str(project / "shapes")]


def validate_args(project: Path, *files: str) -> list[str]:
    paths = [str(p) for p in sorted((project / "graphs").glob("*.ttl"))]
    return ["validate", *paths, *[str(project / "extra" / f) for f in files],
            "--shapes", str(project / "shapes" / "shapes.ttl"),
            "--ontology", str(project / "ontology" / "sozialgraph.ttl")]


# ---- build ----------------------------------------------------------------------------------

def test_build_prints_progress_and_summary(cli, build_sources, tmp_path):
    result = cli.invoke(main, build_args(build_sources, tmp_path / "store"))
    assert result.exit_code == 0, result.output
    assert "sgg:demo-bilanz" in result.stdout and "inferred" in result.stdout
    assert "validate ..." in result.stderr
    assert (tmp_path / "store").is_symlink()


@pytest.mark.parametrize("validator", ["turbo", "pyshacl"])
def test_build_with_violation_exits_1_and_keeps_the_store(cli, build_sources, tmp_path,
                                                          validator):
    store = tmp_path / "store"
    assert cli.invoke(main, build_args(build_sources, store)).exit_code == 0
    link = os.readlink(store)
    shutil.copy(build_sources / "extra" / "violation.ttl", build_sources / "graphs")
    result = cli.invoke(main, [*build_args(build_sources, store), "--validator", validator])
    assert result.exit_code == 1
    assert f"0 infos ({validator}: " in result.stderr
    assert "Conforms: no (2 violations, " in result.stderr
    assert "Violation: A measure needs evidence." in result.stderr
    assert "the store is unchanged" in result.stderr
    assert os.readlink(store) == link
    assert not [p for p in (tmp_path / "store.builds").iterdir()
                if p.name.endswith((".partial", ".nq"))]


def test_build_refuses_an_unknown_validator(cli, build_sources, tmp_path):
    result = cli.invoke(main, [*build_args(build_sources, tmp_path / "store"), "--validator",
                               "pyrudof"])
    assert result.exit_code == 2 and "'turbo'" in result.stderr
    assert not (tmp_path / "store").exists()


def test_build_with_syntax_error_exits_2_naming_file_and_line(cli, build_sources, tmp_path):
    shutil.copy(build_sources / "extra" / "syntax-error.ttl", build_sources / "graphs")
    result = cli.invoke(main, build_args(build_sources, tmp_path / "store"))
    assert result.exit_code == 2
    assert "syntax-error.ttl:6:" in result.stderr
    assert not (tmp_path / "store").exists()


def test_build_refuses_a_plain_directory(cli, build_sources, tmp_path):
    (tmp_path / "store").mkdir()
    result = cli.invoke(main, build_args(build_sources, tmp_path / "store"))
    assert result.exit_code == 2 and "not a link to a build" in result.stderr


# ---- validate -------------------------------------------------------------------------------

def test_validate_conforming_data_exits_0(cli, build_sources):
    """The build's policy, asked for by name: warnings are reported, the data conform."""
    result = cli.invoke(main, [*validate_args(build_sources), "--allow-warnings"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Conforms: yes (0 violations, 2 warnings")


def test_validate_follows_shacl_without_the_policy(cli, build_sources):
    """SHACL: any result, warnings included, means the data do not conform (exit 1)."""
    result = cli.invoke(main, validate_args(build_sources))
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("Conforms: no (0 violations, 2 warnings")


def test_validate_violations_exit_1_in_every_format(cli, build_sources):
    text = cli.invoke(main, validate_args(build_sources, "violation.ttl"))
    assert text.exit_code == 1 and "Violation: The amount must be positive." in text.stdout
    as_json = cli.invoke(main, [*validate_args(build_sources, "violation.ttl"), "--format", "json"])
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["conforms"] is False
    assert [r["severity"] for r in report["results"]] == ["Violation"] * 2 + ["Warning"] * 2
    turtle = cli.invoke(main, [*validate_args(build_sources, "violation.ttl"), "--format",
                               "turtle"])
    assert turtle.exit_code == 1
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    assert (None, SH.conforms, Literal(False)) in graph


def test_validate_unreadable_input_exits_2(cli, build_sources):
    result = cli.invoke(main, validate_args(build_sources, "syntax-error.ttl"))
    assert result.exit_code == 2 and "syntax-error.ttl:6:" in result.stderr
    missing = cli.invoke(main, ["validate", str(build_sources / "nope.ttl")])
    assert missing.exit_code == 2 and "nope.ttl" in missing.stderr


def test_validate_other_formats(cli, build_sources):
    result = cli.invoke(main, ["validate", str(FORMATS / "sample.jsonld"), str(FORMATS /
                               "sample.rdf"), "--shapes", str(build_sources / "shapes" /
                               "shapes.ttl"), "--ontology",
                               str(build_sources / "ontology" / "sozialgraph.ttl"),
                               "--allow-warnings"])
    assert result.exit_code == 0, result.output  # one actor without a comment: a warning


# ---- query ----------------------------------------------------------------------------------

MEASURES = "SELECT ?m ?label WHERE { ?m a sg:Measure ; rdfs:label ?label } ORDER BY ?m"


def query(cli, store, *args):
    return cli.invoke(main, ["query", *args, "--store", str(store), "--queries", str(QUERIES)])


def test_query_string_as_table(cli, fixture_store):
    plain = query(cli, fixture_store, MEASURES)
    assert plain.exit_code == 0, plain.output
    lines = plain.stdout.splitlines()
    assert lines[0].split(" | ")[0].strip() == "m"
    assert "sgm:wir-vielfaltszentren    | WIR-Vielfaltszentren@de" in plain.stdout
    assert lines[-1] == "(2 rows)"  # sg:Programme is a sg:Measure only by inference
    inferred = query(cli, fixture_store, MEASURES, "--inferred")
    assert inferred.stdout.splitlines()[-1] == "(3 rows)"


def test_query_file_csv_and_curated_json(cli, fixture_store, tmp_path):
    query_file = tmp_path / "measures.rq"
    query_file.write_text(MEASURES)
    as_csv = query(cli, fixture_store, str(query_file), "--format", "csv")
    assert as_csv.exit_code == 0
    rows = as_csv.stdout.splitlines()
    assert rows[0] == "m,label" and len(rows) == 3
    curated = query(cli, fixture_store, "fixture-measures", "--format", "json")
    assert curated.exit_code == 0, curated.output
    results = json.loads(curated.stdout)
    assert results["head"]["vars"] == ["measure", "label"]
    assert len(results["results"]["bindings"]) == 3
    by_stem = query(cli, fixture_store, "01-measures", "--format", "csv")
    assert by_stem.exit_code == 0 and len(by_stem.stdout.splitlines()) == 4


def test_query_ask_and_construct(cli, fixture_store):
    assert query(cli, fixture_store, "ASK { sgm:wir-programm a sg:Programme }").stdout == "true\n"
    constructed = query(cli, fixture_store,
                        "CONSTRUCT { ?a sg:partOf ?b } WHERE { ?a sg:partOf ?b }", "--inferred")
    graph = Graph().parse(data=constructed.stdout, format="turtle")
    assert len(graph) == 3  # two asserted, one by transitivity


def test_query_errors_exit_2(cli, fixture_store, tmp_path):
    bad = query(cli, fixture_store, "SELECT ?x WHERE { ?x ")
    assert bad.exit_code == 2 and "bad query" in bad.stderr
    unknown = query(cli, fixture_store, "no-such-query")
    assert unknown.exit_code == 2 and "no curated query named 'no-such-query'" in unknown.stderr
    no_store = query(cli, tmp_path / "missing", MEASURES)
    assert no_store.exit_code == 2 and "no store" in no_store.stderr


# ---- stats ----------------------------------------------------------------------------------

def test_stats(cli, fixture_store):
    result = cli.invoke(main, ["stats", "--store", str(fixture_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["things"] == {"measures": 3, "fundings": 1, "quantities": 0, "actors": 2,
                               "evidence": 1, "sources": 1}
    assert stats["inferred"] == stats["graphs"]["https://w3id.org/sozialgraph/graph/inferred"]
    text = cli.invoke(main, ["stats", "--store", str(fixture_store)]).stdout
    assert "sgg:demo-bilanz" in text and "measures" in text


# ---- anchor ---------------------------------------------------------------------------------

def parse_blocks(output: str) -> Graph:
    prologue = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    return Graph().parse(data=prologue + "@prefix ev: "
                         "<https://w3id.org/sozialgraph/id/evidence/x/> .\n" + output,
                         format="turtle")


def selectors(graph: Graph, evidence) -> dict:
    values = {}
    for selector in graph.objects(URIRef(evidence), OA.hasSelector):
        for p, o in graph.predicate_objects(selector):
            values[p.fragment] = o.toPython() if isinstance(o, Literal) else o
    return values


def check_block(graph: Graph, text: str, evidence_iri: str, quote: str):
    values = selectors(graph, evidence_iri)
    start, end = values["start"], values["end"]
    assert text[start:end] == quote == values["exact"]
    assert values["prefix"] == text[max(0, start - 32):start]
    assert values["suffix"] == text[end:end + 32]


@needs_corpus
def test_anchor_by_slug(cli):
    sources = Path(__file__).parent / "fixtures" / "build" / "graphs" / "sources.ttl"
    quote = "Mit einer Milliarde Euro investiert die Landesregierung"
    result = cli.invoke(main, ["anchor", "demo-bilanz", quote, "--id", "milliarde",
                               "--sources", str(sources)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sge:demo-bilanz\\/milliarde a sg:Evidence ;\n"
                                    "    oa:hasSource sgs:demo-bilanz ;\n")
    text = read_text(config.corpus_dir() / "000_d8c6580e24692c18.txt")
    check_block(parse_blocks(result.stdout), text,
                "https://w3id.org/sozialgraph/id/evidence/demo-bilanz/milliarde", quote)


@needs_corpus
def test_anchor_escapes_quotes_newlines_and_keeps_no_break_spaces(cli, tmp_path):
    cases = {"001_29c2c027651b34fb.txt": '"MitSprache - Deutsch4U"\nJährlich 250.000 Euro',
             "003_639bd5da5a54bb3e.txt": "insbesondere des\u00a0Ehrenamts"}
    for file_name, quote in cases.items():
        text = read_text(config.corpus_dir() / file_name)
        result = cli.invoke(main, ["anchor", file_name, quote, "--id", "case", "--prefix", "ev",
                                   "--sources", str(tmp_path / "none.ttl")])
        assert result.exit_code == 0, result.output
        check_block(parse_blocks(result.stdout), text,
                    "https://w3id.org/sozialgraph/id/evidence/x/case", quote)


@needs_corpus
def test_anchor_ambiguous_quote_lists_offsets(cli):
    file_name = "000_d8c6580e24692c18.txt"
    text = read_text(config.corpus_dir() / file_name)
    offsets = [i for i in range(len(text)) if text.startswith("Euro", i)]
    assert len(offsets) > 1
    result = cli.invoke(main, ["anchor", file_name, "Euro"])
    assert result.exit_code == 1
    assert f"occurs {len(offsets)} times" in result.stderr
    for offset in offsets:
        assert f"{offset} (line" in result.stderr
    second = cli.invoke(main, ["anchor", file_name, "Euro", "--occurrence", "2", "--id", "x"])
    assert second.exit_code == 0
    assert f"oa:start {offsets[1]} ; oa:end {offsets[1] + 4}" in second.stdout
    assert cli.invoke(main, ["anchor", file_name, "kein solches Zitat"]).exit_code == 1


@needs_corpus
def test_anchor_batch(cli, tmp_path):
    file_name = "000_d8c6580e24692c18.txt"
    text = read_text(config.corpus_dir() / file_name)
    batch = tmp_path / "quotes.tsv"
    batch.write_text("# id, quote, occurrence\nmilliarde\tMit einer Milliarde Euro\n"
                     "euro-zwei\tEuro\t2\n", encoding="utf-8")
    result = cli.invoke(main, ["anchor", file_name, "--batch", str(batch), "--prefix", "ev"])
    assert result.exit_code == 0, result.output
    graph = parse_blocks(result.stdout)
    base = "https://w3id.org/sozialgraph/id/evidence/x/"
    check_block(graph, text, base + "milliarde", "Mit einer Milliarde Euro")
    check_block(graph, text, base + "euro-zwei", "Euro")
    batch.write_text("euro\tEuro\n", encoding="utf-8")
    ambiguous = cli.invoke(main, ["anchor", file_name, "--batch", str(batch)])
    assert ambiguous.exit_code == 1 and "quotes.tsv:1:" in ambiguous.stderr


@needs_corpus
def test_anchor_batch_refuses_malformed_lines(cli, tmp_path):
    """A batch line whose id is no slug or whose occurrence is no number from 1 is refused with
    its file and line (exit 2), and nothing is printed."""
    batch = tmp_path / "quotes.tsv"
    for line, message in (("euro\n", "expected id<TAB>quote[<TAB>occurrence]"),
                          ("Milliarde Euro\tEuro\n", "the id must be a lower-case ASCII slug"),
                          ("euro\tEuro\t0\n", "the occurrence must be a number from 1: '0'"),
                          ("euro\tEuro\tzwei\n", "the occurrence must be a number from 1")):
        batch.write_text("# id, quote, occurrence\n" + line, encoding="utf-8")
        result = cli.invoke(main, ["anchor", "000_d8c6580e24692c18.txt", "--batch", str(batch)])
        assert result.exit_code == 2, result.output
        assert f"quotes.tsv:2: {message}" in result.stderr and result.stdout == ""


def test_anchor_unknown_source_exits_2(cli, tmp_path):
    result = cli.invoke(main, ["anchor", "no-such-source", "x", "--sources",
                               str(tmp_path / "none.ttl")])
    assert result.exit_code == 2 and "unknown source" in result.stderr


# ---- load -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sample.ttl", "sample.nt", "sample.rdf", "sample.nq",
                                  "sample.trig", "sample.jsonld"])
def test_load_each_format(cli, tmp_path, name):
    store_dir = tmp_path / "new-store"
    result = cli.invoke(main, ["load", str(FORMATS / name), "--store", str(store_dir),
                               "--graph", "https://example.org/loaded"])
    assert result.exit_code == 0, result.output
    store = open_store(store_dir)
    graphs = {q.graph_name.value for q in store if hasattr(q.graph_name, "value")}
    expected = {"https://example.org/loaded"}
    if name in ("sample.nq", "sample.trig", "sample.jsonld"):
        expected.add("https://example.org/graph/one")
    if name == "sample.jsonld":
        expected.discard("https://example.org/loaded")  # its triples are all in a named graph
    assert graphs == expected
    default = list(store.query("SELECT * WHERE { ?s ?p ?o }"))  # the merge of the named graphs
    assert len(default) == 2


def test_load_refuses_bad_files_before_writing(cli, tmp_path):
    store_dir = tmp_path / "store"
    for bad, message in (("bad.nt", "bad.nt:3:"), ("entities.rdf", "refused for safety"),
                         ("remote-context.jsonld", "remote JSON-LD context")):
        result = cli.invoke(main, ["load", str(FORMATS / "sample.ttl"), str(FORMATS / bad),
                                   "--store", str(store_dir)])
        assert result.exit_code == 2 and message in result.stderr
    assert not store_dir.exists()


# ---- the installed script, and serve ----------------------------------------------------------

def test_installed_script_help():
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0
    for command in ("build", "validate", "query", "stats", "anchor", "serve", "load"):
        assert command in result.stdout


def test_every_command_explains_itself(cli):
    for command in ("build", "validate", "query", "stats", "anchor", "serve", "load"):
        result = cli.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_serve_runs_the_app_under_gunicorn(fixture_store, tmp_path):
    port = free_port()
    env = dict(os.environ, HOME=str(tmp_path))
    server = subprocess.Popen([str(SCRIPT), "serve", "--store", str(fixture_store), "--port",
                               str(port), "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body, deadline = None, time.monotonic() + 30
        while body is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    body = json.load(r)
            except OSError:
                time.sleep(0.2)
        assert body is not None, "the server did not answer"
        assert body["status"] == "ok"
        # the store given on the command line reached the app, which names it without a path
        # of the machine: the folder and its build
        assert body["store"].split(" -> ")[0] == fixture_store.name
        assert body["store"].split(" -> ")[-1] == fixture_store.resolve().name
        # a GET query of about 7 KB passes gunicorn's request-line limit
        long_query = "ASK { ?s ?p ?o " + "FILTER(?o != 1) " * 270 + "}"
        url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": long_query})
        assert 6000 < len(url) < 8000
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200
        # no control socket under $HOME that another instance could remove or reuse
        assert not (tmp_path / ".gunicorn").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_without_store_exits_2(cli, tmp_path):
    result = cli.invoke(main, ["serve", "--store", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "no store" in result.stderr


FORBIDDEN_SPARQL_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this <http://example.org/q> ?o } }" ] .
"""


def test_validate_shapes_shacl_forbids_exit_2(cli, tmp_path):
    """SHACL-SPARQL forbids MINUS in a constraint; the engine returns a failure instead of a
    report, which is 'could not run' (exit 2 with the reason), not a crash."""
    shapes, empty = tmp_path / "shapes.ttl", tmp_path / "empty.ttl"
    shapes.write_text(FORBIDDEN_SPARQL_SHAPES, encoding="utf-8")
    empty.write_text("", encoding="utf-8")
    result = cli.invoke(main, ["validate", str(shapes), "--shapes", str(shapes),
                               "--ontology", str(empty)])
    assert result.exit_code == 2, result.output
    assert "validation could not run" in result.stderr and "MINUS" in result.stderr
