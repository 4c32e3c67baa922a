"""The documented deployment: nginx with the repository's deploy/nginx/sozialgraph.conf in front
of `sozialgraph serve`, both on loopback. Slow and lying clients (headers or body trickled a
byte at a time, a Content-Length larger than the body) are read by nginx, cut off after its read
timeouts, and never hold one of gunicorn's threads: /health answers at once meanwhile.

nginx runs as the test's own process with a temporary prefix; the top-level configuration is
written here, and the server block includes the repository's file as it is."""

from __future__ import annotations

import getpass
import http.client
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest
from storefixture import build_store, command_serving, free_port

pytestmark = pytest.mark.e2e

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEADER_TIMEOUT = 10  # client_header_timeout and client_body_timeout in sozialgraph.conf


@pytest.fixture(scope="module")
def nginx_binary():
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: `make proxy-deps` installs it (make test does)")
    return NGINX


@contextmanager
def nginx_in_front(upstream: str, prefix: Path):
    """nginx on a free loopback port, proxying to `upstream` (host:port) with the repository's
    server configuration; yields its base URL."""
    port = free_port()
    for folder in ("logs", "tmp"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    # As root, nginx's workers would switch to `nobody`, who cannot write the temporary folder.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(f"""{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    upstream sozialgraph {{ server {upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        include {DEPLOY / "sozialgraph.conf"};
    }}
}}
""")
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, \
                    server.stderr.read().decode()
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stderr.close()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, nginx_binary):
    """`sozialgraph serve` with one web process of two threads (the fewest slow clients that
    can take all of them) behind nginx; yields the proxy's URL and the server (`Served`)."""
    folder = tmp_path_factory.mktemp("proxy")
    store = build_store(folder / "store", generated=200)
    with command_serving(store, "--workers", "1", "--threads", "2",
                         SOZIALGRAPH_TRUSTED_PROXIES="127.0.0.1") as served:
        with nginx_in_front(urllib.parse.urlsplit(served.url).netloc, folder / "nginx") as url:
            yield url, served


def _request(url: str, method: str = "GET", body: bytes | None = None,
             headers: dict | None = None, timeout: float = 10):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + ("?" + parts.query if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {},
                           encode_chunked=body is not None and not isinstance(body, bytes))
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def test_the_app_answers_through_the_proxy(proxied):
    url, _ = proxied
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    status, _, body = _request(f"{url}/sparql?query={query}",
                               headers={"Accept": "text/csv"})
    assert status == 200 and body.startswith(b"n\r\n")
    # a GET query as long as gunicorn takes (its request line: 8190 bytes) passes nginx too
    long_query = "ASK { ?s ?p ?o " + "FILTER(?o != 1) " * 310 + "}"
    target = "/sparql?" + urllib.parse.urlencode({"query": long_query})
    assert 8100 < len(f"GET {target} HTTP/1.1") <= 8190
    assert _request(url + target)[0] == 200
    # a longer one gets the proxy's 414 that says what to do, readable by a page elsewhere
    status, headers, body = _request(url + target + "%20" * 40)
    assert status == 414 and b"by POST" in body
    assert dict(headers)["Access-Control-Allow-Origin"] == "*"
    # a chunked body reaches the app whole (nginx reads it, then sends it with its length)
    status, _, body = _request(f"{url}/sparql", "POST", body=iter([b"ASK ", b"{ }"]),
                               headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and b'"boolean":true' in body
    status, _, body = _request(f"{url}/validate", "POST", body=b"<urn:a> <urn:b> <urn:c> .",
                               headers={"Content-Type": "text/turtle",
                                        "Accept": "text/turtle"})
    assert status == 200 and b"conforms" in body
    status, _, body = _request(f"{url}/sparql", "POST", body=b"ASK {",
                               headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"syntax" in body.lower()  # the app's own message


class SlowClient(threading.Thread):
    """One connection that sends a request a byte at a time (`trickle`: the head, or the body
    after a whole head) or a head that promises more body than it sends (`lie`), and records
    when and how the server ended it."""

    def __init__(self, url: str, kind: str):
        super().__init__(daemon=True)
        self.url, self.kind = urllib.parse.urlsplit(url), kind
        self.started = time.monotonic()
        self.ended_after: float | None = None
        self.answer = b""
        self.stop = threading.Event()

    def run(self):
        sock = socket.create_connection((self.url.hostname, self.url.port), timeout=60)
        body = b"query=" + b"A" * 2000
        post = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                b"application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n")
        if self.kind == "head":
            sent, trickled = b"", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 2000
        elif self.kind == "body":
            sent, trickled = post % len(body), body
        else:  # a body of 6 bytes where 1000 are promised, then silence
            sent, trickled = post % 1000 + b"query=", b""
        try:
            sock.sendall(sent)
            for byte in trickled:
                if self.stop.wait(0.2):
                    break
                sock.sendall(bytes([byte]))
            sock.settimeout(60)
            self.answer = sock.recv(4096)
        except OSError:
            pass  # cut off while sending: that is what nginx does to it
        finally:
            self.ended_after = time.monotonic() - self.started
            sock.close()


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_a_killed_web_process_answers_503_and_is_replaced(proxied):
    url, served = proxied
    (web_process,) = _children(served.pid)
    cross_product = urllib.parse.quote(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    outcome = {}

    def ask():
        outcome["answer"] = _request(f"{url}/sparql?query={cross_product}", timeout=60)

    waiting = threading.Thread(target=ask)
    waiting.start()
    time.sleep(1.5)  # the query is running; the web process waits for its worker
    os.kill(web_process, signal.SIGKILL)
    waiting.join(60)
    status, headers, body = outcome["answer"]
    assert status == 503, body
    assert dict(headers).get("Retry-After") == "5" and b"try again" in body, (headers, body)
    deadline = time.monotonic() + 30
    while _request(url + "/health")[0] != 200:  # gunicorn starts another web process
        assert time.monotonic() < deadline, "no web process answers after the kill"
        time.sleep(0.5)
    assert _children(served.pid) != [web_process]


def test_slow_and_lying_clients_hold_no_worker_and_are_cut_off(proxied):
    url, _ = proxied
    clients = [SlowClient(url, kind) for kind in ("head", "body", "lie") for _ in range(8)]
    for client in clients:
        client.start()
    try:
        time.sleep(1)  # every slow connection has begun
        waits = []
        for _ in range(8):
            started = time.monotonic()
            status, _, _ = _request(url + "/health", timeout=5)
            waits.append(time.monotonic() - started)
            assert status == 200
            time.sleep(0.5)
        assert max(waits) < 1, f"/health waited {max(waits):.2f} s behind slow clients"
        deadline = time.monotonic() + HEADER_TIMEOUT + 10
        for client in clients:
            if client.kind != "body":
                client.join(timeout=max(0, deadline - time.monotonic()))
    finally:
        for client in clients:
            client.stop.set()
    for client in clients:
        if client.kind == "body":
            # each byte came within the body timeout: nginx keeps reading, and only gunicorn
            # gets the body once it is whole (no thread of ours waited for it)
            continue
        # the head not finished, or the body stalled, within the timeout: 408 or closed
        assert client.ended_after is not None, f"a {client.kind} client is still connected"
        assert client.ended_after < HEADER_TIMEOUT + 5, (client.kind, client.ended_after)
        assert client.answer == b"" or client.answer.startswith(b"HTTP/1.1 408"), client.answer
