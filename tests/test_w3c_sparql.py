"""The W3C SPARQL 1.1 suites through `sozialgraph serve` over a store loaded with
`sozialgraph load`: every positive and negative syntax test (syntax-query, syntax-fed and the
syntax tests of the evaluation folders), and the query-evaluation folders (aggregates ... subquery,
SPARQL 1.0 graph and dataset). How tests are run and compared: sozialgraph_w3c.sparql and
.results; what fails and why: sozialgraph_w3c.expected; the counts: docs/conformance.md."""

from __future__ import annotations

import pytest
from w3c import assert_verdict, cases

from sozialgraph_w3c import suites
from sozialgraph_w3c.expected import SPARQL_FAILURES, SPARQL_POLICY
from sozialgraph_w3c.sparql import run_evaluation, run_syntax
from sozialgraph_w3c.stores import load_evaluation_store, our_endpoint

pytestmark = pytest.mark.e2e
FOLDERS = suites.SYNTAX_FOLDERS + suites.EVALUATION_FOLDERS


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    work = tmp_path_factory.mktemp("w3c-sparql")
    store = load_evaluation_store(work / "store", suites.evaluation_tests())
    with our_endpoint(store, work) as served:
        yield served


@pytest.mark.parametrize("test", cases(suites.syntax_tests, FOLDERS, SPARQL_FAILURES))
def test_syntax(endpoint, test):
    """Positive: 200 or a policy refusal saying so. Negative: 400 for the syntax error."""
    assert_verdict(test.name, run_syntax(endpoint, test), SPARQL_POLICY)


@pytest.mark.parametrize("test", cases(suites.evaluation_tests, FOLDERS, SPARQL_FAILURES))
def test_evaluation(endpoint, test):
    assert_verdict(test.name, run_evaluation(endpoint, test), SPARQL_POLICY)
