"""SHACL validation with pySHACL, and the validation report rendered as text, Turtle and JSON.

`validate()` runs pySHACL with RDFS inference over the data graph together with the ontology,
so that `sh:targetClass sg:Measure` also reaches a `sg:Programme` and a range gives a blank node
its class. The ontology is merged into the data graph as a whole, not only passed as pySHACL's
`ont_graph` (which copies class and property axioms but not, e.g., the `owl:Ontology` header or
the annotations of individuals): the store holds data and ontology side by side, so the shapes
check both, including shapes about the ontology itself. A caller passes the data graphs only.

Conformance: only `sh:Violation` results (and results of unknown severity) make data
non-conforming; `sh:Warning` and `sh:Info` results are reported but tolerated. This is pySHACL's
`allow_warnings=True`, and the report's `sh:conforms` is set to match, so the report graph alone
tells the outcome.

To let a reader find what a result is about, the report is enriched with a few triples: the
`sh:property` link from a named shape to a blank-node property shape that produced a result, and
the triples that point at a blank focus node (e.g. `sgf:x sg:amount _:b`).

The renderers (`render_text`, `render_turtle`, `render_json`) are pure functions of the report
graph, for the CLI and the HTTP validation service alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from .config import SHAPES_DIR
from .namespaces import bind_all
from .prepared_queries import prepared_queries
from .rdfio import merge, read_graph

SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
TOLERATED = {SH.Warning, SH.Info}
PLAIN_DATATYPES = {XSD.integer, XSD.decimal, XSD.double, XSD.boolean}


class ValidationError(Exception):
    """The validator could not run (e.g. a malformed shapes graph)."""


@dataclass
class ValidationResult:
    conforms: bool
    report: Graph

    @property
    def results(self) -> list[dict]:
        return report_results(self.report)

    def count(self, severity: URIRef) -> int:
        return sum(1 for r in self.report.subjects(SH.resultSeverity, severity))

    def text(self) -> str:
        return render_text(self.report)


def load_shapes(paths: list[Path] | None = None) -> Graph:
    """The shapes in `paths` (files), by default every shapes/*.ttl of the project."""
    files = paths if paths is not None else sorted(Path(SHAPES_DIR).glob("*.ttl"))
    return merge(read_graph(p) for p in files)


def validate(data_graph: Graph, shapes_graph: Graph | None = None,
             ontology_graph: Graph | None = None) -> ValidationResult:
    """Validate `data_graph` against the shapes (default: the project's) with the ontology."""
    shapes = shapes_graph if shapes_graph is not None else load_shapes()
    if ontology_graph is not None:
        data_graph = merge([data_graph, ontology_graph])
    try:
        # the union is already a private copy: pySHACL may add its RDFS inferences in place;
        # prepared_queries: each sh:sparql text is parsed once, not once per focus node
        with prepared_queries():
            _, report, _ = pyshacl.validate(
                data_graph, shacl_graph=shapes, inference="rdfs",
                inplace=ontology_graph is not None, advanced=True, allow_infos=True,
                allow_warnings=True)
    except Exception as error:  # pySHACL reports bad shapes with several exception types
        raise ValidationError(f"validation could not run: {error}") from error
    _enrich(report, data_graph, shapes)
    conforms = report_conforms(report)
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))
    return ValidationResult(conforms, bind_all(report))


def _enrich(report: Graph, data: Graph, shapes: Graph) -> None:
    for shape in set(report.objects(None, SH.sourceShape)):
        if isinstance(shape, BNode):
            for parent in shapes.subjects(SH.property, shape):
                report.add((parent, SH.property, shape))
    for focus in set(report.objects(None, SH.focusNode)):
        if isinstance(focus, BNode):
            for subject, predicate in data.subject_predicates(focus):
                report.add((subject, predicate, focus))


def report_conforms(report: Graph) -> bool:
    """True unless some result has a severity other than sh:Warning or sh:Info."""
    return all(severity in TOLERATED for severity in report.objects(None, SH.resultSeverity))


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

def render_text(report: Graph) -> str:
    """A readable report: a summary line, then one block per result."""
    nm = bind_all(Graph()).namespace_manager  # the project's prefixes, the report untouched

    def show(term) -> str:
        if term is None:
            return "-"
        if isinstance(term, BNode):
            return _describe_blank(report, term, show)
        if isinstance(term, Literal) and term.datatype in PLAIN_DATATYPES and term.value is not None:
            return str(term)  # as Turtle writes numbers and booleans
        return term.n3(nm)

    def shape_label(shape) -> str:
        if not isinstance(shape, BNode):
            return show(shape)
        parent = report.value(predicate=SH.property, object=shape)
        path = report.value(shape, SH.path)
        on = f"property shape on {_path_sparql(report, path, show)}" if path is not None else \
            "blank-node shape"
        return f"{show(parent)} ({on})" if parent is not None else f"[{on}]"

    results = report_results(report)
    counts = {name: sum(1 for r in results if _severity_name(r["severity"]) == name)
              for name in ("Violation", "Warning", "Info")}
    verdict = "yes" if report_conforms(report) else "no"
    summary = (f"Conforms: {verdict} ({counts['Violation']} violations, {counts['Warning']} "
               f"warnings, {counts['Info']} infos)")
    lines = [summary]
    for r in results:
        path = _path_sparql(report, r["path"], show) if r["path"] is not None else "-"
        lines += [
            "",
            f"{_severity_name(r['severity'])}: {r['message'] or '(no message)'}",
            f"  focus node: {show(r['focusNode'])}",
            f"  path:       {path}",
            f"  value:      {show(r['value'])}",
            f"  constraint: {show(r['constraintComponent'])}",
            f"  shape:      {shape_label(r['sourceShape'])}",
        ]
    return "\n".join(lines) + "\n"


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
    return json.dumps({"conforms": report_conforms(report), "results": results},
                      ensure_ascii=False, indent=2) + "\n"
