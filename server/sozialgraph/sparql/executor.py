"""Evaluating a query under the server's limits: time, result size, and no network.

pyoxigraph 0.5 cannot cancel a running query, so queries are evaluated in worker processes (the
child processes of sandbox.py): each worker opens the store read-only once and answers tasks one
at a time, serialising the result itself. When a query passes the time limit the worker is killed
(the engine stops with it) and a new one is started for the next query; the web process never
waits longer than the limit. Each worker also gets, where the operating system allows, its own
empty network namespace (so even a query that slipped past the checks in safety.py could not
reach the network), a CPU-time backstop and an optional address-space limit.

This module owns what a query task is and how it is evaluated and serialised (`evaluate`, the
same in a worker and in the web process), and the query workers' pool with its refusals
(`WorkerPool`); sandbox.py owns the processes, their limits and the protocol between them.

With no time limit configured (QUERY_TIMEOUT = 0) queries are evaluated in the web process
(InlineExecutor): handy for debugging, not for a public endpoint.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from sozialgraph.rdf.formats import RDF_FORMATS, RESULT_FORMATS, by_name
from sozialgraph.rdf.namespaces import PREFIXES
from sozialgraph.sandbox import Child, ProcessPool, StartFailed, serve
from sozialgraph.store.embedded import open_store
from sozialgraph.store.embedded import query as store_query

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryTask:
    query: str
    default_graphs: list[str] | None  # None: the store's default (the union of graphs)
    named_graphs: list[str] | None  # None: every graph of the store
    include_inferred: bool
    result_format: str | None  # short name of the format for SELECT/ASK, None if none accepted
    rdf_format: str | None  # short name of the format for CONSTRUCT/DESCRIBE
    max_rows: int
    base_iri: str | None = None  # relative IRIs of the query resolve against it (the endpoint)


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


class _CountingSink:
    """A binary sink that counts occurrences of `marker` in what the serialiser writes (also
    across chunk boundaries) and stops it once there are more than `limit`."""

    def __init__(self, marker: bytes | tuple[bytes, ...], limit: int):
        self.markers = marker if isinstance(marker, tuple) else (marker,)
        self.limit, self.count, self.parts = limit, 0, []
        self._overlap = max(map(len, self.markers)) - 1
        self._tail = b""

    def write(self, data) -> int:
        data = bytes(data)
        self.parts.append(data)
        if self._overlap:
            window = self._tail + data
            self._tail = window[-self._overlap:]
        else:
            window = data
        self.count += sum(window.count(marker) for marker in self.markers)
        if self.count > self.limit:
            raise _TooManyRows()
        return len(data)

    def flush(self) -> None:
        pass


# How the rows of each results format are counted while it is written, in one pass: a marker
# that occurs once at the start (or end) of every row, and possibly also inside a literal, so
# that the count is never below the number of rows. pyoxigraph writes compact JSON (a row starts
# with `[{` or `,{`; outside strings nothing else does) and escapes `<` in XML. CSV rows end with
# a line break (plus the header line; a literal may hold more line breaks). TSV escapes line
# breaks, so its count is exact. A count over the limit is checked exactly (see evaluate).
_ROW_MARKERS: dict[str, tuple[tuple[bytes, ...], int]] = {  # format: (markers, lines not rows)
    "json": ((b"[{", b",{"), 0),
    "xml": ((b"<result>",), 0),
    "csv": ((b"\n",), 1),
    "tsv": ((b"\n",), 1),
}


def evaluate(store: ox.Store, task: QueryTask) -> Answer | Failure:
    """Evaluate and serialise one query; every outcome is a value, nothing is raised."""
    too_many = Failure("too_many_rows", f"the result has more than {task.max_rows} rows "
                       "(the server's limit); use LIMIT and OFFSET to fetch it in pages")
    try:
        result = store_query(store, task.query, include_inferred=task.include_inferred,
                             default_graph_uris=task.default_graphs,
                             named_graph_uris=task.named_graphs, base_iri=task.base_iri)
        if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
            kind = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
            if task.result_format is None:
                return Failure("not_acceptable", "", kind)
            fmt = by_name(task.result_format, RESULT_FORMATS)
            if kind == "boolean":
                return Answer(fmt.content_type, result.serialize(format=fmt.ox_format), fmt.name)
            if fmt.name in _ROW_MARKERS and isinstance(store, ox.Store):
                # One pass: the format itself, its rows counted as it is written. A count over
                # the limit may come from literals that hold the marker: then the query is
                # evaluated again and its rows counted exactly, below.
                markers, extra = _ROW_MARKERS[fmt.name]
                sink = _CountingSink(markers, task.max_rows + extra)
                try:
                    result.serialize(sink, format=fmt.ox_format)
                    return Answer(fmt.content_type, b"".join(sink.parts), fmt.name)
                except _TooManyRows:
                    if fmt.name == "tsv":
                        return too_many
                result = store_query(store, task.query, include_inferred=task.include_inferred,
                                     default_graph_uris=task.default_graphs,
                                     named_graph_uris=task.named_graphs,
                                     base_iri=task.base_iri)
            # Exact: rows are counted on TSV (one line per row, plus the header), which is
            # lossless; the other formats are written from the TSV by pyoxigraph's own parser
            # and serialisers.
            sink = _CountingSink(b"\n", task.max_rows + 1)
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
        self.store_path, self.timeout = store_path, timeout
        self.memory_mb, self.isolate_network = memory_mb, isolate_network
        self.network_isolated: bool | None = None  # known once a worker has started
        self._pool = ProcessPool(size, timeout, self._start_worker)
        self.size = self._pool.size

    def run(self, task: QueryTask) -> Answer | Failure:
        return self._pool.answer(task, {
            "busy": lambda _: Failure("busy", "all query workers are busy; try again in a "
                                      "moment"),
            "start": lambda error: Failure("store", str(error)),
            "timeout": lambda _: Failure("timeout", f"query exceeded the time limit of "
                                         f"{self.timeout:g} s"),
            "died": lambda _: Failure("worker", "the query engine stopped while evaluating this "
                                      "query (it may be too large or too deeply nested, or need "
                                      "more memory than the server allows); a new engine "
                                      "answers the next query")})

    def close(self) -> None:
        self._pool.close()

    def _start_worker(self) -> Child:
        args = [str(self.store_path()), str(self.timeout), str(self.memory_mb or 0),
                "1" if self.isolate_network else "0"]
        worker = Child.start("sozialgraph.sparql.executor", args, "query worker")
        if self.network_isolated is None:
            self.network_isolated = worker.isolated
            if self.isolate_network and not worker.isolated:
                log.warning("query workers share the host's network (no network namespace "
                            "available); SERVICE is still refused before evaluation")
        return worker


def main() -> None:
    """Entry point of a worker process: fd store timeout memory_mb isolate (see _start_worker)."""
    fd, store_path, timeout, memory_mb, isolate = sys.argv[1:6]
    serve(Connection(int(fd)), lambda: _open(store_path), evaluate, float(timeout),
          int(memory_mb) or None, isolate == "1",
          lambda: Failure("internal", "the query could not be answered (internal error)"))


def _open(store_path: str) -> ox.Store:
    """A worker's store; a store that cannot be opened is reported to the web process."""
    try:
        return open_store(store_path)
    except OSError as error:
        raise StartFailed(f"the store could not be opened: {type(error).__name__}") from None
