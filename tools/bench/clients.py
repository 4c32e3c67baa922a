"""The clients the benchmark measures through, and the timing loop of the throughput runs.

- HttpClient: one keep-alive connection to a SPARQL endpoint, POST with a form-encoded query;
- InProcessClient: pyoxigraph in process (sozialgraph_bench.inprocess, a child this benchmark
  can kill when a query passes the cap);
- throughput_run: client threads sending a mix of queries, bounded by a request count and a
  time limit (also run inside sozialgraph_bench.inprocess).

Imports config and sozialgraph.sparql.catalogue (for the type of a curated query).
"""

from __future__ import annotations

import http.client
import json
import select
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from sozialgraph.sparql.catalogue import CuratedQuery
from sozialgraph_bench.config import kill_group, percentile


class RequestFailed(Exception):
    """A request without an answer: an error, or (timeout=True) none within the cap."""

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
    """The floor: pyoxigraph in process (sozialgraph_bench.inprocess, a child this benchmark can
    kill when a query passes the cap, since pyoxigraph cannot stop one). `last_seconds` is the time
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
            kill_group(self.process)
            self.process.wait(timeout=30)
            self.process = None


def throughput_run(factory: Callable[[], object], mix: list[CuratedQuery], clients: int,
                   requests: int, seconds: float) -> dict:
    """`clients` threads, each with its own connection, send the mix round-robin (thread i starts
    at query i * len(mix) / clients) until `requests` were sent or `seconds` passed."""
    lock = threading.Lock()
    issued = [0]
    done: list[float] = []
    failures = {"errors": 0, "timeouts": 0}
    deadline = time.monotonic() + seconds

    def client_loop(index: int) -> None:
        client = factory()
        position = index * len(mix) // clients
        try:
            while time.monotonic() < deadline:
                with lock:
                    if issued[0] >= requests:
                        return
                    issued[0] += 1
                query = mix[position % len(mix)]
                position += 1
                start = time.perf_counter()
                try:
                    client.ask(query.text)
                except RequestFailed as error:
                    with lock:
                        failures["timeouts" if error.timeout else "errors"] += 1
                    if error.timeout:
                        return
                    continue
                with lock:
                    done.append(time.perf_counter() - start)
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True)
               for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.perf_counter() - began
    return {"clients": clients, "completed": len(done), **failures,
            "seconds": round(elapsed, 3), "qps": len(done) / elapsed if elapsed else None,
            "p50": percentile(done, 50), "p95": percentile(done, 95),
            "stopped_by": "requests" if issued[0] >= requests else "time"}
