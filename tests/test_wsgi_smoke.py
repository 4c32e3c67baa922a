"""The app under the real WSGI server: gunicorn on a free loopback port, queried with urllib."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from storefixture import DEFAULT_GRAPH_SIZE, build_store, gunicorn_serving

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("wsgi") / "store", generated=300)
    with gunicorn_serving(store, SOZIALGRAPH_QUERY_TIMEOUT="2") as url:
        yield url


def test_get_query(base_url):
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    status, headers, body = fetch(f"{base_url}/sparql?{query}")
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    count = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert count == DEFAULT_GRAPH_SIZE + 300  # the fixture plus its generated graph


def test_post_query_body_as_csv(base_url):
    status, headers, body = fetch(
        f"{base_url}/sparql",
        data=b'SELECT ?l WHERE { ?s ?p ?l FILTER(?l = "Land Hessen"@de) } LIMIT 1',
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body.decode("utf-8").splitlines() == ["l", "Land Hessen"]


def test_post_form_construct(base_url):
    data = urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
                                   "format": "nt"}).encode()
    status, headers, body = fetch(f"{base_url}/sparql", data=data, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert headers["Content-Type"] == "application/n-triples"
    assert len(body.decode().strip().splitlines()) == 3


def test_errors_and_time_limit(base_url):
    query = urllib.parse.urlencode({"query": "SELECT * { SERVICE <http://example.org/> {} }"})
    status, _, body = fetch(f"{base_url}/sparql?{query}")
    assert status == 400 and b"SERVICE" in body
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    status, _, body = fetch(f"{base_url}/sparql?{urllib.parse.urlencode({'query': slow})}")
    assert status == 503 and b"time limit of 2 s" in body
    assert time.monotonic() - started < 10
    status, _, body = fetch(f"{base_url}/sparql?{urllib.parse.urlencode({'query': 'ASK {}'})}")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_service_description_and_health(base_url):
    status, _, body = fetch(f"{base_url}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    assert f"<{base_url}/sparql>".encode() in body
    status, _, body = fetch(f"{base_url}/health")
    assert json.loads(body)["status"] == "ok"


def _post_chunked(base_url: str, path: str, content_type: str, size: int):
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    chunk = b"# " + b"x" * 65534 + b"\n"
    body = iter([chunk] * (size // len(chunk) + 1))
    try:
        connection.request("POST", path, body=body, encode_chunked=True,
                           headers={"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, response.read().decode()
    except (BrokenPipeError, ConnectionResetError):  # the server may stop reading at the limit
        return 413, "connection closed while sending"
    finally:
        connection.close()


def test_chunked_bodies_over_the_limit_are_refused(base_url):
    """A chunked body announces no length: the limit applies while it is read (413)."""
    status, text = _post_chunked(base_url, "/sparql", "application/sparql-query", 1_100_000)
    assert status == 413, text
    status, text = _post_chunked(base_url, "/sparql", "application/sparql-query", 10_000)
    assert status == 400 and "syntax" in text  # under the limit: read whole, then parsed


def _raw_post(base_url: str, path: str, content_type: str, chunked_body: bytes) -> bytes:
    """A POST whose chunked body is sent as given, byte for byte; the server's whole answer."""
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode() + chunked_body)
        connection.shutdown(socket.SHUT_WR)  # nothing more comes: a body cut short ends here
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


MALFORMED_CHUNKS = {
    "size is no hex number": b"zz\r\nASK {}\r\n0\r\n\r\n",
    "chunk without its CRLF": b"6\r\nASK {}XX0\r\n\r\n",
    "empty chunk extension": b"6;\r\nASK {}\r\n0\r\n\r\n",
    "body ends inside a chunk": b"60\r\nASK {}",  # and the client sends no more
}


@pytest.mark.parametrize("body", MALFORMED_CHUNKS.values(), ids=MALFORMED_CHUNKS.keys())
@pytest.mark.parametrize("path, content_type", [
    ("/sparql", "application/sparql-query"),
    ("/sparql", "application/x-www-form-urlencoded"),
    ("/validate", "text/turtle"),
    ("/validate", "application/x-www-form-urlencoded"),
])
def test_malformed_chunked_bodies_are_400_naming_the_cause(base_url, body, path, content_type):
    """gunicorn raises its chunk parser's errors from the body's read; they were 500."""
    answer = _raw_post(base_url, path, content_type, body)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400", answer[:600]
    assert b"request body could not be read" in rest and b"chunked" in rest, answer[:600]
    status, _, _ = fetch(base_url + "/sparql?query=ASK%7B%7D")  # the server goes on serving
    assert status == 200
