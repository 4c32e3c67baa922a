"""Evaluating a query under the server's limits: time, result size, and no network.

pyoxigraph 0.5 cannot cancel a running query, so queries are evaluated in worker processes: each
worker opens the store read-only once and answers tasks one at a time, serialising the result
itself. When a query passes the time limit the worker is killed (the engine stops with it) and a
new one is started for the next query; the web process never waits longer than the limit. Each
worker also gets, where the operating system allows, its own empty network namespace (so even a
query that slipped past the checks in safety.py could not reach the network), a CPU-time backstop
and an optional address-space limit.

With no time limit configured (QUERY_TIMEOUT = 0) queries are evaluated in the web process
(InlineExecutor): handy for debugging, not for a public endpoint.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from .conneg import RDF_FORMATS, RESULT_FORMATS, by_name
from .namespaces import PREFIXES
from .store import open_store
from .store import query as store_query

log = logging.getLogger(__name__)
STARTUP_TIMEOUT = 60  # seconds a new worker may take to import and open the store
_SOURCE_ROOT = Path(__file__).resolve().parent.parent  # where the worker imports `server` from


@dataclass(frozen=True)
class QueryTask:
    query: str
    default_graphs: list[str] | None  # None: the store's default (the union of graphs)
    named_graphs: list[str] | None  # None: every graph of the store
    include_inferred: bool
    result_format: str | None  # short name of the format for SELECT/ASK, None if none accepted
    rdf_format: str | None  # short name of the format for CONSTRUCT/DESCRIBE
    max_rows: int


@dataclass(frozen=True)
class Answer:
    content_type: str
    body: bytes
    format_name: str


@dataclass(frozen=True)
class Failure:
    kind: str  # syntax, evaluation, too_many_rows, not_acceptable, timeout, busy, worker, store
    message: str
    result_kind: str = ""  # for not_acceptable: "solutions", "boolean" or "graph"


class _TooManyRows(Exception):
    pass


class _LineLimit:
    """A binary sink that stops the serialiser once more than `limit` lines were written."""

    def __init__(self, limit: int):
        self.limit, self.lines, self.parts = limit, 0, []

    def write(self, data) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _TooManyRows()
        return len(data)

    def flush(self) -> None:
        pass


def evaluate(store: ox.Store, task: QueryTask) -> Answer | Failure:
    """Evaluate and serialise one query; every outcome is a value, nothing is raised."""
    too_many = Failure("too_many_rows", f"the result has more than {task.max_rows} rows "
                       "(the server's limit); use LIMIT and OFFSET to fetch it in pages")
    try:
        result = store_query(store, task.query, include_inferred=task.include_inferred,
                             default_graph_uris=task.default_graphs,
                             named_graph_uris=task.named_graphs)
        if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
            kind = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
            if task.result_format is None:
                return Failure("not_acceptable", "", kind)
            fmt = by_name(task.result_format, RESULT_FORMATS)
            if kind == "boolean":
                return Answer(fmt.content_type, result.serialize(format=fmt.ox_format), fmt.name)
            # Rows are counted on TSV (one line per row, plus the header), which is lossless;
            # other formats are written from the TSV by pyoxigraph's own parser and serialisers.
            sink = _LineLimit(task.max_rows + 1)
            try:
                result.serialize(sink, format=ox.QueryResultsFormat.TSV)
            except _TooManyRows:
                return too_many
            tsv = b"".join(sink.parts)
            if fmt.name != "tsv":
                solutions = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
                return Answer(fmt.content_type, solutions.serialize(format=fmt.ox_format),
                              fmt.name)
            return Answer(fmt.content_type, tsv, fmt.name)
        if task.rdf_format is None:
            return Failure("not_acceptable", "", "graph")
        fmt = by_name(task.rdf_format, RDF_FORMATS)

        def limited(triples):
            for count, triple in enumerate(triples, 1):
                if count > task.max_rows:
                    raise _TooManyRows()
                yield triple

        try:
            body = ox.serialize(limited(result), format=fmt.ox_format,
                                prefixes=PREFIXES if fmt.prefixes else None)
        except _TooManyRows:
            return too_many
        return Answer(fmt.content_type, body, fmt.name)
    except SyntaxError as error:
        return Failure("syntax", str(error))
    except OSError as error:
        log.error("store error while evaluating a query: %s", error)
        return Failure("store", "the store could not be read")
    except (ValueError, RuntimeError, TypeError) as error:
        return Failure("evaluation", str(error))


class InlineExecutor:
    """Evaluates in the calling process, without a time limit."""

    def __init__(self, store_getter):
        self._store = store_getter

    def run(self, task: QueryTask) -> Answer | Failure:
        return evaluate(self._store(), task)

    def close(self) -> None:
        pass


class WorkerPool:
    """Up to `size` worker processes; a query that passes `timeout` seconds kills its worker."""

    def __init__(self, store_path: Callable[[], str | Path], size: int, timeout: float,
                 memory_mb: int | None = None, isolate_network: bool = True):
        # store_path is asked at each worker start: the web process's store, so that a worker
        # started after a rebuild still reads the build the web process checks queries against.
        self.store_path, self.size, self.timeout = store_path, max(1, size), timeout
        self.memory_mb, self.isolate_network = memory_mb, isolate_network
        self.network_isolated: bool | None = None  # known once a worker has started
        self._reset()
        atexit.register(self.close)

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._count = 0

    def run(self, task: QueryTask) -> Answer | Failure:
        if self._pid != os.getpid():  # forked (e.g. a gunicorn worker): the workers are not ours
            self._reset()
        try:
            worker = self._acquire()
        except _Busy:
            return Failure("busy", "all query workers are busy; try again in a moment")
        except _StartFailed as error:
            return Failure("store", str(error))
        try:
            worker.conn.send(task)
            if not worker.conn.poll(self.timeout):
                self._discard(worker)
                return Failure("timeout", f"query exceeded the time limit of {self.timeout:g} s")
            outcome = worker.conn.recv()
        except (EOFError, OSError):
            self._discard(worker)
            return Failure("worker", "the query engine stopped while evaluating this query (it "
                           "may be too large or too deeply nested, or need more memory than the "
                           "server allows); a new engine answers the next query")
        self._release(worker)
        return outcome

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + max(self.timeout, 1)
        with self._cond:
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive():
                        return worker
                    worker.stop()  # died while idle (killed from outside)
                    self._count -= 1
                if self._count < self.size:
                    self._count += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _Busy()
                self._cond.wait(remaining)
        try:
            worker = _Worker.start(str(self.store_path()), self.timeout, self.memory_mb,
                                   self.isolate_network)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise
        if self.network_isolated is None:
            self.network_isolated = worker.isolated
            if self.isolate_network and not worker.isolated:
                log.warning("query workers share the host's network (no network namespace "
                            "available); SERVICE is still refused before evaluation")
        return worker

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _discard(self, worker: _Worker) -> None:
        worker.stop()
        with self._cond:
            self._count -= 1
            self._cond.notify()


class _Busy(Exception):
    pass


class _StartFailed(Exception):
    pass


class _Worker:
    """One worker process and our end of the socket pair it answers on."""

    def __init__(self, process: subprocess.Popen, conn: Connection):
        self.process, self.conn, self.isolated = process, conn, False

    @classmethod
    def start(cls, store_path: str, timeout: float, memory_mb: int | None,
              isolate: bool) -> _Worker:
        # A fresh interpreter (not multiprocessing's fork or spawn): no copied locks, threads or
        # store handles, and no re-import of whatever __main__ module started the server.
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_SOURCE_ROOT),
                                                          env.get("PYTHONPATH")]))
        args = [store_path, str(timeout), str(memory_mb or 0), "1" if isolate else "0"]
        process = subprocess.Popen(
            [sys.executable, "-c", "from server.executor import main; main()",
             str(theirs.fileno()), *args],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            env=env, close_fds=True,
        )
        theirs.close()
        worker = cls(process, Connection(ours.detach()))
        try:
            if not worker.conn.poll(STARTUP_TIMEOUT):
                raise _StartFailed("a query worker did not start in time")
            status, detail = worker.conn.recv()
        except (EOFError, OSError) as error:
            worker.stop()
            raise _StartFailed("a query worker could not start") from error
        except _StartFailed:
            worker.stop()
            raise
        if status != "ready":
            worker.stop()
            raise _StartFailed(detail)
        worker.isolated = detail == "isolated"
        return worker

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.error("query worker %s did not stop", self.process.pid)
        self.conn.close()


def main() -> None:
    """Entry point of a worker process: fd store timeout memory_mb isolate (see _Worker.start)."""
    fd, store_path, timeout, memory_mb, isolate = sys.argv[1:6]
    _serve(Connection(int(fd)), store_path, float(timeout), int(memory_mb) or None,
           isolate == "1")


def _serve(conn: Connection, store_path: str, timeout: float, memory_mb: int | None,
           isolate: bool) -> None:
    """A worker's life: limit itself, open the store, answer tasks until the socket closes."""
    isolated = _leave_network() if isolate else False
    _set_limit("RLIMIT_CORE", 0)  # an engine crash (deep recursion) should not dump core
    if memory_mb:
        _set_limit("RLIMIT_AS", memory_mb * 2**20)
    try:
        store = open_store(store_path)
    except OSError as error:  # report, don't die silently
        conn.send(("failed", f"the store could not be opened: {type(error).__name__}"))
        return
    conn.send(("ready", "isolated" if isolated else "shared"))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        # Backstop for a worker whose parent died mid-query: CPU time beyond any sane query.
        _set_limit("RLIMIT_CPU", int(_cpu_seconds() + 2 * timeout + 10))
        try:
            outcome = evaluate(store, task)
        except Exception:  # a bug of ours: say so, keep serving
            log.exception("query evaluation failed")
            outcome = Failure("internal", "the query could not be answered (internal error)")
        conn.send(outcome)


def _leave_network() -> bool:
    """Move this process into an empty network namespace if the OS lets us (Linux only)."""
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        unshare = libc.unshare
    except (OSError, AttributeError):
        return False
    for flags in (clone_newnet, clone_newuser | clone_newnet):
        if unshare(flags) == 0:
            return True
    return False


def _cpu_seconds() -> float:
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _set_limit(name: str, soft: int) -> None:
    try:
        import resource

        limit = getattr(resource, name)
        _, hard = resource.getrlimit(limit)
        resource.setrlimit(limit, (soft if hard == resource.RLIM_INFINITY else min(soft, hard),
                                   hard))
    except (ImportError, AttributeError, ValueError, OSError):
        pass
