"""Safety: nothing a client sends makes the server reach outside its store, change it, hang or
crash. Refusals are checked through HTTP in every spelling the grammar allows; so are the limits
on time, request size and result size."""

from __future__ import annotations

import doctest
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
from storefixture import GRAPH_ACTORS, GRAPH_INFERRED, build_store, close_app, make_app

from sozialgraph.sparql import check as safety
from sozialgraph.sparql.check import UnsafeQuery, check_query, tokenize
from sozialgraph.sparql.executor import Failure, QueryTask, WorkerPool

REMOTE = "http://example.org/sparql"
SG = "https://w3id.org/sozialgraph/"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("safety") / "store", generated=300)


@pytest.fixture(scope="module")
def app(store_path):
    app = make_app(store_path, MAX_BODY_BYTES=10_000, MAX_RESULT_ROWS=50)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def ask(client, query, **params):
    return client.post("/sparql", data={"query": query, **params})


def test_doctests():
    assert doctest.testmod(safety).failed == 0


def test_tokens_hide_keywords_in_strings_iris_and_comments():
    tokens = tokenize('SELECT ?service { <http://x/service> ?p """a SERVICE\n""" } # SERVICE')
    assert [(t.kind, t.text) for t in tokens if t.kind != "punct"] == [
        ("word", "SELECT"), ("var", "?service"), ("iri", "<http://x/service>"),
        ("var", "?p"), ("string", '"""a SERVICE\n"""')]


# --- refused: federation, updates, graphs outside the store --------------------------------

REFUSED = {
    "plain": f"SELECT * WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}",
    "lower case": f"select * where {{ service <{REMOTE}> {{ ?s ?p ?o }} }}",
    "mixed case": f"SELECT * WHERE {{ SeRvIcE <{REMOTE}> {{ ?s ?p ?o }} }}",
    "silent": f"SELECT * WHERE {{ SERVICE SILENT <{REMOTE}> {{ ?s ?p ?o }} }}",
    "variable": f"SELECT * WHERE {{ BIND(<{REMOTE}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "comment between": f"SELECT * WHERE {{ SERVICE # where\n <{REMOTE}> {{ ?s ?p ?o }} }}",
    "comment glued": f"SELECT * WHERE {{ SERVICE#x\n<{REMOTE}>{{ ?s ?p ?o }} }}",
    "no space": f"SELECT * WHERE {{ ?x ?y ?z .SERVICE<{REMOTE}>{{ ?s ?p ?o }} }}",
    "after a number": f"SELECT * WHERE {{ ?x ?y 1SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}",
    "after true": f"SELECT * WHERE {{ ?x ?y trueSERVICE <{REMOTE}> {{ ?s ?p ?o }} }}",
    "after a string": f'SELECT * WHERE {{ ?x ?y "z"SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}',
    "glued prefixed name": "PREFIX ex: <http://example.org/> "
                           "SELECT * WHERE { SERVICEex:sparql { ?s ?p ?o } }",
    "escaped \\u": f"SELECT * WHERE {{ \\u0053ERVICE <{REMOTE}> {{ ?s ?p ?o }} }}",
    "escaped \\U": f"SELECT * WHERE {{ \\U00000073ervice <{REMOTE}> {{ ?s ?p ?o }} }}",
    "relative with BASE": "BASE <http://example.org/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
    "LOAD": f"LOAD <{REMOTE}>",
    "load lower case": f"load <{REMOTE}> into graph <urn:g>",
    "INSERT": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE": "DELETE WHERE { ?s ?p ?o }",
    "CLEAR": "CLEAR ALL",
    "DROP": f"DROP GRAPH <{GRAPH_ACTORS}>",
    "FROM remote": "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }",
    "from lower case": "select * from <http://example.org/data.ttl> where { ?s ?p ?o }",
    "FROM NAMED remote": "SELECT * FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }",
    "FROM comment": "SELECT * FROM # graph\n <http://example.org/g> WHERE { ?s ?p ?o }",
    "FROM glued": "SELECT*FROM<http://example.org/g>{ ?s ?p ?o }",
    "FROMNAMED glued": "SELECT*FROMNAMED<http://example.org/g>{ ?s ?p ?o }",
    "FROM prefixed": "PREFIX ex: <http://example.org/> SELECT * FROM ex:g WHERE { ?s ?p ?o }",
    "FROM prefixed glued": "PREFIX ex: <http://example.org/> SELECT * FROMex:g { ?s ?p ?o }",
    "FROM NAMED prefixed glued": "PREFIX ex: <http://example.org/> "
                                 "SELECT * FROM NAMEDex:g { ?s ?p ?o }",
    "FROM escaped IRI": f"SELECT * FROM <{SG}graph/actor\\u0073x> {{ ?s ?p ?o }}",
    "FROM escaped keyword": "SELECT * \\u0046ROM <http://example.org/g> { ?s ?p ?o }",
    "FROM relative": "BASE <http://example.org/> SELECT * FROM <graph/actors> { ?s ?p ?o }",
    "FROM undeclared prefix": "SELECT * FROM nope:g WHERE { ?s ?p ?o }",
    "FROM without IRI": "SELECT * FROM ?g WHERE { ?s ?p ?o }",
    "deep nesting": "SELECT * { FILTER(" + "(" * 1000 + "1" + ")" * 1000 + ") }",
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=REFUSED.keys())
def test_refused_before_evaluation(client, query):
    for response in (ask(client, query), client.get("/sparql", query_string={"query": query})):
        assert response.status_code == 400, response.data
        text = response.get_data(as_text=True)
        assert any(word in text for word in ("SERVICE", "update keyword", "read-only", "FROM",
                                             "not a graph of this store", "nests")), text


@pytest.mark.parametrize("request_form", [
    {"query": f"SELECT * WHERE {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}"},
    {"query": "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }"},
    {"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://example.org/elsewhere"},
    {"query": "DELETE WHERE { ?s ?p ?o }"},
    {"update": "CLEAR ALL"},
], ids=["service", "from", "default-graph-uri", "update-keyword", "update"])
def test_policy_refusals_say_they_are_policy(client, request_form):
    """What the service will not do by policy is told apart from a fault of the query: the
    message starts `refused by policy:` (docs/endpoint.md; the W3C runs count on it)."""
    response = client.post("/sparql", data=request_form)
    assert response.status_code in (400, 403)
    assert "refused by policy: " in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["SELECT * WHERE {", "SELECT ?x WHERE { ?x ?p }",
                                   "ASK { FILTER(<urn:x:no-such-function>(1)) }"])
def test_faults_of_the_query_are_not_called_policy(client, query):
    response = ask(client, query)
    assert response.status_code == 400
    assert "policy" not in response.get_data(as_text=True)


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("graph", ["http://example.org/data.ttl", "file:///etc/passwd", ""])
def test_dataset_parameters_outside_the_store(client, param, graph):
    response = ask(client, "ASK { ?s ?p ?o }", **{param: graph})
    assert response.status_code == 400
    assert "not a graph of this store" in response.get_data(as_text=True)


ALLOWED = {
    "SERVICE in a literal": 'ASK { ?s ?p ?o FILTER(?o != "SERVICE <http://x/> {}") }',
    "SERVICE in a long literal": "ASK { ?s ?p ?o FILTER(?o != '''SERVICE\nLOAD''') }",
    "escaped quote in a literal": 'ASK { ?s ?p ?o FILTER(?o != "a\\"SERVICE") }',
    "\\u quote in a literal": 'ASK { ?s ?p ?o FILTER(?o != "a\\u0022b") }',
    "SERVICE in an IRI": "ASK { ?s <http://example.org/service> ?o } ",
    "SERVICE in a comment": "# SERVICE <http://example.org/> LOAD FROM <x>\nASK { ?s ?p ?o }",
    "SERVICE as a variable": "SELECT ?service ?load ?from WHERE { ?service ?load ?from } LIMIT 1",
    "SERVICE as a local name": "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
                               "ASK { ?s a sd:Service }",
    "FROM an existing graph": f"SELECT * FROM <{GRAPH_ACTORS}> WHERE {{ ?s ?p ?o }}",
    "from, lower case": f"select * from <{GRAPH_ACTORS}> where {{ ?s ?p ?o }}",
    "FROM NAMED existing": f"SELECT * FROM NAMED <{GRAPH_INFERRED}> WHERE {{ GRAPH ?g {{}} }}",
    "FROM prefixed existing": f"PREFIX sgg: <{SG}graph/> SELECT * FROM sgg:actors {{ ?s ?p ?o }}",
    "FROM escaped existing": f"SELECT * FROM <{SG}graph/actor\\u0073> {{ ?s ?p ?o }}",
    "FROM relative existing": f"BASE <{SG}> SELECT * FROM <graph/actors> {{ ?s ?p ?o }}",
}


@pytest.mark.parametrize("query", ALLOWED.values(), ids=ALLOWED.keys())
def test_no_false_positives(client, query):
    response = ask(client, query)
    assert response.status_code == 200, response.data


def test_from_existing_graph_is_the_dataset(client):
    query = (f"PREFIX sgg: <{SG}graph/> "
             "SELECT (COUNT(*) AS ?n) FROM sgg:actors WHERE { ?s ?p ?o }")
    response = ask(client, query)
    assert response.get_json()["results"]["bindings"][0]["n"]["value"] == "5"


def test_check_query_reads_the_dataset_like_the_engine():
    graphs = {"http://g/x", "http://g/NAMEDx"}
    dataset = check_query("PREFIX x: <http://g/> SELECT * FROM NAMEDx:x {}", graphs)
    assert dataset.named_graphs == ["http://g/x"] and dataset.default_graphs == []
    dataset = check_query("PREFIX NAMEDx: <http://g/NAMED> PREFIX x: <http://g/> "
                          "SELECT * FROM NAMEDx:x {}", graphs)
    assert dataset.default_graphs == ["http://g/NAMEDx"]
    with pytest.raises(UnsafeQuery):
        check_query("SELECT * FROM <http://g/y> {}", graphs)


def test_worker_has_no_network_even_if_a_check_were_missed(store_path):
    """Defence in depth: a SERVICE handed straight to a worker cannot connect (where the OS
    provides network namespaces)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    pool = WorkerPool(lambda: store_path, 1, 10)
    query = f"SELECT * {{ ?x ?y ?z SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
    outcome = pool.run(QueryTask(query, None, None, False, "json", None, 10))
    pool.close()
    if not pool.network_isolated:
        listener.close()
        pytest.skip("no network namespaces here")
    listener.settimeout(0.5)  # the query has ended: a connection would be waiting by now
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()
    assert isinstance(outcome, Failure)


# Every SPARQL keyword (and words that contain one) as a prefix name, declared, used as a name
# and quoted in a literal: rdflib's SPARQLStore sends every bound prefix with every query.
KEYWORDS = ("base prefix select construct describe ask order by limit offset distinct reduced "
            "from named where graph optional union filter service silent bind minus values as "
            "group having undef exists not in load clear drop create add move copy insert "
            "delete data with using default all into to a true false webservice fromage "
            "loader servicex").split()


@pytest.mark.parametrize("keyword", KEYWORDS)
def test_keywords_as_prefix_names_and_in_literals_pass(client, keyword):
    query = (f"PREFIX {keyword}: <http://example.org/{keyword}/> "
             f"SELECT ?o WHERE {{ ?s {keyword}:p ?o . {keyword}:x ?q ?r "
             f"FILTER(?o != \"{keyword.upper()} <http://x/> {{}}\") }} LIMIT 1")
    response = ask(client, query)
    assert response.status_code == 200, response.get_data(as_text=True)


def _bypasses(port: int) -> dict[str, str]:
    """Queries that pyoxigraph reads as SERVICE <listener> (each one connected to a listener in
    a probe run in process, without the check)."""
    target = f"<http://127.0.0.1:{port}/x>"
    prefixes = (f"PREFIX ex: <http://example.org/> PREFIX : <http://127.0.0.1:{port}/> "
                "PREFIX service: <http://example.org/s/> ")
    pattern = "{ ?x ?y ?z }"
    return {
        "escaped hash in a local name": f"{prefixes}SELECT * {{ BIND(ex:a.b\\# AS ?q) "
                                        f"SERVICE {target} {pattern} }}",
        "escaped quote in a local name": f"{prefixes}SELECT * {{ BIND(ex:a.b\\' AS ?q) "
                                         f"SERVICE {target} {pattern} }}",
        "declared service: before a group": f"{prefixes}SELECT * {{ ?s ?p ?o service:x "
                                            f"{pattern} }}",
        "SERVICE: with the default prefix": f"{prefixes}SELECT * {{ SERVICE:x {pattern} }}",
        "after a number": f"{prefixes}SELECT * {{ ?s ?p 1SERVICE {target} {pattern} }}",
    }


def test_lexical_tricks_cannot_hide_a_service_even_without_network_isolation(store_path):
    """With the workers' network isolation off, only the check stands between a query and the
    network: a listener on loopback must receive nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    app = make_app(store_path, QUERY_ISOLATE_NETWORK=False)
    try:
        client = app.test_client()
        for name, query in _bypasses(port).items():
            response = ask(client, query)
            assert response.status_code == 400, (name, response.get_data(as_text=True))
            assert "SERVICE" in response.get_data(as_text=True), name
        assert client.get("/health").get_json()["query_workers_network_isolated"] in (None, False)
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        close_app(app)
        listener.close()


def test_health_says_whether_the_workers_are_isolated(client):
    ask(client, "ASK { ?s ?p ?o }")  # a worker has started
    assert isinstance(client.get("/health").get_json()["query_workers_network_isolated"], bool)


# --- limits ---------------------------------------------------------------------------------


def test_request_body_limit_is_413(client):
    big = "ASK { ?s ?p ?o } #" + "x" * 20_000
    response = client.post("/sparql", data=big,
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "10000 bytes" in response.get_data(as_text=True)
    assert ask(client, big).status_code == 413


def test_long_query_string_is_414(client):
    response = client.get("/sparql", query_string={"query": "ASK {} #" + "x" * 20_000})
    assert response.status_code == 414
    assert "POST" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
])
def test_result_row_limit(client, query):
    response = ask(client, query)
    assert response.status_code == 400
    assert "more than 50 rows" in response.get_data(as_text=True)
    assert "LIMIT" in response.get_data(as_text=True)
    assert ask(client, query + " LIMIT 50").status_code == 200


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_time_limit_stops_the_query_and_the_server_goes_on(store_path):
    app = make_app(store_path, QUERY_TIMEOUT=1)
    client = app.test_client()
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": SLOW})
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert "query exceeded the time limit of 1 s" in response.get_data(as_text=True)
    assert ask(client, "ASK { ?s ?p ?o }").get_json()["boolean"] is True
    close_app(app)


def test_other_queries_are_answered_while_a_slow_one_runs(store_path):
    app = make_app(store_path, QUERY_TIMEOUT=2, QUERY_WORKERS=2)
    slow_result = {}
    slow = threading.Thread(target=lambda: slow_result.update(
        response=app.test_client().get("/sparql", query_string={"query": SLOW})))
    slow.start()
    time.sleep(0.3)
    started = time.monotonic()
    response = ask(app.test_client(), "ASK { ?s ?p ?o }")
    assert response.status_code == 200
    assert time.monotonic() - started < 2
    slow.join()
    assert slow_result["response"].status_code == 503
    close_app(app)


@pytest.fixture(scope="module")
def roomy_client(store_path):
    app = make_app(store_path, MAX_BODY_BYTES=1_000_000)
    yield app.test_client()
    close_app(app)


@pytest.mark.parametrize("query", [
    "SELECT * { FILTER(" + "1+" * 60_000 + "1) }",  # crashes the engine: the worker dies
    "\x00\x01 SELECT",
    "SELECT * { ?s ?p '''unterminated",
    "SELECT * { ?s ?p <unterminated",
    "SELECT * { ?s ?p \\uD800 }",
    "{" * 200,
])
def test_hostile_queries_never_bring_the_server_down(roomy_client, query):
    response = ask(roomy_client, query)
    assert response.status_code in (400, 500)
    assert "Traceback" not in response.get_data(as_text=True)
    assert ask(roomy_client, "ASK { ?s ?p ?o }").status_code == 200


def test_a_query_too_long_for_the_engine_is_refused_with_the_limit(roomy_client):
    response = ask(roomy_client, "SELECT * { FILTER(" + "1+" * 30_000 + "1) }")
    assert response.status_code == 400
    assert f"at most {safety.MAX_TOKENS}" in response.get_data(as_text=True)


def _children_running(module: str) -> list[int]:
    """The pids of this process's children started as `module` (sandbox children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and module in cmdline:
            found.append(int(entry.name))
    return found


def test_a_killed_query_worker_is_a_503_and_the_next_query_is_answered(store_path):
    app = make_app(store_path, QUERY_WORKERS=1, QUERY_TIMEOUT=30)
    client = app.test_client()
    heavy = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
             "?m ?n2 ?o . ?p ?q ?r }")
    outcome = {}
    try:
        assert ask(client, "ASK { ?s ?p ?o }").status_code == 200  # the worker has started
        worker = threading.Thread(target=lambda: outcome.setdefault("r", ask(client, heavy)))
        worker.start()
        time.sleep(1.0)
        pids = _children_running("sozialgraph.sparql.executor")
        assert pids
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        worker.join(30)
        assert outcome["r"].status_code == 503
        assert "stopped" in outcome["r"].get_data(as_text=True)
        assert ask(client, "ASK { ?s ?p ?o }").status_code == 200
    finally:
        close_app(app)
