"""Evaluation under the row limit (server/sozialgraph/sparql/executor.py): results are written in one pass with
their rows counted as they are written; a count that literals may have inflated is checked
exactly before a query is refused."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sozialgraph.sparql.executor import Answer, Failure, QueryTask, evaluate

PARSERS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
           "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
# Literals holding every row marker (and line breaks, quotes, brackets) the counting looks for.
TRICKY = 'x,{y [{ <result> \n z"},{"\r\n'


@pytest.fixture(scope="module")
def store():
    store = ox.Store()
    for i in range(30):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/{i}"),
                          ox.NamedNode("http://example.org/p"), ox.Literal(TRICKY * (i % 3))))
    return store


def task(fmt: str, max_rows: int) -> QueryTask:
    return QueryTask("SELECT ?s ?o ?unbound WHERE { ?s ?p ?o }", None, None, False, fmt, None,
                     max_rows)


def rows(answer: Answer, fmt: str) -> int:
    if fmt == "csv":  # pyoxigraph reads CSV results without types; count the subjects
        return answer.body.count(b"http://example.org/")
    return len(list(ox.parse_query_results(answer.body, format=PARSERS[fmt])))


@pytest.mark.parametrize("fmt", sorted(PARSERS))
@pytest.mark.parametrize("max_rows", [30, 31, 1000])
def test_results_within_the_limit_are_complete(store, fmt, max_rows):
    answer = evaluate(store, task(fmt, max_rows))
    assert isinstance(answer, Answer), answer
    assert rows(answer, fmt) == 30
    # the same bytes as pyoxigraph writes for the whole result
    solutions = store.query(task(fmt, max_rows).query)
    assert answer.body == solutions.serialize(format=PARSERS[fmt])


@pytest.mark.parametrize("fmt", sorted(PARSERS))
@pytest.mark.parametrize("max_rows", [0, 1, 29])
def test_results_over_the_limit_are_refused(store, fmt, max_rows):
    outcome = evaluate(store, task(fmt, max_rows))
    assert isinstance(outcome, Failure)
    assert outcome.kind == "too_many_rows"
    assert f"more than {max_rows} rows" in outcome.message


def test_empty_and_unbound_rows_are_counted(store):
    query = "SELECT * WHERE { { } UNION { } UNION { } }"
    for fmt in PARSERS:
        too_many = evaluate(store, QueryTask(query, None, None, False, fmt, None, 2))
        assert isinstance(too_many, Failure) and too_many.kind == "too_many_rows", fmt
        fits = evaluate(store, QueryTask(query, None, None, False, fmt, None, 3))
        assert isinstance(fits, Answer), fmt
