"""OWL 2 RL inference with owlrl: the closure of the ontology and the data, reduced to the new
triples that tell a reader something.

owlrl's closure also restates the obvious (every resource is `owl:sameAs` itself, every class is
a subclass of itself and of `owl:Thing`, the XSD datatypes are datatypes) and reports
inconsistencies as triples of its own. `infer()` keeps what a query over the data can use:
classes from rdfs:subClassOf, rdfs:domain and rdfs:range, inverse, super-, symmetric and
transitive properties, the transitive closure of the class and property hierarchies, and
`owl:sameAs` between different resources (which is worth seeing: it usually means a functional
property has two values). Each dropped kind of triple is one rule in `_is_noise`.

Engines: owlrl's closure is slow (about a minute for the project's 7 000 triples, and it grows
faster than linearly: hours at 10^6). The ontology needs only a few OWL 2 RL rules (classes from
the hierarchy, domains and ranges, inverse, super-, symmetric and transitive properties, owl:oneOf),
so the build (`infer_ntriples`) materialises exactly those with sozialgraph.inference.rules and
stops with a clear error when the graphs use more of OWL, or when owlrl would derive owl:sameAs
or report an inconsistency. `infer()` (rdflib graphs, engine "auto", "rules" or "owlrl") is the
reference the tests prove the rules against: both give the same kept triples
(tests/test_inference_equivalence.py); the rules derive no noise, so their `dropped` is 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import owlrl
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from sozialgraph.inference import rules as fast_inference
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.parse import merge

# owlrl writes inconsistencies as `[] a err:ErrorMessage ; err:error "..."` into the graph
_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"
_BUILT_IN = tuple(str(ns) for ns in (OWL, RDF, RDFS, XSD))
_REFLEXIVE_NOISE = {str(t) for t in (OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass,
                                      RDFS.subPropertyOf, OWL.equivalentProperty)}
_TRIVIAL_TYPES = {str(t) for t in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual)}
_TYPE, _SUB_CLASS_OF = str(RDF.type), str(RDFS.subClassOf)


@dataclass
class InferenceResult:
    triples: Graph | set  # the inferred triples that are kept (a set: from infer_ntriples)
    dropped: int  # new triples of the closure left out as noise
    inconsistencies: list[str] = field(default_factory=list)  # owlrl's error messages
    engine: str = "owlrl"  # which engine closed the graph: "owlrl" or "rules"
    fallback_reason: str | None = None  # why "auto" could not use the rules

    @property
    def distinct_same_as(self) -> int:
        if isinstance(self.triples, Graph):
            return sum(1 for _ in self.triples.triples((None, OWL.sameAs, None)))
        same_as = f"<{OWL.sameAs}>"
        return sum(1 for _, p, _ in self.triples if p == same_as)


def _is_noise(triple, v: fast_inference.Terms = fast_inference.RDFLIB) -> bool:
    s, p, o = triple
    # A literal cannot be a subject in RDF; owlrl's closure states such triples internally
    # (e.g. `"5"^^xsd:decimal a xsd:decimal`) and they cannot be stored.
    if v.is_literal(s):
        return True
    # Statements about the OWL/RDF/RDFS/XSD vocabulary itself (`owl:Thing a owl:Class`,
    # `xsd:string a rdfs:Datatype`, `rdfs:label a owl:AnnotationProperty`) are the same for every
    # graph and say nothing about ours.
    subject = v.iri_value(s)
    if subject is not None and subject.startswith(_BUILT_IN):
        return True
    # `x owl:sameAs x`, `C rdfs:subClassOf C`, `p rdfs:subPropertyOf p` (and the equivalences)
    # hold for every resource (rules eq-ref, scm-cls, scm-op, scm-dp).
    if s == o and v.iri_value(p) in _REFLEXIVE_NOISE:
        return True
    predicate = v.iri_value(p)
    # Everything is an owl:Thing and an rdfs:Resource, every class a subclass of owl:Thing.
    if predicate == _TYPE and v.iri_value(o) in _TRIVIAL_TYPES:
        return True
    if predicate == _SUB_CLASS_OF and v.iri_value(o) in (str(OWL.Thing), str(RDFS.Resource)):
        return True
    # Datatype typing: owlrl types literals (and the blank nodes standing in for them during the
    # closure) with their XSD datatype; that is the literal's datatype again, nothing new.
    if predicate == _TYPE and (v.iri_value(o) or "").startswith(str(XSD)):
        return True
    # Widened domains and ranges (scm-dom1/2, scm-rng1/2) are schema bookkeeping: the instance
    # types they would give are inferred anyway, so they only bloat the ontology.
    return predicate in (str(RDFS.domain), str(RDFS.range))


def _is_error_message(triple, error_nodes: set) -> bool:
    subject, predicate, _ = triple
    return subject in error_nodes or str(predicate).startswith(_ERRORS)


def infer(ontology: Graph, data: Iterable[Graph], engine: str = "auto") -> InferenceResult:
    """Run the OWL 2 RL closure over `ontology` and `data`; return the kept new triples.

    engine: "auto" (the rules where they suffice, else owlrl), "rules" (raise
    fast_inference.Unsupported where they do not suffice) or "owlrl".
    """
    if engine not in ("auto", "rules", "owlrl"):
        raise ValueError(f"unknown inference engine {engine!r}")
    data = list(data)
    reason = None
    if engine in ("auto", "rules"):
        try:
            return _infer_with_rules(ontology, data)
        except fast_inference.Unsupported as unsupported:
            if engine == "rules":
                raise
            reason = str(unsupported)
    result = _infer_with_owlrl(ontology, data)
    result.fallback_reason = reason
    return result


def _infer_with_rules(ontology: Graph, data: list[Graph]) -> InferenceResult:
    asserted: set = set(ontology)
    for graph in data:
        asserted.update(graph)
    literal = fast_inference.ill_typed_literal(asserted)
    if literal is not None:
        raise fast_inference.Unsupported(f"an ill-typed literal: {literal.n3()}")
    closure = fast_inference.materialise(asserted)
    kept = Graph()
    kept.addN((s, p, o, kept) for s, p, o in closure - asserted
              if not _is_noise((s, p, o)))
    return InferenceResult(kept, 0, [], engine="rules")


def infer_ntriples(asserted: set[tuple[str, str, str]]) -> InferenceResult:
    """The build's inference, its only path: the rules on N-Triples term strings
    (sozialgraph.rdf.ntriples), the kept triples as a set of them. Graphs that need more of
    OWL 2 RL than the rules raise rules.Unsupported naming what the rules lack (owlrl is the
    reference in the tests, not a second engine of the build)."""
    literal = ntriples.ill_typed_literal(asserted)
    if literal is not None:
        raise fast_inference.Unsupported(f"an ill-typed literal: {literal.n3()}")
    closure = fast_inference.materialise(asserted, fast_inference.NTRIPLES)
    kept = {t for t in closure - asserted if not _is_noise(t, fast_inference.NTRIPLES)}
    return InferenceResult(kept, 0, [], engine="rules")


def _infer_with_owlrl(ontology: Graph, data: list[Graph]) -> InferenceResult:
    closure = merge([ontology, *data])
    asserted = set(closure)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(closure)
    new = [t for t in closure if t not in asserted]
    error_nodes = set(closure.subjects(RDF.type, URIRef(_ERRORS + "ErrorMessage")))
    messages = sorted(str(m) for n in error_nodes
                      for m in closure.objects(n, URIRef(_ERRORS + "error")))
    kept = Graph()
    dropped = 0
    for triple in new:
        if _is_error_message(triple, error_nodes) or _is_noise(triple):
            dropped += 1
        else:
            kept.add(triple)
    return InferenceResult(kept, dropped, messages)
