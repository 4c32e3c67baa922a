"""The build's engines at scale give the same results as the reference ones, on the real graphs,
on synthetic data and on data with violations:

- validation: pyshacl-turbo over N-Triples term strings (sozialgraph.validation.engine)
  gives pySHACL's results (tests/test_shapes.py runs every bad fixture through both as well);
- inference: the OWL 2 RL rules over N-Triples term strings (sozialgraph.inference.owl.infer_ntriples)
  keep the triples the rules over rdflib terms keep (which tests/test_inference_equivalence.py
  compares with owlrl), and fall back to owlrl in the same cases;
- RDFS entailments: the one-pass computation equals the iterative one.

The term strings come from the rdflib graphs through N-Triples, which keeps blank-node labels,
so results can be compared term by term.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from sozialgraph import settings as config
from sozialgraph.inference import rules as fast_inference
from sozialgraph.inference.owl import infer, infer_ntriples
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.parse import merge, read_graph
from sozialgraph.validation.engine import load_shapes, validate_ntriples, validate_pyshacl

pytestmark = pytest.mark.slow

EX = Namespace("http://example.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
SG = Namespace("https://w3id.org/sozialgraph/ontology#")


@pytest.fixture(scope="module")
def real():
    ontology = read_graph(config.ONTOLOGY_DIR / "sozialgraph.ttl")
    data = merge(read_graph(p) for p in sorted(config.GRAPHS_DIR.glob("*.ttl")))
    return ontology, data


@pytest.fixture(scope="module")
def broken(real, tmp_path_factory):
    """Synthetic data with violations that SPARQL constraints, RDFS entailments (a domain, a
    range typing a literal) and datatypes decide."""
    from sozialgraph_synth import synth

    out = tmp_path_factory.mktemp("synth")
    synth.generate(synth.MIN_TRIPLES, 5, out)
    data = merge([synth.load_graph(out, ontology=False)])
    for count, (node, end) in enumerate(list(data.subject_objects(OA.end))[:7]):
        data.set((node, OA.end, Literal(int(end) + 1 + count)))
    for node, aspect in list(data.subject_objects(SG.differsIn))[:3]:
        data.remove((node, SG.differsIn, aspect))  # a difference from the restated one unsaid
    measure = next(iter(data.subjects(RDF.type, SG.Programme)))
    data.add((measure, SG.responsibleActor, Literal("das Ministerium")))
    data.add((EX.untyped, SG.responsibleActor, measure))
    data.add((BNode("amount"), SG.amount, BNode("value")))  # a blank focus node
    return data


def _results(result) -> list[tuple]:
    """Results as comparable tuples. The messages of a SPARQL-based constraint are left out:
    pySHACL copies one of the constraint's messages (@de or @en, whichever its set yields first)
    without its language tag, and so does turbo, not always the same one."""
    return sorted((str(r["severity"]), str(r["focusNode"]), str(r["path"]), str(r["value"]),
                   str(r["constraintComponent"]), str(r["sourceShape"]),
                   *(() if str(r["constraintComponent"]).endswith("#SPARQLConstraintComponent")
                     else (r["message"], tuple(sorted(r["messages"].items())))))
                  for r in result.results)


def _validate_both(data: Graph, ontology: Graph):
    """Both engines under the build's policy (warnings tolerated), as the build runs them."""
    shapes = load_shapes()
    reference = validate_pyshacl(data, shapes, ontology, allow_warnings=True)
    turbo = validate_ntriples(ntriples.from_rdflib(merge([data, ontology])), load_shapes(),
                              allow_warnings=True)
    return reference, turbo


def test_turbo_gives_pyshacls_report_on_the_real_graphs(real):
    ontology, data = real
    reference, turbo = _validate_both(data, ontology)
    assert turbo.conforms and reference.conforms
    assert _results(turbo) == _results(reference)
    assert len(turbo.results) >= 1  # the real graphs have warnings
    assert turbo.text() == reference.text()


def test_turbo_gives_pyshacls_report_with_violations(real, broken):
    """The same results, except those pySHACL reports about a literal that a range types (a
    literal as focus node): Oxigraph cannot store a literal subject, so turbo never sees that
    typing. Each such literal is reported on the resource that states it too, by both
    (tests/test_shapes.py checks this for every object property)."""
    ontology, _ = real
    reference, turbo = _validate_both(broken, ontology)
    assert not turbo.conforms and not reference.conforms
    about_literals = [r for r in _results(reference) if r[1] == "das Ministerium"]
    assert about_literals  # the range of sg:responsibleActor types the literal sg:Actor
    expected = [r for r in _results(reference) if r not in about_literals]
    assert _results(turbo) == expected
    stated = [r for r in _results(turbo) if r[3] == "das Ministerium"]
    assert stated and all(r[0].endswith("Violation") for r in stated)
    assert len(turbo.results) >= 10
    # a blank focus node (_:amount, a funding by the domain of sg:amount) is described by its
    # triples, as in pySHACL's report
    assert "focus node: [ " in turbo.text() and "sg:amount [] ; " in turbo.text()


def test_shapes_that_could_see_more_rdfs_go_to_pyshacl(real):
    """A shape about rdfs:Resource sees what pySHACL's RDFS closure adds beyond the entailments
    computed here (every term a resource), so validate_ntriples hands such shapes to pySHACL."""
    ontology, data = real
    shapes = load_shapes()
    shapes.add((EX.Everything, RDF.type, SH.NodeShape))
    shapes.add((EX.Everything, SH.targetClass, RDFS.Resource))
    shapes.add((EX.Everything, SH.nodeKind, SH.IRI))
    turbo = validate_ntriples(ntriples.from_rdflib(merge([data, ontology])), shapes)
    reference = validate_pyshacl(data, shapes, ontology)

    def unlabelled(result) -> list[tuple]:  # pySHACL parses the strings again: new blank nodes
        return sorted(tuple("_" if isinstance(r[key], BNode) else str(r[key])
                            for key in ("severity", "focusNode", "constraintComponent"))
                      for r in result.results)

    assert unlabelled(turbo) == unlabelled(reference)
    assert not turbo.conforms  # blank nodes and literals are resources too, and not IRIs


# ---- inference ----------------------------------------------------------------------------------

def _kept_both(graph: Graph):
    by_rdflib = infer(Graph(), [graph])
    by_strings = infer_ntriples(ntriples.from_rdflib(graph))
    return by_rdflib, by_strings


def test_rules_on_strings_keep_what_rules_on_rdflib_keep(real, broken):
    ontology, data = real
    for graph in (merge([ontology, data]), merge([ontology, broken])):
        by_rdflib, by_strings = _kept_both(graph)
        assert by_rdflib.engine == by_strings.engine == "rules"
        assert by_strings.triples == ntriples.from_rdflib(by_rdflib.triples)
        assert len(by_strings.triples) > 1000


def test_rules_on_strings_refuse_what_the_rules_on_rdflib_hand_to_owlrl():
    """The build has one inference path: where the reference falls back to owlrl, the rules on
    strings stop and name what they lack (the build turns that into a BuildError)."""
    for axiom, named in [((EX.C, OWL.disjointWith, EX.D), str(OWL.disjointWith)),
                         ((EX.x, EX.n, Literal("zwölf", datatype=XSD.integer)), "zwölf")]:
        g = Graph()
        g.add(axiom)
        g.add((EX.x, RDF.type, EX.C))
        by_rdflib = infer(Graph(), [g])
        assert by_rdflib.engine == "owlrl" and by_rdflib.fallback_reason
        with pytest.raises(fast_inference.Unsupported, match=named):
            infer_ntriples(ntriples.from_rdflib(g))


def test_ill_typed_literals_are_found_in_strings_with_escapes():
    triples = ntriples.parse_text('<x:s> <x:p> "a\\"b"^^<http://www.w3.org/2001/XMLSchema#int> .\n'
                                  '<x:s> <x:p> "7"^^<http://www.w3.org/2001/XMLSchema#int> .\n')
    assert str(ntriples.ill_typed_literal(triples)) == 'a"b'


# ---- RDFS entailments ---------------------------------------------------------------------------

def _both_ways(graph: Graph) -> set:
    triples = ntriples.from_rdflib(graph)
    one_pass = fast_inference.rdfs_entailments(triples, fast_inference.NTRIPLES)
    assert one_pass == fast_inference.rdfs_entailments_by_work_list(triples, fast_inference.NTRIPLES)
    return one_pass


def test_rdfs_in_one_pass_equals_the_work_list(real, broken):
    ontology, data = real
    assert len(_both_ways(merge([ontology, data]))) > 1000
    assert len(_both_ways(merge([ontology, broken]))) > 1000


def test_rdfs_chains_domains_ranges_and_hierarchies():
    g = Graph()
    for triple in [(EX.A, RDFS.subClassOf, EX.B), (EX.B, RDFS.subClassOf, EX.C),
                   (EX.p, RDFS.subPropertyOf, EX.q), (EX.q, RDFS.subPropertyOf, EX.r),
                   (EX.r, RDFS.domain, EX.A), (EX.q, RDFS.range, EX.B),
                   (EX.x, EX.p, EX.y), (EX.x, EX.p, Literal(1)), (EX.z, RDF.type, EX.A)]:
        g.add(triple)
    new = _both_ways(g)
    s = ntriples.from_rdflib
    expected = s(merge([_graph((EX.x, EX.q, EX.y), (EX.x, EX.r, EX.y), (EX.x, RDF.type, EX.C),
                               (EX.y, RDF.type, EX.C), (EX.z, RDF.type, EX.C),
                               (EX.A, RDFS.subClassOf, EX.C))]))
    assert expected <= new
    assert ('"1"^^<http://www.w3.org/2001/XMLSchema#integer>', f"<{RDF.type}>",
            f"<{EX.B}>") in new  # a range types a literal, as owlrl does


def test_rdfs_with_a_schema_that_changes_falls_back_to_the_work_list():
    g = _graph((EX.narrower, RDFS.subPropertyOf, RDFS.subClassOf), (EX.A, EX.narrower, EX.B),
               (EX.x, RDF.type, EX.A))
    assert ntriples.from_rdflib(_graph((EX.x, RDF.type, EX.B))) <= _both_ways(g)


def _graph(*triples) -> Graph:
    g = Graph()
    for triple in triples:
        g.add(triple)
    return g
