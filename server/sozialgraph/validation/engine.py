"""SHACL validation: one engine, pyshacl-turbo (a Rust SHACL engine that reads an Oxigraph store),
for the build, `sozialgraph validate` and the /validate service alike; docs/decisions.md
("One SHACL engine") has the measurements behind the choice.

The data are validated together with the ontology, as the store holds them side by side, with
the RDFS entailments the shapes can see added first (`sozialgraph.inference.rules`), so that
`sh:targetClass sg:Measure` reaches an `sg:Programme` and a range gives a blank node its class.
Shapes that could see RDFS vocabulary beyond those entailments (a target `rdfs:Resource`, a path
`rdfs:subPropertyOf`, ... : RDFS types every literal a resource, and an Oxigraph store cannot hold
a literal subject) are validated by pySHACL with its own RDFS closure instead (`validate_pyshacl`,
plain pySHACL, which is also the reference the tests prove turbo against). None of the
project's shapes do.

Conformance follows SHACL: any result makes the data non-conforming, whatever its severity.
The build's policy, that `sh:Warning` and `sh:Info` results are reported but tolerated, is asked
for by name (`allow_warnings=True`; `sozialgraph validate --allow-warnings`, `/validate` with
`allow_warnings=true`); the report's `sh:conforms` is set to the verdict given.

To let a reader find what a result is about, the report is enriched: the `sh:property` link from
a named shape to a blank-node property shape that produced a result, and the triples that point
at a blank focus node (e.g. `sgf:x sg:amount _:b`). `sozialgraph.validation.report` renders it.
Each call builds its own stores and graphs from what it is given: nothing of one validation is
left for the next (the shapes graph passed in is never changed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from sozialgraph.inference import rules as fast_inference
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import bind_all
from sozialgraph.rdf.parse import merge, read_graph
from sozialgraph.settings import SHAPES_DIR
from sozialgraph.validation.report import ValidationResult, report_conforms


class ValidationError(Exception):
    """The validator could not run (e.g. a malformed shapes graph)."""


def load_shapes(paths: list[Path] | None = None) -> Graph:
    """The shapes in `paths` (files), by default every shapes/*.ttl of the project."""
    files = paths if paths is not None else sorted(Path(SHAPES_DIR).glob("*.ttl"))
    return merge(read_graph(p) for p in files)


def validate(data: Graph | set[tuple[str, str, str]], shapes_graph: Graph | None = None,
             ontology: Graph | set[tuple[str, str, str]] | None = None, *,
             allow_warnings: bool = False) -> ValidationResult:
    """Validate `data` (an rdflib graph, or N-Triples term strings as sozialgraph.rdf.ntriples
    reads them) against the shapes (default: the project's), with `ontology` merged in.
    `allow_warnings`: the build's policy (see the module doc); SHACL's verdict without it."""
    triples = data if isinstance(data, set) else ntriples.from_rdflib(data)
    if ontology is not None:
        triples = triples | (ontology if isinstance(ontology, set)
                             else ntriples.from_rdflib(ontology))
    return validate_ntriples(triples, shapes_graph, allow_warnings=allow_warnings)


def validate_pyshacl(data_graph: Graph, shapes_graph: Graph | None = None,
                     ontology_graph: Graph | None = None, *, allow_warnings: bool = False
                     ) -> ValidationResult:
    """Plain pySHACL with its RDFS closure over the data and the ontology: the path for shapes
    that could see more RDFS than turbo's input holds, and the reference in the tests."""
    shapes = merge([shapes_graph if shapes_graph is not None else load_shapes()])  # a copy:
    # pySHACL adds to the shapes graph it is given
    data = merge([data_graph] + ([ontology_graph] if ontology_graph is not None else []))
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", inplace=True,
                                        advanced=True, allow_infos=True, allow_warnings=True)
    except Exception as error:  # pySHACL reports bad shapes with several exception types
        raise ValidationError(f"validation could not run: {error}") from error
    _refuse_failure(report)
    _enrich_shapes(report, shapes)
    for focus in set(report.objects(None, SH.focusNode)):
        if isinstance(focus, BNode):
            for subject, predicate in data.subject_predicates(focus):
                report.add((subject, predicate, focus))
    return _finish(report, "pyshacl", allow_warnings)


def validate_ntriples(data: set[tuple[str, str, str]], shapes_graph: Graph | None = None, *,
                      allow_warnings: bool = False) -> ValidationResult:
    """The data (ontology included) as N-Triples term strings, validated by pyshacl-turbo
    (tests/test_build_engines.py compares its reports with pySHACL's on the real graphs and on
    synthetic data with violations, tests/test_shapes.py on every bad fixture). At 10^6 triples
    it takes about a minute where pySHACL takes six.

    The RDFS entailments the shapes can see are added first (turbo_entailments); shapes that
    could see more of RDFS, or data that give rdf:type a schema, go to validate_pyshacl. The
    build runs the steps in two processes: the entailments in its own, turbo_store and
    validate_turbo in a worker (sozialgraph.validation.worker)."""
    shapes = shapes_graph if shapes_graph is not None else load_shapes()
    entailed = turbo_entailments(data, shapes)
    if entailed is None:
        return validate_pyshacl(ntriples.to_rdflib(data), shapes, allow_warnings=allow_warnings)
    result = validate_turbo(turbo_store(ntriples.serialize(data), ntriples.serialize(entailed)),
                            shapes, _Pointers(data), allow_warnings=allow_warnings)
    _restore_values(result.report, data)
    return result


def _restore_values(report: Graph, data: set[tuple[str, str, str]]) -> None:
    """The values of results as the data spell them: the store turbo reads keeps numbers in
    canonical form ("-250000.0"^^xsd:decimal becomes "-250000"), a report names the literal
    that was sent. Looked up by focus node and path among the data's literals of equal value."""
    wanted = [(result, focus, path, value) for result in report.subjects(RDF.type,
                                                                         SH.ValidationResult)
              for focus, path, value in [(report.value(result, SH.focusNode),
                                          report.value(result, SH.resultPath),
                                          report.value(result, SH.value))]
              if isinstance(value, Literal) and isinstance(path, URIRef)
              and isinstance(focus, (URIRef, BNode))]
    if not wanted:
        return
    keys = {(ntriples_term(focus), f"<{path}>") for _, focus, path, _ in wanted}
    stated: dict[tuple[str, str], list[str]] = {}
    for s, p, o in data:
        if o[0] == '"' and (s, p) in keys:
            stated.setdefault((s, p), []).append(o)
    for result, focus, path, value in wanted:
        spelled = [ntriples.to_literal(o) for o in stated.get((ntriples_term(focus),
                                                               f"<{path}>"), ())]
        if value in spelled:
            continue
        same = [o for o in spelled if o.datatype == value.datatype and o.eq(value)]
        if len(same) == 1:
            report.set((result, SH.value, same[0]))


class _Pointers:
    """The asserted triples that point at a blank node, as (subject, predicate); the data are
    indexed by blank object once, when first asked."""

    def __init__(self, data: set[tuple[str, str, str]]):
        self.data, self.index = data, None

    def __call__(self, node: BNode) -> list[tuple[str, str]]:
        if self.index is None:
            self.index = {}
            for s, p, o in self.data:
                if o.startswith("_:"):
                    self.index.setdefault(o, []).append((s, p))
        return self.index.get(ntriples_term(node), [])


def _term_of(term: str):
    return BNode(term[2:]) if term.startswith("_:") else URIRef(term[1:-1])


def ntriples_term(term) -> str:
    """An rdflib IRI or blank node as an N-Triples term string."""
    return f"<{term}>" if isinstance(term, URIRef) else f"_:{term}"


def turbo_entailments(data: set[tuple[str, str, str]], shapes: Graph) -> list | None:
    """The RDFS entailments of `data` the shapes can see, for validate_turbo; None when the
    shapes or the data need pySHACL's own RDFS closure.

    Entailments with a literal subject (a range typing a literal value, `"das Ministerium" a
    sg:Actor`) cannot be stored and are left out, so the results pySHACL gives about such a
    literal as a focus node (it has no label, ...) are not given by turbo; the literal itself is
    reported on the resource that states it, by both (tests/test_shapes.py checks this for every
    object property), so the verdict is the same."""
    schema_of_type = f"<{RDF.type}>"
    if not rdfs_shortcut_allowed(shapes) or any(
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


def validate_turbo(store: ox.Store, shapes: Graph,
                   pointers: Callable[[BNode], Iterable[tuple[str, str]]] | None = None, *,
                   allow_warnings: bool = False) -> ValidationResult:
    """pyshacl-turbo over `store` (see turbo_store), without inference: the RDFS entailments are
    in the store already (turbo_entailments). A blank focus node is described in the report by
    the triples that point at it: `pointers(node)` gives them as (subject, predicate) term
    strings, by default every such triple of the store (entailed ones included).

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
    _refuse_failure(report)
    _enrich_shapes(report, shapes)
    for focus in set(report.objects(None, SH.focusNode)):
        if isinstance(focus, BNode):
            if pointers is None:
                for quad in store.quads_for_pattern(None, None, ox.BlankNode(str(focus))):
                    report.add((_rdflib_term(quad.subject), URIRef(quad.predicate.value), focus))
            else:
                for subject, predicate in pointers(focus):
                    report.add((_term_of(subject), URIRef(predicate[1:-1]), focus))
    return _finish(report, "turbo", allow_warnings)


def _refuse_failure(report) -> None:
    """Both engines return, not raise, a ValidationFailure for shapes SHACL forbids (a SPARQL
    constraint with MINUS, VALUES or SERVICE, say): the validation could not run."""
    if not isinstance(report, Graph):
        message = getattr(report, "message", None) or str(report)
        raise ValidationError(f"validation could not run: {message}")


def _finish(report: Graph, engine: str, allow_warnings: bool) -> ValidationResult:
    """sh:conforms set as SHACL reads the results, or as the build's policy does."""
    conforms = report_conforms(report, allow_warnings)
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))
    return ValidationResult(conforms, bind_all(report), engine)


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


def rdfs_shortcut_allowed(shapes: Graph) -> bool:
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


def _enrich_shapes(report: Graph, shapes: Graph) -> None:
    for shape in set(report.objects(None, SH.sourceShape)):
        if isinstance(shape, BNode):
            for parent in shapes.subjects(SH.property, shape):
                report.add((parent, SH.property, shape))
