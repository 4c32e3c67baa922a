"""The peers: HTTP clients, the in-process pyoxigraph client, and the servers the benchmark starts and stops."""

from __future__ import annotations

import http.client
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from sozialgraph.sparql.catalogue import CuratedQuery
from sozialgraph_bench.config import free_port, oxigraph_binary
from sozialgraph_bench.phases import _kill_group

# ---- peers ------------------------------------------------------------------------------------------

class RequestFailed(Exception):
    def __init__(self, message: str, timeout: bool = False):
        super().__init__(message)
        self.timeout = timeout


class HttpClient:
    """One keep-alive connection to a SPARQL endpoint; POST with a form-encoded query."""

    def __init__(self, url: str, cap: float):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = parsed.hostname, parsed.port, parsed.path
        self.cap = cap
        self.connection: http.client.HTTPConnection | None = None

    def ask(self, query: str) -> bytes:
        body = urllib.parse.urlencode({"query": query})
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/sparql-results+json"}
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port,
                                                             timeout=self.cap)
            try:
                self.connection.request("POST", self.path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except TimeoutError as error:
                self.close()
                raise RequestFailed(f"no answer within {self.cap:g} s", timeout=True) from error
            except (http.client.HTTPException, ConnectionError, OSError) as error:
                self.close()
                if attempt == 2:
                    raise RequestFailed(f"connection failed: {error}") from error
                continue
            if response.status != 200:
                raise RequestFailed(f"HTTP {response.status}: {data[:200]!r}")
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class InProcessClient:
    """The floor: pyoxigraph in process (sozialgraph_bench.inprocess, a child this benchmark can kill
    when a query passes the cap, since pyoxigraph cannot stop one). `last_seconds` is the time
    measured inside that process: query evaluated and written as SPARQL JSON, no pipe."""

    def __init__(self, store_dir: Path, cap: float):
        self.store_dir, self.cap = store_dir, cap
        self.process: subprocess.Popen | None = None
        self.last_seconds: float | None = None

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sozialgraph_bench.inprocess", str(self.store_dir)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True)
            self._read(60)  # {"ready": true}
        return self.process

    def _read(self, timeout: float) -> dict:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            self.close()
            raise RequestFailed(f"no answer within {timeout:g} s", timeout=bool(not ready))
        return json.loads(line)

    def _call(self, request: dict, timeout: float) -> dict:
        process = self._start()
        assert process.stdin is not None
        process.stdin.write(json.dumps(request).encode() + b"\n")
        process.stdin.flush()
        return self._read(timeout)

    def ask(self, query: str) -> bytes:
        self.last_seconds = None
        reply = self._call({"query": query}, self.cap)
        if "error" in reply:
            raise RequestFailed(reply["error"])
        self.last_seconds = reply["seconds"]
        return reply["body"].encode()

    def throughput(self, mix: list[CuratedQuery], clients: int, requests: int,
                   seconds: float) -> dict:
        return self._call({"throughput": [q.text for q in mix], "clients": clients,
                           "requests": requests, "seconds": seconds}, seconds + self.cap + 30)

    def close(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
            self.process.wait(timeout=30)
            self.process = None


class Server:
    """A server process this benchmark started (in its own process group) on 127.0.0.1."""

    def __init__(self, name: str, command: list[str], url: str, ready_url: str, log_file: Path,
                 start_timeout: float, env: dict | None = None):
        self.name, self.command, self.url, self.ready_url = name, command, url, ready_url
        self.log_file, self.start_timeout, self.env = log_file, start_timeout, env
        self.process: subprocess.Popen | None = None
        self.started_in: float | None = None
        self.restart_by_stdin = False  # a line `restart` on stdin replaces the serving child

    def start(self) -> None:
        began = time.perf_counter()
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.PIPE if self.restart_by_stdin
                                            else subprocess.DEVNULL,
                                            start_new_session=True, env=self.env)
        self._wait_ready(began, self.start_timeout)

    def _wait_ready(self, began: float, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see "
                                   f"{self.log_file}")
            try:
                parsed = urllib.parse.urlsplit(self.ready_url)
                connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
                connection.request("GET", parsed.path + ("?" + parsed.query if parsed.query
                                                         else ""))
                if connection.getresponse().status == 200:
                    connection.close()
                    self.started_in = time.perf_counter() - began
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {self.start_timeout:g} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                pass
        # whatever of its group is left (a server child still busy with a query that does not
        # stop on SIGTERM, e.g. uvicorn waiting for rdflib) goes too
        _kill_group(self.process)
        if self.process.poll() is None:
            self.process.wait(timeout=15)
        self.process = None

    def restart(self) -> None:
        if self.restart_by_stdin and self.process and self.process.poll() is None:
            began = time.perf_counter()
            self.process.stdin.write(b"restart\n")
            self.process.stdin.flush()
            time.sleep(0.5)  # the old child is gone before readiness is polled
            self._wait_ready(began, 60)
            return
        self.stop()
        self.start()


def sozialgraph_server(store_dir: Path, work: Path, workers: int) -> Server:
    port = free_port()
    command = [str(Path(sys.executable).parent / "sozialgraph"), "serve", "--store",
               str(store_dir), "--host", "127.0.0.1", "--port", str(port), "--workers",
               str(workers)]
    if not Path(command[0]).exists():
        command[:1] = [sys.executable, "-m", "sozialgraph.cli"]
    # every benchmark client comes from 127.0.0.1: no per-client shares (web/fairness.py), as
    # the peers have none; the benchmark measures the engine and the server, not the policy
    env = dict(os.environ, SOZIALGRAPH_CLIENT_CONCURRENT="0", SOZIALGRAPH_CLIENT_SECONDS="0")
    return Server("sozialgraph", command, f"http://127.0.0.1:{port}/sparql",
                  f"http://127.0.0.1:{port}/health", work / "sozialgraph.log", 120, env)


def oxigraph_server(location: Path, work: Path, cap: float) -> Server:
    port = free_port()
    command = [str(oxigraph_binary()), "serve-read-only", "--location", str(location), "--bind",
               f"127.0.0.1:{port}", "--timeout-s", str(int(cap))]
    ready = f"http://127.0.0.1:{port}/query?query=" + urllib.parse.quote("ASK {}")
    return Server("oxigraph", command, f"http://127.0.0.1:{port}/query", ready,
                  work / "oxigraph.log", 60)


def rdflib_server(synth_dir: Path, work: Path, size: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "sozialgraph_bench.rdflib_peer", str(synth_dir), str(port)]
    ready = f"http://127.0.0.1:{port}/sparql?query=" + urllib.parse.quote("ASK {}")
    env = dict(os.environ)
    server = Server("rdflib-endpoint", command, f"http://127.0.0.1:{port}/sparql", ready,
                    work / "rdflib-endpoint.log", max(120.0, size / 1000), env)
    server.restart_by_stdin = True
    return server
