"""Property-based fuzzing of what clients send (hypothesis, bounded in examples and time): no
input to /sparql, /validate, /id/… or /downloads/… may answer 5xx or leave the server unable to
answer the next query. The app runs with its query workers and validators, as served."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storefixture import build_store, close_app, make_app

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

WORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION",
         "MINUS", "GRAPH", "SERVICE", "BIND", "VALUES", "FROM", "NAMED", "PREFIX", "BASE",
         "LIMIT", "ORDER BY", "GROUP BY", "HAVING", "COUNT(*)", "DISTINCT", "a", "?s", "?p",
         "?o", "?x", "<http://example.org/x>", "<x>", "ex:y", "ex:", "\"text\"", "\"a\"@de",
         "1", "2.5", "true", "{", "}", "(", ")", ".", ";", ",", "*", "+", "|", "/", "^", "!",
         "&&", "||", "=", "<", ">", "#", "\\u0053", "'", "\"\"\""]
query_text = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join),
    st.text(max_size=300),
    st.builds(lambda op, n: "SELECT * { FILTER(" + op.join(["1"] * n) + ") }",
              st.sampled_from(["+", "&&", "||", "*"]), st.integers(1, 30_000)),
    st.builds(lambda n: "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " }",
              st.integers(1, 5_000)),
)
rdf_body = st.one_of(
    st.text(max_size=400).map(str.encode),
    st.binary(max_size=400),
    st.builds(lambda n: ('{"@id": "http://e/a", "http://e/p": ' * n + "{}" + "}" * n).encode(),
              st.integers(1, 3_000)),
    st.builds(lambda n: ("<a:a> <a:p> " + "(" * n + ")" * n + " .").encode(),
              st.integers(1, 3_000)),
)
media_types = st.sampled_from(["text/turtle", "application/ld+json", "application/n-triples",
                               "application/rdf+xml", "application/trig", "application/n-quads",
                               "text/plain", "application/octet-stream", ""])
path_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = make_app(build_store(tmp_path_factory.mktemp("fuzz") / "store"), QUERY_TIMEOUT=5,
                   VALIDATE_TIMEOUT=10)
    yield app.test_client()
    close_app(app)


def _still_answers(client) -> None:
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


@FUZZ
@given(query=query_text, method=st.sampled_from(["GET", "POST"]))
def test_sparql_never_answers_5xx(client, query, method):
    if method == "GET":
        response = client.get("/sparql", query_string={"query": query})
    else:
        response = client.post("/sparql", data={"query": query})
    assert response.status_code < 500 or response.status_code == 503, response.data[:300]
    assert b"Traceback" not in response.data
    _still_answers(client)


@FUZZ
@given(body=rdf_body, media_type=media_types)
def test_validate_never_answers_5xx(client, body, media_type):
    response = client.post("/validate", data=body, headers={"Content-Type": media_type,
                                                           "Accept": "application/json"})
    assert response.status_code < 500 or response.status_code == 503, response.data[:300]
    _still_answers(client)


@FUZZ
@given(path=path_text, accept=st.sampled_from(["text/html", "text/turtle", "*/*", "x/y"]))
def test_linked_data_and_downloads_never_answer_5xx(client, path, accept):
    for prefix in ("/id/", "/downloads/", "/graph/", "/query/"):
        response = client.get(prefix + path, headers={"Accept": accept})
        assert response.status_code < 500, (prefix + path, response.data[:300])
