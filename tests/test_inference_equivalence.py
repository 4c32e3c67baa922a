"""The rule materialisation (sozialgraph.inference.rules) keeps exactly the triples owlrl's
closure keeps, on the project's real graphs and on synthetic data (same parsed graphs, so blank
nodes are the same objects); graphs outside the rules fall back to owlrl. The RDFS entailments
for validation are checked against pySHACL in tests/test_build_engines.py, which proves the
production SHACL engine (pyshacl-turbo) against pySHACL.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from sozialgraph import settings as config
from sozialgraph.inference import rules as fast_inference
from sozialgraph.inference.owl import infer
from sozialgraph.rdf.parse import read_graph
from sozialgraph.validation.engine import load_shapes

pytestmark = pytest.mark.slow

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
    # a chain of a super-property and a symmetric one (prp-spo2): x q y, y s x' -> x g x'
    links, second = BNode("chain"), BNode("chain2")
    g.add((EX.g, OWL.propertyChainAxiom, links))
    g.add((links, RDF.first, EX.q))
    g.add((links, RDF.rest, second))
    g.add((second, RDF.first, EX.s))
    g.add((second, RDF.rest, RDF.nil))
    ontology = Graph()
    rules, owlrl = infer(ontology, [g]), infer(ontology, [g], engine="owlrl")
    _same(rules, owlrl)
    kept = rules.triples
    assert (EX.red, RDF.type, EX.Colour) in kept
    assert (EX.z, EX.r, EX.x) in kept  # inverse, then transitive
    assert (EX.w, EX.s, EX.z) in kept  # symmetric
    assert (EX.x, RDF.type, EX.D) in kept  # domain, hierarchy, equivalence
    assert (EX.y, EX.g, EX.w) in kept  # chain: y q z (super-property of p), z s w


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

def test_rdfs_shortcut_only_for_shapes_that_cannot_see_the_difference():
    from sozialgraph.validation.engine import rdfs_shortcut_allowed

    assert rdfs_shortcut_allowed(load_shapes())
    shapes = Graph()
    shapes.add((EX.S, SH.targetClass, RDFS.Resource))
    assert not rdfs_shortcut_allowed(shapes)
    shapes = Graph()
    shapes.add((EX.S, SH.select, Literal("SELECT $this WHERE { $this rdfs:subPropertyOf ?p }")))
    assert not rdfs_shortcut_allowed(shapes)
    shapes = Graph()
    shapes.add((EX.S, SH.select, Literal("SELECT $this WHERE { $this rdfs:label ?l }")))
    assert rdfs_shortcut_allowed(shapes)
