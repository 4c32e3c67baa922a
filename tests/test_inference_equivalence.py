"""The fast paths of the build give the same results as the libraries they stand in for:

- inference: the rule materialisation (sozialgraph.inference.rules) keeps exactly the triples owlrl's
  closure keeps, on the project's real graphs and on synthetic data (same parsed graphs, so blank
  nodes are the same objects); graphs outside the rules fall back to owlrl;
- validation: parsing each sh:sparql text once (sozialgraph.validation.prepared_queries), finding constraint
  parameters by set lookup (sozialgraph.validation.pyshacl_tuning) and adding the RDFS
  entailments with sozialgraph.inference.rules instead of pySHACL's RDFS closure give the same report
  as pySHACL alone, on the real graphs and on synthetic data with violations.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.plugins.sparql import processor

from sozialgraph import settings as config
from sozialgraph.inference import rules as fast_inference
from sozialgraph.inference.owl import infer
from sozialgraph.rdf.parse import merge, read_graph
from sozialgraph.validation.prepared_queries import prepared_queries
from sozialgraph.validation.validate import load_shapes, validate

EX = Namespace("http://example.org/")


@pytest.fixture(scope="module")
def real():
    ontology = read_graph(config.ONTOLOGY_DIR / "sozialgraph.ttl")
    data = [read_graph(p) for p in sorted(config.GRAPHS_DIR.glob("*.ttl"))]
    return ontology, data


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from sozialgraph_synth import synth

    out = tmp_path_factory.mktemp("synth")
    synth.generate(synth.MIN_TRIPLES, 3, out)
    return synth.load_graph(out, ontology=False)


def _same(rules, owlrl):
    assert rules.engine == "rules" and owlrl.engine == "owlrl"
    assert not owlrl.inconsistencies
    assert set(rules.triples) == set(owlrl.triples)


def test_rules_keep_what_owlrl_keeps_on_the_real_graphs(real):
    ontology, data = real
    rules = infer(ontology, data)  # auto: the rules suffice for the project's ontology
    owlrl = infer(ontology, data, engine="owlrl")
    _same(rules, owlrl)
    assert len(rules.triples) > 1000


def test_rules_keep_what_owlrl_keeps_on_synthetic_data(real, synthetic):
    ontology, _ = real
    _same(infer(ontology, [synthetic]), infer(ontology, [synthetic], engine="owlrl"))


def test_every_rule_against_owlrl():
    """A small graph that uses each handled construct, chained: equivalences, oneOf, a
    transitive super-property of an inverse, a symmetric sub-property, domains and ranges."""
    g = Graph()
    for s, p, o in [
        (EX.A, RDFS.subClassOf, EX.B), (EX.B, RDFS.subClassOf, EX.C),
        (EX.C, OWL.equivalentClass, EX.D), (EX.p, RDFS.subPropertyOf, EX.q),
        (EX.q, OWL.inverseOf, EX.r), (EX.r, RDF.type, OWL.TransitiveProperty),
        (EX.s, RDF.type, OWL.SymmetricProperty), (EX.s, RDFS.subPropertyOf, EX.r),
        (EX.q, RDFS.domain, EX.A), (EX.r, RDFS.range, EX.E), (EX.e, OWL.equivalentProperty,
                                                               EX.p),
        (EX.t, RDFS.range, XSD.integer), (EX.f, RDF.type, OWL.FunctionalProperty),
        (EX.x, EX.p, EX.y), (EX.y, EX.p, EX.z), (EX.z, EX.s, EX.w), (EX.w, EX.e, EX.v),
        (EX.x, EX.t, Literal(3)), (EX.x, EX.f, Literal("one")), (EX.b, EX.q, BNode("n1")),
    ]:
        g.add((s, p, o))
    members = BNode("list")
    g.add((EX.Colour, OWL.oneOf, members))
    g.add((members, RDF.first, EX.red))
    g.add((members, RDF.rest, RDF.nil))
    ontology = Graph()
    rules, owlrl = infer(ontology, [g]), infer(ontology, [g], engine="owlrl")
    _same(rules, owlrl)
    kept = rules.triples
    assert (EX.red, RDF.type, EX.Colour) in kept
    assert (EX.z, EX.r, EX.x) in kept  # inverse, then transitive
    assert (EX.w, EX.s, EX.z) in kept  # symmetric
    assert (EX.x, RDF.type, EX.D) in kept  # domain, hierarchy, equivalence


@pytest.mark.parametrize("axiom", [
    (EX.C, OWL.someValuesFrom, EX.D),  # restrictions are not among the rules
    (EX.C, OWL.disjointWith, EX.D),
])
def test_other_owl_falls_back_to_owlrl(axiom):
    g = Graph()
    g.add(axiom)
    g.add((EX.x, RDF.type, EX.C))
    result = infer(Graph(), [g])
    assert result.engine == "owlrl" and "uses" in result.fallback_reason
    with pytest.raises(fast_inference.Unsupported):
        infer(Graph(), [g], engine="rules")


def test_same_as_falls_back_to_owlrl():
    g = Graph()
    g.add((EX.f, RDF.type, OWL.FunctionalProperty))
    g.add((EX.x, EX.f, EX.a))
    g.add((EX.x, EX.f, EX.b))
    result = infer(Graph(), [g])
    assert result.engine == "owlrl" and "functional" in result.fallback_reason
    assert result.distinct_same_as >= 1  # owlrl's owl:sameAs is kept, as before


def test_ill_typed_literal_falls_back_to_owlrl():
    g = Graph()
    g.add((EX.x, EX.n, Literal("zwölf", datatype=XSD.integer)))
    assert infer(Graph(), [g]).engine == "owlrl"


# ---- validation ---------------------------------------------------------------------------------

def _results(result):
    return sorted((str(r["severity"]), str(r["focusNode"]), str(r["path"]), str(r["value"]),
                   str(r["constraintComponent"]), r["message"]) for r in result.results)


def test_fast_validation_gives_the_same_report_on_the_real_graphs(real):
    ontology, data = real
    shapes = load_shapes()
    union = merge(data)
    fast = validate(union, shapes, ontology)
    plain = validate(union, shapes, ontology, fast=False)  # pySHACL alone, RDFS by owlrl
    assert fast.conforms == plain.conforms
    assert _results(fast) == _results(plain)
    assert len(fast.results) >= 1  # the real graphs have warnings
    assert len(fast.report) == len(plain.report)
    assert processor.SPARQLProcessor.query is _original_query  # restored after the block


def test_fast_validation_gives_the_same_report_with_violations(real, synthetic):
    """Synthetic data with quotes of the wrong length, broken double budgets, a literal where an
    actor belongs (typed by the range, as owlrl's RDFS closure does) and an untyped measure that
    is one only through a domain, so that the SPARQL constraints and the RDFS entailments decide
    results for some focus nodes and not for others."""
    ontology, _ = real
    data = Graph()
    for triple in synthetic:
        data.add(triple)
    oa = Namespace("http://www.w3.org/ns/oa#")
    sg = Namespace("https://w3id.org/sozialgraph/ontology#")
    for count, (node, end) in enumerate(list(data.subject_objects(oa.end))[:7]):
        data.set((node, oa.end, Literal(int(end) + 1 + count)))
    for node in list(data.subjects(sg.periodType, sg.DoubleBudget))[:3]:
        data.set((node, sg.periodEnd, Literal("2031", datatype=XSD.gYear)))
    measure = next(iter(data.subjects(RDF.type, sg.Programme)))
    data.add((measure, sg.responsibleActor, Literal("das Ministerium")))
    data.add((EX.untyped, sg.responsibleActor, measure))
    shapes = load_shapes()
    fast = validate(data, shapes, ontology)
    plain = validate(data, shapes, ontology, fast=False)
    assert not fast.conforms
    assert _results(fast) == _results(plain)
    assert len(_results(fast)) >= 9
    without_ontology = validate(data, shapes)
    assert _results(without_ontology) == _results(validate(data, shapes, fast=False))


def test_rdfs_shortcut_only_for_shapes_that_cannot_see_the_difference():
    from sozialgraph.validation.validate import _rdfs_shortcut_allowed

    assert _rdfs_shortcut_allowed(load_shapes())
    shapes = Graph()
    shapes.add((EX.S, SH.targetClass, RDFS.Resource))
    assert not _rdfs_shortcut_allowed(shapes)
    shapes = Graph()
    shapes.add((EX.S, SH.select, Literal("SELECT $this WHERE { $this rdfs:subPropertyOf ?p }")))
    assert not _rdfs_shortcut_allowed(shapes)
    shapes = Graph()
    shapes.add((EX.S, SH.select, Literal("SELECT $this WHERE { $this rdfs:label ?l }")))
    assert _rdfs_shortcut_allowed(shapes)


_original_query = processor.SPARQLProcessor.query


def test_constraint_lookup_only_inside_the_block():
    import pyshacl.shape

    from sozialgraph.validation.pyshacl_tuning import constraint_lookup

    before = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None)
    with constraint_lookup():
        params, _ = pyshacl.shape.CONSTRAINT_PARAMS
        assert SH.minCount in params and SH.minCount in params.copy()
        assert list(params) == list(pyshacl.constraints.ALL_CONSTRAINT_PARAMETERS)
        extended = params.copy()
        extended.append(EX.custom)
        assert EX.custom in extended and EX.custom not in params
    assert getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None) is before


def test_prepared_queries_cache_only_inside_the_block():
    before = processor.SPARQLProcessor.query
    with prepared_queries():
        assert processor.SPARQLProcessor.query is not before
        g = Graph()
        g.add((EX.a, EX.p, Literal(1)))
        g.add((EX.b, EX.p, Literal(2)))
        text = "SELECT ?v WHERE { ?this <http://example.org/p> ?v }"
        assert [r.v for r in g.query(text, initBindings={"this": EX.a})] == [Literal(1)]
        assert [r.v for r in g.query(text, initBindings={"this": EX.b})] == [Literal(2)]
        with prepared_queries():  # nested blocks share the cache
            assert [r.v for r in g.query(text, initBindings={"this": EX.a})] == [Literal(1)]
    assert processor.SPARQLProcessor.query is before
    assert URIRef  # the names used above are rdflib's
    assert SH.Violation and RDFS.label
