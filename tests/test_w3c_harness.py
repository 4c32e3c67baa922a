"""The W3C harness can fail: answers that differ in a value, a multiplicity, a blank node's
sharing or the order under ORDER BY are told apart, and so are reports that differ in a result
(tools/w3c, sozialgraph_w3c.results and .shacl)."""

from __future__ import annotations

import doctest

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from sozialgraph_w3c import results
from sozialgraph_w3c.results import Answer, parse_answer, same_answer
from sozialgraph_w3c.shacl import read_report

A, B = URIRef("http://example.org/a"), URIRef("http://example.org/b")
XSD = "http://www.w3.org/2001/XMLSchema#"


def test_doctests():
    assert doctest.testmod(results).failed == 0


def solutions(*rows):
    return Answer(solutions=[dict(row) for row in rows])


def test_a_multiset_of_solutions():
    one = solutions({"x": A}, {"x": B})
    assert same_answer(one, solutions({"x": B}, {"x": A}), ordered=False)
    assert not same_answer(one, solutions({"x": B}, {"x": A}), ordered=True)
    assert not same_answer(one, solutions({"x": A}, {"x": A}), ordered=False)
    assert not same_answer(one, solutions({"x": A}, {"x": B}, {"x": B}), ordered=False)
    assert not same_answer(one, solutions({"x": A}, {"y": B}), ordered=False)


def test_blank_nodes_are_matched_up_but_their_sharing_counts():
    b1, b2 = BNode(), BNode()
    shared = solutions({"x": b1, "y": b1})
    assert same_answer(shared, solutions({"x": b2, "y": b2}), ordered=False)
    assert not same_answer(shared, solutions({"x": b1, "y": b2}), ordered=False)


def test_numbers_by_value_within_their_datatype_only():
    two = solutions({"n": Literal("2.0", datatype=XSD + "decimal")})
    assert same_answer(two, solutions({"n": Literal("2", datatype=XSD + "decimal")}), False)
    assert not same_answer(two, solutions({"n": Literal("2", datatype=XSD + "integer")}), False)
    assert not same_answer(two, solutions({"n": Literal("2.5", datatype=XSD + "decimal")}),
                           False)


def test_a_solution_that_binds_nothing_is_a_solution():
    body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
    assert parse_answer(body, "application/sparql-results+json").solutions == [{}]
    assert not same_answer(solutions({}), solutions(), ordered=False)


def test_booleans_and_graphs():
    assert not same_answer(Answer(boolean=True), Answer(boolean=False), ordered=False)
    g1, g2 = Graph(), Graph()
    g1.add((A, A, BNode()))
    g2.add((A, A, BNode()))
    assert same_answer(Answer(graph=g1), Answer(graph=g2), ordered=False)
    g2.add((A, B, A))
    assert not same_answer(Answer(graph=g1), Answer(graph=g2), ordered=False)


REPORT = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
[] a sh:ValidationReport ; sh:conforms false ; sh:result [ a sh:ValidationResult ;
   sh:focusNode ex:a ; sh:resultPath ( ex:p ex:q ) ; sh:value {value} ;
   sh:resultSeverity sh:Violation ; sh:sourceConstraintComponent sh:NodeKindConstraintComponent ;
   sh:sourceShape ex:s ; sh:resultMessage {message} ] .
"""


@pytest.mark.parametrize("value,message,same", [
    ('"v"', '"another message"', True),
    ('"w"', '"a message"', False),
])
def test_reports_compare_by_their_results_not_their_messages(value, message, same):
    def report(v, m):
        return read_report(Graph().parse(data=REPORT.format(value=v, message=m),
                                         format="turtle"))
    assert (report('"v"', '"a message"') == report(value, message)) is same
