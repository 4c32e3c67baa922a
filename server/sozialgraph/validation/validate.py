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
import re
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from sozialgraph.inference import rules as fast_inference
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import bind_all
from sozialgraph.rdf.parse import merge, read_graph
from sozialgraph.settings import SHAPES_DIR
from sozialgraph.validation.prepared_queries import prepared_queries
from sozialgraph.validation.pyshacl_tuning import constraint_lookup

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
             ontology_graph: Graph | None = None, *, fast: bool = True) -> ValidationResult:
    """Validate `data_graph` against the shapes (default: the project's) with the ontology.

    fast (the default) gives the same report as pySHACL alone, sooner: each sh:sparql text is
    parsed once (sozialgraph.validation.prepared_queries), constraint parameters are found by set lookup
    (sozialgraph.validation.pyshacl_tuning), and, when the shapes cannot see the difference, the
    RDFS entailments are added by sozialgraph.inference.rules instead of pySHACL's RDFS closure
    (tests/test_inference_equivalence.py compares both ways).
    """
    shapes = shapes_graph if shapes_graph is not None else load_shapes()
    private = ontology_graph is not None
    if private:
        data_graph = merge([data_graph, ontology_graph])
    enrich_from = data_graph  # what the report's blank focus nodes are looked up in
    inference = "rdfs"
    if fast and _rdfs_shortcut_allowed(shapes):
        triples = set(data_graph)
        if _rdf_type_is_plain(triples):  # else pySHACL's RDFS closure handles it
            if not private:  # never add to the caller's graph
                data_graph, private = merge([data_graph]), True
            data_graph.addN((s, p, o, data_graph)
                            for s, p, o in fast_inference.rdfs_entailments(triples))
            inference = "none"
    try:
        # the union is already a private copy: pySHACL may add its RDFS inferences in place;
        # prepared_queries: each sh:sparql text is parsed once, not once per focus node
        with prepared_queries() if fast else nullcontext(), \
                constraint_lookup() if fast else nullcontext():
            _, report, _ = pyshacl.validate(
                data_graph, shacl_graph=shapes, inference=inference, inplace=private,
                advanced=True, allow_infos=True, allow_warnings=True)
    except Exception as error:  # pySHACL reports bad shapes with several exception types
        raise ValidationError(f"validation could not run: {error}") from error
    _enrich(report, enrich_from, shapes)
    conforms = report_conforms(report)
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))
    return ValidationResult(conforms, bind_all(report))


def validate_ntriples(data: set[tuple[str, str, str]], shapes_graph: Graph | None = None
                      ) -> ValidationResult:
    """validate() for the build at scale, with the same report: the data (ontology included) as
    N-Triples term strings (sozialgraph.rdf.ntriples), validated by pyshacl-turbo, a SHACL engine in Rust
    that reads an Oxigraph store (tests/test_build_engines.py compares its reports with
    pySHACL's on the real graphs and synthetic data with violations, tests/test_shapes.py on
    every bad fixture). At 10^6 triples it takes about a minute where pySHACL takes six.

    As in validate(), the RDFS entailments the shapes can see are added first
    (turbo_entailments); shapes that could see more of RDFS, or data that give rdf:type a
    schema, go to pySHACL instead. The build runs the steps in two processes: the entailments
    in its own, turbo_store and validate_turbo in a worker (sozialgraph.validation.worker).
    """
    shapes = shapes_graph if shapes_graph is not None else load_shapes()
    entailed = turbo_entailments(data, shapes)
    if entailed is None:
        return validate(ntriples.to_rdflib(data), shapes)
    return validate_turbo(turbo_store(ntriples.serialize(data), ntriples.serialize(entailed)),
                          shapes)


def turbo_entailments(data: set[tuple[str, str, str]], shapes: Graph) -> list | None:
    """The RDFS entailments of `data` the shapes can see, for validate_turbo; None when the
    shapes or the data need pySHACL's own RDFS closure.

    Entailments with a literal subject (a range typing a literal value, `"das Ministerium" a
    sg:Actor`) cannot be stored and are left out, so the results pySHACL gives about such a
    literal as a focus node (it has no label, ...) are not given by turbo; the literal itself is
    reported on the resource that states it, by both (tests/test_shapes.py checks this for every
    object property), so the verdict is the same."""
    schema_of_type = f"<{RDF.type}>"
    if not _rdfs_shortcut_allowed(shapes) or any(
            s == schema_of_type and p in _SCHEMA_PREDICATES for s, p, _ in data):
        return None
    return [t for t in fast_inference.rdfs_entailments(data, fast_inference.NTRIPLES) if t[0][0] != '"']


def turbo_store(*sources: bytes | Path, store: ox.Store | None = None) -> ox.Store:
    """An in-memory Oxigraph store (or `store`) with the N-Triples of `sources` (bytes or files)
    added. Parsing, not Store.load, which would give blank nodes new identifiers: the labels
    stay, the same across sources, and the report names the caller's blank nodes."""
    store = store if store is not None else ox.Store()
    for source in sources:
        if isinstance(source, Path):
            store.extend(ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES))
        else:
            store.extend(ox.parse(source, format=ox.RdfFormat.N_TRIPLES))
    return store


def validate_turbo(store: ox.Store, shapes: Graph) -> ValidationResult:
    """pyshacl-turbo over `store` (see turbo_store), without inference: the RDFS entailments are
    in the store already (turbo_entailments).

    The shapes are handed over in an Oxigraph store too: from an rdflib shapes graph the engine
    compared a plain literal of the data ("EUR") unequal to the same literal in an sh:in list.
    """
    shapes_store = turbo_store(shapes.serialize(format="nt", encoding="utf-8"))
    try:
        _, report, _ = pyshacl_turbo.validate(
            store, shacl_graph=shapes_store, inference=None, advanced=True, allow_infos=True,
            allow_warnings=True)
    except Exception as error:  # the engine reports bad shapes with several exception types
        raise ValidationError(f"validation could not run: {error}") from error
    _enrich_shapes(report, shapes)
    for focus in set(report.objects(None, SH.focusNode)):
        if isinstance(focus, BNode):
            for quad in store.quads_for_pattern(None, None, ox.BlankNode(str(focus))):
                report.add((_rdflib_term(quad.subject), URIRef(quad.predicate.value), focus))
    conforms = report_conforms(report)
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))
    return ValidationResult(conforms, bind_all(report))


_SCHEMA_PREDICATES = {f"<{p}>" for p in (RDFS.domain, RDFS.range, RDFS.subPropertyOf)}


def _rdflib_term(term):
    return BNode(term.value) if isinstance(term, ox.BlankNode) else URIRef(term.value)


# The RDF and RDFS terms a shapes graph may use for the RDFS shortcut: pySHACL's RDFS closure also
# types every term rdfs:Resource, every predicate rdf:Property, makes each predicate its own
# sub-property and has container and datatype axioms; fast_inference leaves those out, so shapes
# that could see them (a path rdfs:subPropertyOf, sh:class rdfs:Resource, ...) get pySHACL's.
_PLAIN_TERMS = {RDF.type, RDF.first, RDF.rest, RDF.nil, RDF.langString, RDF.HTML,
                RDF.XMLLiteral, RDF.JSON, RDFS.label, RDFS.comment, RDFS.seeAlso,
                RDFS.isDefinedBy}
_RDF_NAMESPACES = (str(RDF), str(RDFS))
_NAMED_IN_SPARQL = re.compile(r"(?:\brdfs?:|rdf-schema#|22-rdf-syntax-ns#)([A-Za-z_][\w-]*)")
_SPARQL_TEXTS = {SH.select, SH.ask, SH.construct, SH.update}


def _rdfs_shortcut_allowed(shapes: Graph) -> bool:
    for triple in shapes:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(_RDF_NAMESPACES) and \
                    term not in _PLAIN_TERMS:
                return False
        if triple[1] in _SPARQL_TEXTS and isinstance(triple[2], Literal):
            for name in _NAMED_IN_SPARQL.findall(str(triple[2])):
                if URIRef(str(RDF) + name) not in _PLAIN_TERMS and \
                        URIRef(str(RDFS) + name) not in _PLAIN_TERMS:
                    return False
    return True


def _rdf_type_is_plain(triples: set) -> bool:
    """False when the data give rdf:type itself a domain, a range or a super-property."""
    return not any(s == RDF.type and p in (RDFS.domain, RDFS.range, RDFS.subPropertyOf)
                   for s, p, _ in triples)


def _enrich(report: Graph, data: Graph, shapes: Graph) -> None:
    _enrich_shapes(report, shapes)
    for focus in set(report.objects(None, SH.focusNode)):
        if isinstance(focus, BNode):
            for subject, predicate in data.subject_predicates(focus):
                report.add((subject, predicate, focus))


def _enrich_shapes(report: Graph, shapes: Graph) -> None:
    for shape in set(report.objects(None, SH.sourceShape)):
        if isinstance(shape, BNode):
            for parent in shapes.subjects(SH.property, shape):
                report.add((parent, SH.property, shape))


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
