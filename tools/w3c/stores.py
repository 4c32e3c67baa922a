"""The stores the SPARQL suites run over, loaded with `sozialgraph load`, and the servers over
them: `sozialgraph serve` and Oxigraph's server (the benchmark's Server, on 127.0.0.1).

- The evaluation store: every file a query-evaluation test names (qt:data, qt:graphData, and
  the files of its FROM / FROM NAMED clauses) in the named graph named by the file's `file:`
  IRI, with a separate (empty) default graph.
- The Protocol store: the Protocol tests' files in the graphs the manifest names
  (http://kasei.us/2009/09/sparql/data/data1.rdf ...).

One store serves both servers (both open it read-only), so both answer over the same bytes;
the Protocol's update tests need a writable Oxigraph server, which gets a copy.
Imports click's test runner, the CLI, the benchmark's servers and the harness's modules.
"""

from __future__ import annotations

import shutil
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from sozialgraph.cli.main import main
from sozialgraph_bench.config import free_port, oxigraph_binary
from sozialgraph_bench.servers import Server, oxigraph_server, sozialgraph_server
from sozialgraph_w3c.results import query_facts
from sozialgraph_w3c.sparql import Endpoint
from sozialgraph_w3c.suites import EvaluationTest, ProtocolTest, path_of


def load(store: Path, graph: str, file: Path) -> None:
    """`sozialgraph load --separate-default-graph --graph GRAPH --store STORE FILE`."""
    result = CliRunner().invoke(main, ["load", "--separate-default-graph", "--graph", graph,
                                       "--store", str(store), str(file)])
    if result.exit_code != 0:
        raise RuntimeError(f"sozialgraph load {file} failed: {result.output}")


def evaluation_files(tests: list[EvaluationTest]) -> list[str]:
    """Every file the tests name, as `file:` IRIs."""
    files = {iri for test in tests for iri in test.files}
    for test in tests:
        facts = query_facts(test.query_file.read_text(encoding="utf-8"),
                            test.query_file.resolve().as_uri())
        files.update(iri for iri in facts.dataset if iri.startswith("file:"))
    return sorted(files)


def load_evaluation_store(store: Path, tests: list[EvaluationTest]) -> Path:
    for iri in evaluation_files(tests):
        load(store, iri, path_of(iri))
    return store


def load_protocol_store(store: Path, tests: list[ProtocolTest]) -> Path:
    for graph, file in sorted({pair for test in tests for pair in test.graphs}):
        load(store, graph, file)
    return store


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def our_endpoint(store: Path, work: Path) -> Iterator[Endpoint]:
    """`sozialgraph serve` over `store` (two web processes; no per-client shares, since every
    request of the run comes from one address)."""
    with serving(sozialgraph_server(store, work, workers=2)) as server:
        yield Endpoint("sozialgraph", server.url, update_url=server.url)


@contextmanager
def oxigraph_endpoint(store: Path, work: Path, writable: bool = False) -> Iterator[Endpoint]:
    """Oxigraph's server over `store` (read-only), or over a copy of it that takes updates."""
    if not writable:
        with serving(oxigraph_server(store, work, cap=30)) as server:
            yield Endpoint("oxigraph", server.url)
        return
    copy = work / "oxigraph-writable"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server("oxigraph", [str(oxigraph_binary()), "serve", "--location", str(copy),
                                 "--bind", f"127.0.0.1:{port}"], base + "/query",
                    base + "/query?query=" + urllib.parse.quote("ASK {}"),
                    work / "oxigraph-writable.log", 60)
    with serving(server):
        yield Endpoint("oxigraph", base + "/query", base + "/update")
