"""The servers the benchmark starts, measures and stops: this endpoint (`sozialgraph serve`),
Oxigraph's server and rdflib-endpoint, each in a process group of its own on 127.0.0.1.

Children are started with this interpreter (sys.executable) or the commands installed beside
it, and import the installed packages: nothing is added to their environment's paths.
Imports config.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from sozialgraph_bench.config import free_port, kill_group, oxigraph_binary


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
        kill_group(self.process)
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
    server = Server("rdflib-endpoint", command, f"http://127.0.0.1:{port}/sparql", ready,
                    work / "rdflib-endpoint.log", max(120.0, size / 1000))
    server.restart_by_stdin = True
    return server
