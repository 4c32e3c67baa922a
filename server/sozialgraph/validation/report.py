"""The validation report read and rendered: its results as plain rows (`report_results`), as
readable text for the CLI (`render_text`), Turtle, JSON (`render_json`), and rows of display
strings for the HTML page of the service (`report_rows`). Pure functions of the report graph,
used by the CLI and the /validate service alike."""

from __future__ import annotations

import json
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from sozialgraph.rdf.namespaces import bind_all

SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
PLAIN_DATATYPES = {XSD.integer, XSD.decimal, XSD.double, XSD.boolean}
TOLERATED = {SH.Warning, SH.Info}


@dataclass
class ValidationResult:
    conforms: bool
    report: Graph
    engine: str = "turbo"  # "pyshacl" where the shapes needed pySHACL's RDFS closure

    @property
    def results(self) -> list[dict]:
        return report_results(self.report)

    def count(self, severity: URIRef) -> int:
        return sum(1 for r in self.report.subjects(SH.resultSeverity, severity))

    def text(self) -> str:
        return render_text(self.report)


def report_conforms(report: Graph, allow_warnings: bool = False) -> bool:
    """SHACL's verdict: True when there is no result at all. With `allow_warnings` (the build's
    policy) results of severity sh:Warning or sh:Info are tolerated."""
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    if not allow_warnings:
        return not results
    return all(report.value(result, SH.resultSeverity) in TOLERATED for result in results)


def stated_conforms(report: Graph) -> bool:
    """The verdict the report states (sh:conforms), as its validation decided it."""
    return any(value == Literal(True) for value in report.objects(None, SH.conforms))


# ---- reading the report -------------------------------------------------------------------------

def _english(report: Graph, result) -> str:
    messages = {m.language: str(m) for m in report.objects(result, SH.resultMessage)
                if isinstance(m, Literal)}
    return messages.get("en") or messages.get(None) or next(iter(messages.values()), "")


def _path_sparql(report: Graph, path, show) -> str:
    """A SHACL property path as a SPARQL property path; `show` renders one IRI."""
    if isinstance(path, URIRef):
        return show(path)
    if report.value(path, RDF.first) is not None:
        return "(" + " / ".join(_path_sparql(report, p, show) for p in Collection(report, path)) + ")"
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = report.value(path, predicate)
        if inner is not None:
            return template.format(_path_sparql(report, inner, show))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(_path_sparql(report, p, show)
                                for p in Collection(report, alternatives)) + ")"
    return str(path)


def report_results(report: Graph) -> list[dict]:
    """The results as plain dicts (terms as rdflib terms), most severe first, then by focus."""
    rows = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        rows.append({
            "severity": report.value(result, SH.resultSeverity),
            "focusNode": report.value(result, SH.focusNode),
            "path": path,
            "value": report.value(result, SH.value),
            "message": _english(report, result),
            "messages": {(m.language or ""): str(m)
                         for m in report.objects(result, SH.resultMessage)},
            "constraintComponent": report.value(result, SH.sourceConstraintComponent),
            "sourceShape": report.value(result, SH.sourceShape),
        })
    rows.sort(key=lambda r: (SEVERITY_ORDER.get(r["severity"], -1), str(r["focusNode"]),
                             str(r["path"]), str(r["value"])))
    return rows


def _severity_name(severity) -> str:
    return str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"


# ---- text ---------------------------------------------------------------------------------------

class _Shown:
    """How a report's terms read for people: the project's prefixes, numbers as Turtle writes
    them, blank nodes by their triples, blank-node property shapes by their path."""

    def __init__(self, report: Graph, nothing: str):
        self.report, self.nothing = report, nothing
        self.names = bind_all(Graph()).namespace_manager  # the report itself untouched

    def __call__(self, term) -> str:
        if term is None:
            return self.nothing
        if isinstance(term, BNode):
            return _describe_blank(self.report, term, self)
        if isinstance(term, Literal) and term.datatype in PLAIN_DATATYPES and term.value is not None:
            return str(term)  # as Turtle writes numbers and booleans
        return term.n3(self.names)

    def shape(self, shape) -> str:
        if not isinstance(shape, BNode):
            return self(shape)
        parent = self.report.value(predicate=SH.property, object=shape)
        path = self.report.value(shape, SH.path)
        on = (f"property shape on {_path_sparql(self.report, path, self)}" if path is not None
              else "blank-node shape")
        return f"{self(parent)} ({on})" if parent is not None else f"[{on}]"

    def path(self, path) -> str:
        return _path_sparql(self.report, path, self) if path is not None else self.nothing


def render_text(report: Graph) -> str:
    """A readable report: a summary line, then one block per result."""
    show = _Shown(report, "-")
    results = report_results(report)
    counts = {name: sum(1 for r in results if _severity_name(r["severity"]) == name)
              for name in ("Violation", "Warning", "Info")}
    verdict = "yes" if stated_conforms(report) else "no"
    summary = (f"Conforms: {verdict} ({counts['Violation']} violations, {counts['Warning']} "
               f"warnings, {counts['Info']} infos)")
    lines = [summary]
    for r in results:
        lines += [
            "",
            f"{_severity_name(r['severity'])}: {r['message'] or '(no message)'}",
            f"  focus node: {show(r['focusNode'])}",
            f"  path:       {show.path(r['path'])}",
            f"  value:      {show(r['value'])}",
            f"  constraint: {show(r['constraintComponent'])}",
            f"  shape:      {show.shape(r['sourceShape'])}",
        ]
    return "\n".join(lines) + "\n"


def report_rows(report: Graph) -> list[dict]:
    """One dict of display strings per result, most severe first (for report.html)."""
    show = _Shown(report, "")

    def iri(term) -> str | None:
        return str(term) if isinstance(term, URIRef) else None

    rows = []
    for r in report_results(report):
        shape = r["sourceShape"]
        parent = report.value(predicate=SH.property, object=shape) if isinstance(
            shape, BNode) else shape
        rows.append({
            "severity": _severity_name(r["severity"]),
            "focus": show(r["focusNode"]), "focus_iri": iri(r["focusNode"]),
            "path": show.path(r["path"]),
            "value": show(r["value"]), "value_iri": iri(r["value"]),
            "messages": r["messages"],
            "component": show(r["constraintComponent"]),
            "shape": show.shape(shape), "shape_iri": iri(parent),
        })
    return rows


def _describe_blank(report: Graph, node: BNode, show) -> str:
    """`[ p o ; ... ]` with the node's own triples, and what points at it, if known."""
    own = [f"{show(p)} {show(o) if not isinstance(o, BNode) else '[]'}"
           for p, o in sorted(report.predicate_objects(node))
           if p != SH.property and (p, o) != (RDF.type, RDFS.Resource)]
    text = "[ " + " ; ".join(own) + " ]" if own else "[]"
    for subject, predicate in report.subject_predicates(node):
        if predicate not in (SH.focusNode, SH.value, SH.sourceShape, SH.property, RDF.first):
            return f"{text} (the {show(predicate)} of {show(subject)})"
    return text


# ---- Turtle and JSON ----------------------------------------------------------------------------

def render_turtle(report: Graph) -> str:
    copy = bind_all(Graph())
    for triple in report:
        copy.add(triple)
    return copy.serialize(format="turtle")


def _json_term(term) -> dict | None:
    """A term as in SPARQL 1.1 JSON results."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _json_path(report: Graph, path) -> str | None:
    if path is None or isinstance(path, URIRef):
        return None if path is None else str(path)
    return _path_sparql(report, path, lambda iri: f"<{iri}>")


def render_json(report: Graph) -> str:
    """`{"conforms": bool, "results": [...]}`; terms as in SPARQL 1.1 JSON results, the path as a
    SPARQL property path with full IRIs."""
    results = []
    for r in report_results(report):
        results.append({
            "severity": _severity_name(r["severity"]),
            "focusNode": _json_term(r["focusNode"]),
            "path": _json_path(report, r["path"]),
            "value": _json_term(r["value"]),
            "message": r["message"],
            "messages": r["messages"],
            "constraintComponent": str(r["constraintComponent"] or ""),
            "sourceShape": _json_term(r["sourceShape"]),
            # the named shape that holds a blank-node property shape
            "parentShape": _json_term(report.value(predicate=SH.property,
                                                   object=r["sourceShape"])),
        })
    return json.dumps({"conforms": stated_conforms(report), "results": results},
                      ensure_ascii=False, indent=2) + "\n"
