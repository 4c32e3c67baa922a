"""Scale-out on an existing store: `sozialgraph push` into a real Oxigraph server, then the same
application served over it (`serve --remote`), compared answer for answer with the embedded store.

A real `oxigraph serve` (the binary of the `oxigraph` package in this virtualenv) runs on a free
loopback port with a temporary location; the project's real build (`built_store`) is pushed into
it. Authentication is checked against a small stand-in HTTP server (Oxigraph has none).
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
import requests
from remotecompare import (
    CATALOGUE,
    JSON_RESULTS,
    RDF_SUFFIXES,
    SCRIPT,
    canonical,
    dump_format,
    local_path,
    push,
    quads_per_graph,
    remote_count,
    rows,
    same_html_page,
    same_rdf,
    same_rows,
    wait_until,
)
from requests.utils import parse_dict_header
from storefixture import close_app, free_port, make_app

from sozialgraph.rdf.namespaces import EVIDENCE, FUNDING, GRAPH, MEASURE
from sozialgraph.store.embedded import GRAPH_INFERRED, open_store
from sozialgraph.store.http import Credentials, HttpClient, split_credentials
from sozialgraph.store.push import LINKS_QUERY
from sozialgraph.store.remote import MERGE_GRAPH, RemoteStore
from sozialgraph.web.app import create_app

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not OXIGRAPH.exists(),
    reason=f"the Oxigraph server binary is missing at {OXIGRAPH} (pip install oxigraph==0.5.13)")]


@contextmanager
def oxigraph_server(location: Path):
    """`oxigraph serve` on a free loopback port; yields its query endpoint; always stopped.
    Its own query timeout stops the engine when we stop waiting (see docs/scale-out.md)."""
    port, log = free_port(), location.with_suffix(".log")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
             "--timeout-s", "10"], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until(lambda: requests.get(url, params={"query": "ASK {}"}, timeout=2).ok,
                   "the Oxigraph server", process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# ---- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "db") as url:
        yield url


@pytest.fixture(scope="module")
def pushed(oxigraph, built_store):
    result = push("--to", oxigraph, "--store", str(built_store))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def local_counts(built_store):
    counts = quads_per_graph(built_store)
    counts["default"] = counts.pop(None)
    store = open_store(built_store)
    counts["links"] = int(next(iter(store.query(LINKS_QUERY)))["n"].value)
    del store
    return counts


@pytest.fixture(scope="module")
def local_app(built_store):
    app = make_app(built_store, QUERY_TIMEOUT=0)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def remote_app(pushed, oxigraph):
    return create_app({"TESTING": True, "REMOTE_ENDPOINT": oxigraph, "QUERY_TIMEOUT": 20})


@pytest.fixture(scope="module")
def local(local_app):
    return local_app.test_client()


@pytest.fixture(scope="module")
def remote(remote_app):
    return remote_app.test_client()


# ---- push ---------------------------------------------------------------------------------------

def test_push_copies_every_graph_and_counts_it_on_the_remote(pushed, oxigraph, local_counts):
    graphs = [g for g in local_counts if g.startswith(str(GRAPH))]
    assert GRAPH_INFERRED in graphs and len(graphs) >= 8
    for graph in graphs:  # counted again here, independently of push's own check
        assert remote_count(oxigraph, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == local_counts[graph]
        assert f"{graph} " in pushed.stdout and "DIFFERS" not in pushed.stdout
    # the build's default graph: as the remote's default graph and as the merge graph
    assert remote_count(oxigraph, "?s ?p ?o") == local_counts["default"]
    assert remote_count(oxigraph, f"GRAPH <{MERGE_GRAPH}> {{ ?s ?p ?o }}") \
        == local_counts["default"]
    assert "pushed in" in pushed.stdout and "(method dataset)" in pushed.stdout


def test_push_keeps_blank_nodes_shared_between_graphs(pushed, oxigraph, local_counts):
    named = [g for g in local_counts if g.startswith(str(GRAPH))]
    links = remote_count(oxigraph, "SELECT DISTINCT ?b WHERE { GRAPH ?g { ?b ?p ?o } ?b ?q ?v "
                                   "FILTER (isBlank(?b)) }",
                         **{"default-graph-uri": MERGE_GRAPH, "named-graph-uri": named})
    assert links == local_counts["links"] > 100


def test_push_again_replaces_and_no_replace_refuses(pushed, oxigraph, built_store,
                                                     local_counts):
    again = push("--to", oxigraph, "--store", str(built_store))
    assert again.exit_code == 0, again.output
    refused = push("--to", oxigraph, "--store", str(built_store), "--no-replace")
    assert refused.exit_code == 1
    assert "--no-replace" in refused.stderr and "already hold triples" in refused.stderr
    assert remote_count(oxigraph, "?s ?p ?o") == local_counts["default"]  # nothing doubled


def test_push_per_graph_keeps_counts_but_not_shared_blank_nodes(built_store, tmp_path,
                                                                local_counts):
    """Why `dataset` is the default: a server gives each request's blank nodes fresh
    identities, so graphs sent one by one no longer share them (the check says so)."""
    with oxigraph_server(tmp_path / "db") as url:
        result = push("--to", url, "--store", str(built_store), "--method", "graphs")
        assert result.exit_code == 0, result.output
        assert "warning: blank nodes shared between graphs" in result.stderr
        assert f"{local_counts['links']}         0  DIFFERS" in result.stdout
        graph = str(GRAPH["hmsi-bilanz"])
        assert remote_count(url, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == local_counts[graph]


def test_push_removes_graphs_of_an_earlier_build(built_store, tmp_path):
    with oxigraph_server(tmp_path / "db") as url:
        stale = str(GRAPH["dropped-document"])
        requests.put(url.replace("/query", "/store"), params={"graph": stale},
                     data=b"<urn:x:s> <urn:x:p> <urn:x:o> .",
                     headers={"Content-Type": "application/n-triples"}, timeout=10)
        result = push("--to", url, "--store", str(built_store))
        assert result.exit_code == 0, result.output
        assert f"removed {stale}" in result.stdout
        assert remote_count(url, f"GRAPH <{stale}> {{ ?s ?p ?o }}") == 0


def test_push_to_nquads_file_writes_the_same_layout(built_store, tmp_path, local_counts):
    target = tmp_path / "layout.nq"
    result = push("--nquads", str(target), "--store", str(built_store))
    assert result.exit_code == 0, result.output
    dataset = ox.Dataset(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS))
    for graph in (g for g in local_counts if g.startswith(str(GRAPH))):
        assert len(list(dataset.quads_for_graph_name(ox.NamedNode(graph)))) \
            == local_counts[graph]
    for graph in (ox.NamedNode(MERGE_GRAPH), ox.DefaultGraph()):
        assert len(list(dataset.quads_for_graph_name(graph))) \
            == local_counts["default"]


def test_push_without_target_or_with_unreachable_store_exits_2(built_store):
    assert push("--store", str(built_store)).exit_code == 2
    result = push("--to", f"http://127.0.0.1:{free_port()}/query", "--store", str(built_store))
    assert result.exit_code == 2 and "push failed" in result.stderr


def test_graph_store_is_derived_from_the_query_endpoint():
    from sozialgraph.store.push import PushError, derive_graph_store

    assert derive_graph_store("http://h:7878/query") == "http://h:7878/store"
    assert derive_graph_store("http://h:7878/sparql") == "http://h:7878/store"
    assert derive_graph_store("http://h:3030/ds/sparql") == "http://h:3030/ds/data"
    assert derive_graph_store("http://h:3030/ds/query") == "http://h:3030/ds/data"
    with pytest.raises(PushError):
        derive_graph_store("http://h/sparql-auth")


# ---- the same answers through the remote store --------------------------------------------------

@pytest.mark.parametrize("inference", ["false", "true"])
@pytest.mark.parametrize("query", CATALOGUE, ids=[q.slug for q in CATALOGUE])
def test_curated_query_answers_the_same(local, remote, query, inference):
    form = {"query": query.text, "inference": inference}
    a = local.post("/sparql", data=form, headers={"Accept": JSON_RESULTS})
    b = remote.post("/sparql", data=form, headers={"Accept": JSON_RESULTS})
    assert a.status_code == b.status_code == 200, b.get_data(as_text=True)
    expected, got = rows(a.data), rows(b.data)
    assert expected, "the curated query should find something"
    assert same_rows(expected, got, "ORDER BY" in query.text.upper())


@pytest.mark.parametrize("fmt", ["csv", "xml", "tsv"])
def test_other_result_formats_are_the_same_bytes(local, remote, fmt):
    query = CATALOGUE[0].text
    a = local.post("/sparql", data={"query": query, "format": fmt})
    b = remote.post("/sparql", data={"query": query, "format": fmt})
    assert (a.status_code, a.content_type, a.data) == (b.status_code, b.content_type, b.data)


@pytest.mark.parametrize("iri", [MEASURE["kita-ausbau"], FUNDING["kita-ausbau-169-mio"],
                                 EVIDENCE["hmsi-bilanz/kita-ausbau-169-mio"],
                                 GRAPH["hmsi-bilanz"]])
def test_linked_data_is_the_same(local, remote, iri):
    path = local_path(iri)
    for suffix, fmt in RDF_SUFFIXES:
        a, b = local.get(path + suffix), remote.get(path + suffix)
        assert a.status_code == b.status_code == 200
        assert a.content_type == b.content_type
        assert same_rdf(a.data, b.data, fmt)
    a, b = local.get(path), remote.get(path)  # HTML: the same page, up to blank node labels
    assert a.status_code == b.status_code == 200
    assert same_html_page(a.get_data(as_text=True), b.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/.well-known/void", "/ontology", "/", "/sparql?format=ttl",
                                  "/ui", "/shapes"])
def test_pages_and_descriptions_are_the_same_bytes(local, remote, path):
    a, b = local.get(path), remote.get(path)
    assert (a.status_code, a.content_type) == (b.status_code, b.content_type)
    assert a.data == b.data


@pytest.mark.parametrize("path", ["/downloads/sozialgraph.nq",
                                  "/downloads/sozialgraph-asserted.trig",
                                  "/downloads/hmsi-bilanz.ttl", "/downloads/inferred.ttl",
                                  "/ontology.ttl"])
def test_dumps_are_the_same_data(local, remote, path):
    """The same triples, blank nodes matched up (RDFC-1.0); the order of the lines may differ."""
    a, b = local.get(path), remote.get(path)
    assert a.status_code == b.status_code == 200 and a.content_type == b.content_type
    fmt = dump_format(path)
    assert canonical(a.data, fmt) == canonical(b.data, fmt)


def test_unknown_iri_is_404_on_both(local, remote):
    path = local_path(MEASURE["gibt-es-nicht"])
    assert local.get(path).status_code == remote.get(path).status_code == 404


def test_health_reports_the_remote_store(remote, local, oxigraph):
    a, b = local.get("/health").get_json(), remote.get("/health").get_json()
    assert b["status"] == "ok" and b["store"] == oxigraph
    assert (a["graphs"], a["quads"], a["inferred_graph"]) == (b["graphs"], b["quads"], True)


# ---- safety and limits in remote mode -----------------------------------------------------------

@pytest.mark.parametrize("query,status,words", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400, "SERVICE"),
    ("LOAD <http://example.org/data.ttl>", 400, "LOAD"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", 400, "not a graph of this store"),
    ('DEFINE input:grab-all "yes" SELECT * WHERE { ?s ?p ?o }', 400, "DEFINE"),
    ("SELECT * WHERE { ?s ?p ?o OPTION (get:soft \"soft\") }", 400, "OPTION"),
    ("SELECT (<bif:http_get>('http://example.org/') AS ?x) WHERE {}", 400, "bif:"),
    ("SELECT (bif:http_get('http://example.org/') AS ?x) WHERE {}", 400, "bif:"),
    ("SELECT * WHERE {", 400, "syntax error"),
])
def test_remote_mode_refuses_what_reaches_outside(remote, query, status, words):
    answer = remote.post("/sparql", data={"query": query})
    assert answer.status_code == status
    assert words in answer.get_data(as_text=True)


def test_relative_iris_resolve_against_the_endpoint_on_both(local, remote):
    """A query without BASE resolves relative IRIs against the endpoint's own URL (SPARQL 1.1
    Protocol), not against the remote server's."""
    for client in (local, remote):
        answer = client.post("/sparql", data={"query": "SELECT (<relative> AS ?x) WHERE {}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["results"]["bindings"][0]["x"]["value"] == \
            "http://localhost/relative"


def test_remote_mode_refuses_updates(remote):
    assert remote.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 403


def test_row_limit_applies_to_the_remote(remote_app, oxigraph, built_store):
    many = "SELECT * WHERE { ?s ?p ?o }"
    embedded = make_app(built_store, QUERY_TIMEOUT=0, MAX_RESULT_ROWS=10)
    try:
        expected = embedded.test_client().post("/sparql", data={"query": many})
    finally:
        close_app(embedded)
    client = create_app({"TESTING": True, "REMOTE_ENDPOINT": oxigraph,
                         "MAX_RESULT_ROWS": 10}).test_client()
    answer = client.post("/sparql", data={"query": many})
    assert answer.status_code == expected.status_code == 400
    assert answer.data == expected.data  # the same message
    assert client.post("/sparql", data={"query": many + " LIMIT 10"}).status_code == 200


def test_time_limit_applies_to_the_remote(built_store, tmp_path):
    """The app stops waiting at QUERY_TIMEOUT. Oxigraph's own --timeout-s stops the engine only
    at its checkpoints (much later for this query), so this test has a server of its own."""
    with oxigraph_server(tmp_path / "db") as url:
        assert push("--to", url, "--store", str(built_store)).exit_code == 0
        client = create_app({"TESTING": True, "REMOTE_ENDPOINT": url,
                             "QUERY_TIMEOUT": 1}).test_client()
        started = time.monotonic()
        slow = client.post("/sparql", data={"query": HEAVY})
        assert slow.status_code == 503 and "time limit of 1 s" in slow.get_data(as_text=True)
        assert time.monotonic() - started < 5


def test_unreachable_remote_store_answers_503():
    app = create_app({"TESTING": True, "QUERY_TIMEOUT": 5,
                      "REMOTE_ENDPOINT": f"http://127.0.0.1:{free_port()}/query"})
    client = app.test_client()
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 503
    assert client.get("/health").status_code == 503
    assert client.get(local_path(MEASURE["kita-ausbau"]) + ".ttl").status_code == 503


# ---- authentication, against a stand-in server --------------------------------------------------

class StandIn:
    """A loopback HTTP server that records requests and asks for authentication like a store
    would: `mode` is open, basic, digest, redirect or partial. Authenticated requests get an answer (true
    to ASK, no rows to SELECT), or `status` when it is not 200."""

    USER, PASSWORD, REALM, NONCE = "pusher", "s3cret", "SPARQL", "dcd98b7102dd2f0e8b11d0f600bfb0c0"

    def __init__(self, mode: str = "open", status: int = 200):
        self.mode, self.status, self.seen = mode, status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.seen.append((self.command, self.path, self.headers.get("Authorization"),
                                   body))
                if outer.mode == "partial":  # Virtuoso's "anytime" answer, cut short
                    payload = b'{"head":{"vars":["g"]},"results":{"bindings":[]}}'
                    self.send_response(206)
                    self.send_header("Content-Type", JSON_RESULTS)
                    self.send_header("X-SQL-State", "S1TAT")
                    self.send_header("X-SQL-Message", "RC...: Returning incomplete results, "
                                     "query interrupted by result timeout.")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if outer.mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if not outer.authorised(self.command, self.headers.get("Authorization")):
                    self.send_response(401)
                    if outer.mode == "basic":
                        self.send_header("WWW-Authenticate", f'Basic realm="{outer.REALM}"')
                    else:
                        self.send_header("WWW-Authenticate",
                                         f'Digest realm="{outer.REALM}", nonce="{outer.NONCE}", '
                                         'qop="auth", opaque="5ccc069c", algorithm=MD5')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                query = parse_qs(body.decode()).get("query", [""])[0]
                payload = (b'{"head":{},"boolean":true}' if query.lstrip().startswith("ASK")
                           else b'{"head":{"vars":["g"]},"results":{"bindings":[]}}')
                if outer.status != 200:
                    payload = b"stand-in"
                self.send_response(outer.status)
                self.send_header("Content-Type", JSON_RESULTS if outer.status == 200
                                 else "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def authorised(self, method: str, header: str | None) -> bool:
        if self.mode == "open":
            return True
        if self.mode == "basic":
            pair = base64.b64encode(f"{self.USER}:{self.PASSWORD}".encode()).decode()
            return header == f"Basic {pair}"
        if not header or not header.startswith("Digest "):
            return False
        fields = parse_dict_header(header[len("Digest "):])

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{self.USER}:{self.REALM}:{self.PASSWORD}")
        ha2 = md5(f"{method}:{fields['uri']}")
        expected = md5(f"{ha1}:{self.NONCE}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        return fields.get("response") == expected and fields.get("opaque") == "5ccc069c"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def standin(request):
    server = StandIn(*getattr(request, "param", ("open",)))
    yield server
    server.close()


@pytest.mark.parametrize("standin", [("open",)], indirect=True)
def test_token_is_sent_as_bearer_with_every_request(standin):
    remote = RemoteStore(standin.url, HttpClient(Credentials(token="t0ken")))
    assert bool(remote.fetch("ASK {}", None, None)) is True
    assert bool(remote.fetch("ASK {}", None, None)) is True
    assert [seen[2] for seen in standin.seen] == ["Bearer t0ken", "Bearer t0ken"]


@pytest.mark.parametrize("standin", [("basic",)], indirect=True)
def test_basic_credentials_answer_the_challenge_then_go_first(standin):
    client = HttpClient(Credentials(StandIn.USER, StandIn.PASSWORD))
    remote = RemoteStore(standin.url, client)
    assert bool(remote.fetch("ASK {}", None, None)) is True
    assert bool(remote.fetch("ASK {}", None, None)) is True
    expected = "Basic " + base64.b64encode(b"pusher:s3cret").decode()
    # nothing is sent before the server asks; once it asked, the header goes with each request
    assert [seen[2] for seen in standin.seen] == [None, expected, expected]


@pytest.mark.parametrize("standin", [("digest",)], indirect=True)
def test_digest_credentials_are_computed_for_each_request(standin):
    remote = RemoteStore(standin.url, HttpClient(Credentials(StandIn.USER, StandIn.PASSWORD)))
    assert bool(remote.fetch("ASK {}", None, None)) is True
    assert bool(remote.fetch("ASK {}", None, None)) is True
    headers = [seen[2] for seen in standin.seen]
    assert headers[0] is None and all(h.startswith("Digest ") for h in headers[1:])
    assert len(headers) == 3  # the second request authenticates at once (nc=00000002)
    assert "nc=00000002" in headers[2]


@pytest.mark.parametrize("standin", [("basic",)], indirect=True)
def test_wrong_password_is_a_clear_503(standin):
    app = create_app({"TESTING": True, "REMOTE_ENDPOINT": standin.url, "REMOTE_USER": "pusher",
                      "REMOTE_PASSWORD": "wrong"})
    answer = app.test_client().post("/sparql", data={"query": "ASK {}"})
    assert answer.status_code == 503
    assert "HTTP 401" in answer.get_data(as_text=True)


@pytest.mark.parametrize("standin", [("open",)], indirect=True)
def test_serve_remote_sends_the_configured_token_and_an_explicit_dataset(standin):
    app = create_app({"TESTING": True, "REMOTE_ENDPOINT": standin.url, "REMOTE_TOKEN": "t0ken"})
    standin.seen.clear()
    answer = app.test_client().post("/sparql", data={"query": "ASK {}", "inference": "true"})
    assert answer.status_code == 200 and answer.get_json()["boolean"] is True
    method, _, authorization, body = standin.seen[-1]
    assert (method, authorization) == ("POST", "Bearer t0ken")
    form = parse_qs(body.decode())
    assert form["query"] == ["ASK {}"]
    assert form["default-graph-uri"][0] == MERGE_GRAPH


@pytest.mark.parametrize("standin", [("open", 500)], indirect=True)
def test_push_sends_the_token(standin, built_store):
    result = push("--to", standin.url, "--graph-store", standin.url.replace("sparql", "store"),
                  "--token", "t0ken", "--store", str(built_store))
    assert result.exit_code == 2 and "HTTP 500" in result.stderr
    assert standin.seen and all(seen[2] == "Bearer t0ken" for seen in standin.seen)


@pytest.mark.parametrize("standin", [("redirect",)], indirect=True)
def test_redirects_are_not_followed(standin):
    app = create_app({"TESTING": True, "REMOTE_ENDPOINT": standin.url})
    answer = app.test_client().post("/sparql", data={"query": "ASK {}"})
    assert answer.status_code == 503 and "HTTP 302" in answer.get_data(as_text=True)
    assert all(path.startswith("/sparql") for _, path, _, _ in standin.seen)


@pytest.mark.parametrize("standin", [("partial",)], indirect=True)
def test_incomplete_answers_are_not_passed_off_as_complete(standin):
    """Virtuoso answers 206 (or 200, as configured) with X-SQL-State S1TAT when its own time or
    row limit cut the answer short."""
    app = create_app({"TESTING": True, "REMOTE_ENDPOINT": standin.url})
    answer = app.test_client().post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert answer.status_code == 503 and "incomplete answer" in answer.get_data(as_text=True)


def test_credentials_in_the_url_are_taken_out_of_it():
    url, credentials = split_credentials("https://us%40er:p%3Ass@store.example:8443/ds/sparql")
    assert url == "https://store.example:8443/ds/sparql"
    assert credentials == Credentials("us@er", "p:ss")
    assert split_credentials("http://h/sparql") == ("http://h/sparql", None)


# ---- the real server ----------------------------------------------------------------------------

def test_serve_remote_under_gunicorn(pushed, oxigraph, local, tmp_path):
    port, log = free_port(), tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(SCRIPT), "serve", "--remote", oxigraph, "--port", str(port), "--workers", "1",
             "--store", str(tmp_path / "no-store-needed")], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{base}/health", timeout=2).ok, "sozialgraph serve",
                   server, log)
        assert requests.get(f"{base}/health", timeout=5).json()["store"] == oxigraph
        query = CATALOGUE[0].text
        got = requests.post(f"{base}/sparql", data={"query": query},
                            headers={"Accept": JSON_RESULTS}, timeout=30)
        expected = local.post("/sparql", data={"query": query}, headers={"Accept": JSON_RESULTS})
        assert got.status_code == 200 and rows(got.content) == rows(expected.data)
        refused = requests.post(f"{base}/sparql", timeout=10,
                                data={"query": "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"})
        assert refused.status_code == 400
        page = requests.get(f"{base}{local_path(MEASURE['kita-ausbau'])}.ttl", timeout=30)
        assert page.status_code == 200 and same_rdf(
            page.content, local.get(local_path(MEASURE["kita-ausbau"]) + ".ttl").data, "turtle")
    finally:
        server.terminate()
        server.wait(timeout=30)
