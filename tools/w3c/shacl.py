"""Running the SHACL test suites through `/validate` (own shapes, `context=none`), through
`sozialgraph validate` and through pySHACL (the reference), and comparing validation reports as
the SHACL test suite prescribes: `sh:conforms` and the set of results.

A result compares by its focus node, path, value, severity, source constraint component, source
shape and source constraint; `sh:resultMessage` and `sh:detail` are left out, as the suite
allows. Blank nodes: a path is compared by its structure (the report carries it, as SHACL
asks); a blank focus node, value or source shape compares as "a blank node", because its
identity (a node of the data or shapes graph) does not survive the trip through a serialised
report. Results are a multiset: the same result twice counts twice.

Imports rdflib, pySHACL, requests, click's test runner and the CLI.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import requests
from click.testing import CliRunner
from rdflib import RDF, BNode, Graph, Literal, Namespace
from rdflib.term import Node

from sozialgraph.cli.main import main
from sozialgraph_w3c.results import comparable
from sozialgraph_w3c.sparql import Outcome
from sozialgraph_w3c.suites import ShaclTest

SH = Namespace("http://www.w3.org/ns/shacl#")
COMPARED = (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity,
            SH.sourceConstraintComponent, SH.sourceShape, SH.sourceConstraint)
TIMEOUT = 60


@dataclass(frozen=True)
class Report:
    conforms: bool
    results: Counter

    def describe(self) -> str:
        lines = [f"conforms {self.conforms}, {sum(self.results.values())} results"]
        for result, count in sorted(self.results.items()):
            shown = ", ".join(f"{p.rsplit('#', 1)[-1]}={v}" for p, v in result)
            lines.append(f"  {count} x {shown}")
        return "\n".join(lines)


def _structure(graph: Graph, node: Node, seen: frozenset = frozenset()) -> str:
    """A blank node path's structure (sequences are RDF lists, so lists are followed too)."""
    if not isinstance(node, BNode):
        return comparable(node).n3() if isinstance(node, Literal) else node.n3()
    if node in seen:
        return "[cycle]"
    inner = sorted(f"{p.n3()} {_structure(graph, o, seen | {node})}"
                   for p, o in graph.predicate_objects(node))
    return "[" + "; ".join(inner) + "]"


def _value(graph: Graph, predicate, node: Node) -> str:
    if predicate == SH.resultPath:
        return _structure(graph, node)
    if isinstance(node, BNode):
        return "_:blank"
    return comparable(node).n3() if isinstance(node, Literal) else node.n3()


def read_report(graph: Graph, report: Node | None = None) -> Report:
    """The report at `report` (default: the one sh:ValidationReport) of `graph`."""
    if report is None:
        reports = list(graph.subjects(RDF.type, SH.ValidationReport))
        if len(reports) != 1:
            raise ValueError(f"expected one sh:ValidationReport, found {len(reports)}")
        report = reports[0]
    conforms = graph.value(report, SH.conforms)
    results = Counter()
    for result in graph.objects(report, SH.result):
        results[tuple((str(p), _value(graph, p, v)) for p in COMPARED
                      for v in sorted(graph.objects(result, p)))] += 1
    return Report(bool(conforms.toPython()) if conforms is not None else None, results)


def expected_report(test: ShaclTest) -> Report:
    return read_report(test.expected, test.report)


def judge(test: ShaclTest, actual: Report | None, refusal: str = "") -> Outcome:
    """`actual` None: the validator refused the shapes (`refusal` says how)."""
    if test.expects_failure:
        if actual is None:
            return Outcome("pass")
        return Outcome("fail", f"expected the shapes to be refused, got {actual.describe()}")
    if actual is None:
        return Outcome("fail", refusal)
    expected = expected_report(test)
    if actual == expected:
        return Outcome("pass")
    return Outcome("fail", f"expected {expected.describe()}\ngot {actual.describe()}")


# ---- the three validators -----------------------------------------------------------------------

def run_service(base_url: str, test: ShaclTest, session: requests.Session | None = None
                ) -> Outcome:
    """POST /validate with the test's data and shapes as files, context=none, a Turtle report."""
    session = session or requests.Session()
    files = {"data": (test.data_file.name, test.data_file.read_bytes()),
             "shapes": (test.shapes_file.name, test.shapes_file.read_bytes())}
    response = session.post(base_url + "/validate", files=files, data={"context": "none"},
                            headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    if response.status_code != 200:
        if response.status_code == 400 and test.expects_failure:
            return judge(test, None)
        return refusal_or_failure(response.status_code, response.text)
    graph = Graph().parse(data=response.content, format="turtle")
    return judge(test, read_report(graph))


def refusal_or_failure(status: int, text: str) -> Outcome:
    if status in (400, 403) and "policy" in text.lower():
        return Outcome("policy", text.strip())
    return Outcome("fail", f"{status} {text.strip()[:400]}")


def run_command(test: ShaclTest, no_ontology: Path) -> Outcome:
    """`sozialgraph validate DATA --shapes SHAPES --ontology EMPTY --format turtle`: the report,
    and exit 0 exactly when it conforms (1 otherwise). `no_ontology` is an empty Turtle file:
    the command always merges an ontology into the data, and the suite's data stand alone."""
    result = CliRunner().invoke(main, ["validate", str(test.data_file), "--shapes",
                                       str(test.shapes_file), "--ontology", str(no_ontology),
                                       "--format", "turtle"])
    if result.exit_code == 2 and test.expects_failure:
        return judge(test, None)
    if result.exit_code not in (0, 1):
        return refusal_or_failure(400, f"exit {result.exit_code}: {result.output}")
    try:
        actual = read_report(Graph().parse(data=result.stdout, format="turtle"))
    except (SyntaxError, ValueError) as error:
        return Outcome("fail", f"exit {result.exit_code}, no report ({error}): "
                       f"{result.output[:400]}")
    if (result.exit_code == 0) != bool(actual.conforms):
        return Outcome("fail", f"exit {result.exit_code}, but the report says conforms "
                       f"{actual.conforms}")
    return judge(test, actual)


def run_pyshacl(test: ShaclTest) -> Outcome:
    """pySHACL in this process, as its own test suite runs it (no inference)."""
    data = Graph().parse(test.data_file, format="turtle",
                         publicID=test.data_file.resolve().as_uri())
    shapes = data if test.shapes_file == test.data_file else Graph().parse(
        test.shapes_file, format="turtle", publicID=test.shapes_file.resolve().as_uri())
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                        advanced=True)
    except Exception as error:  # pySHACL stopped on the shapes: a refusal, not a report
        return judge(test, None, f"pySHACL stopped: {error}")
    if not isinstance(report, Graph):  # a ValidationFailure: the shapes were not accepted
        return judge(test, None, f"pySHACL gave no report: {report}")
    return judge(test, read_report(report))
