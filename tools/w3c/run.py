"""One run of every suite against every target: this project (`sozialgraph serve`, `sozialgraph
validate`) and the references (Oxigraph's server, pySHACL). The outcomes, grouped as
docs/conformance.md counts them, are what `sozialgraph conformance` writes down.
Imports pyoxigraph, pyshacl (versions) and the harness's modules.
"""

from __future__ import annotations

import platform
import shutil
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from sozialgraph_w3c import shacl, sparql, stores, suites
from sozialgraph_w3c.sparql import Outcome

SPARQL_TARGETS = ("sozialgraph", "oxigraph")
SHACL_TARGETS = ("service", "command", "pyshacl")


@dataclass
class Row:
    """The outcomes of one group of tests (a folder, or positive / negative syntax) per target."""

    suite: str
    group: str
    outcomes: dict[str, dict[str, Outcome]] = field(default_factory=dict)  # target -> name ->

    def add(self, target: str, name: str, outcome: Outcome) -> None:
        self.outcomes.setdefault(target, {})[name] = outcome

    @property
    def size(self) -> int:
        return max((len(o) for o in self.outcomes.values()), default=0)

    def count(self, target: str, verdict: str) -> int:
        return sum(o.verdict == verdict for o in self.outcomes.get(target, {}).values())


@dataclass
class Run:
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)

    def row(self, suite: str, group: str) -> Row:
        for row in self.rows:
            if (row.suite, row.group) == (suite, group):
                return row
        self.rows.append(Row(suite, group))
        return self.rows[-1]


def _syntax_group(test: suites.SyntaxTest) -> str:
    return ("positive" if test.positive else "negative") + " syntax"


def _run_sparql(run: Run, target: str, endpoint: sparql.Endpoint,
                protocol: sparql.Endpoint) -> None:
    for test in suites.syntax_tests():
        run.row("SPARQL 1.1 syntax", _syntax_group(test)).add(
            target, test.name, sparql.run_syntax(endpoint, test))
    for test in suites.protocol_tests():
        group = "update tests" if test.is_update else "query tests"
        run.row("SPARQL 1.1 Protocol", group).add(target, test.name,
                                                  sparql.run_protocol(protocol, test))
    for test in suites.evaluation_tests():
        folder = test.name.split("/", 1)[0]
        run.row("SPARQL query evaluation", folder).add(
            target, test.name, sparql.run_evaluation(endpoint, test))


def run_all(work: Path) -> Run:
    """Every suite against every target; `work` holds the stores and the servers' logs."""
    began = time.perf_counter()
    run = Run(versions={name: version(name) for name in (
        "pyoxigraph", "oxigraph", "pyshacl", "pyshacl-turbo", "rdflib")})
    run.versions["python"] = platform.python_version()
    for old in ("evaluation", "protocol"):  # a store of an earlier run would get the data twice
        shutil.rmtree(work / old, ignore_errors=True)
    evaluation = stores.load_evaluation_store(work / "evaluation", suites.evaluation_tests())
    protocol = stores.load_protocol_store(work / "protocol", suites.protocol_tests())
    with stores.our_endpoint(evaluation, work) as ours, \
            stores.our_endpoint(protocol, work) as ours_protocol:
        _run_sparql(run, "sozialgraph", ours, ours_protocol)
        base_url = ours.query_url.removesuffix("/sparql")
        no_ontology = work / "no-ontology.ttl"
        no_ontology.write_text("", encoding="utf-8")
        for folder in (suites.SHACL_CORE, suites.SHACL_SPARQL):
            suite = "SHACL " + ("Core" if folder == suites.SHACL_CORE else "SPARQL")
            for test in suites.shacl_tests(folder):
                row = run.row(suite, test.name.split("/")[1])
                row.add("service", test.name, shacl.run_service(base_url, test))
                row.add("command", test.name, shacl.run_command(test, no_ontology))
                row.add("pyshacl", test.name, shacl.run_pyshacl(test))
    with stores.oxigraph_endpoint(evaluation, work) as theirs, \
            stores.oxigraph_endpoint(protocol, work, writable=True) as theirs_protocol:
        _run_sparql(run, "oxigraph", theirs, theirs_protocol)
    run.seconds = time.perf_counter() - began
    return run
