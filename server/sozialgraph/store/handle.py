"""The store a server process reads: opened read-only once (again after a fork), with cached
facts about it (graphs, sizes). The remote store (sozialgraph.store.remote) offers the same
interface over a SPARQL 1.1 endpoint."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sozialgraph.store.embedded import named_graphs, open_store
from sozialgraph.store.embedded import query as store_query


class StoreUnavailable(RuntimeError):
    pass


# A file every build has, which a process reading the build holds a shared lock on (`pin`), and
# which the build's pruning tests for an exclusive one (`in_use`): a build a running server (or
# any of its query workers) still reads is never removed under it.
PIN_FILE = "build-info.json"


def pin(location: Path):
    """A shared lock on the build at `location`, held while the returned file is open (and by
    the processes forked meanwhile); None for a store that is no build (no PIN_FILE)."""
    try:
        held = open(location / PIN_FILE, "rb")  # noqa: SIM115 - open as long as the store is
    except OSError:
        return None
    fcntl.flock(held, fcntl.LOCK_SH)
    return held


def in_use(location: Path) -> bool:
    """Whether a process holds a `pin` on the build at `location`."""
    try:
        with open(location / PIN_FILE, "rb") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(probe, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


class StoreHandle:
    """The store of this process, opened read-only once (again after a fork), with cached facts
    about it. The store does not change while it is open: a rebuilt store needs a restart, and
    until then the build it reads is pinned, so that later builds do not remove it."""

    def __init__(self, path: str | Path, include_inferred_default: bool):
        self.path = Path(path)
        self.include_inferred_default = include_inferred_default
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._store: ox.Store | None = None
        self._location: Path | None = None
        self._facts: dict[str, Any] = {}
        self._pin = None

    def get(self) -> ox.Store:
        with self._lock:
            if self._store is None or self._pid != os.getpid():
                # The build swaps a symbolic link: resolve it once, so that this process (and
                # its query workers) keep reading one build until the server restarts.
                location = self._location or self.path.resolve()
                try:
                    self._store = open_store(location)
                except (FileNotFoundError, OSError) as error:
                    raise StoreUnavailable(f"the store is not available: {error}") from error
                if self._pin is None:  # a forked process shares its parent's pin
                    self._pin = pin(location)
                self._pid, self._location, self._facts = os.getpid(), location, {}
            return self._store

    def location(self) -> Path:
        """The resolved directory of the store this process reads."""
        self.get()
        assert self._location is not None
        return self._location

    def _fact(self, name: str, compute):
        store = self.get()
        if name not in self._facts:
            self._facts[name] = compute(store)
        return self._facts[name]

    def graphs(self) -> frozenset[str]:
        """The named graphs of the store (the only graphs a query may name)."""
        return self._fact("graphs", lambda store: frozenset(named_graphs(store)))

    def quad_count(self) -> int:
        return self._fact("quads", len)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph."""
        sparql = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return self._fact("sizes", lambda store: {
            row["g"].value: int(row["n"].value) for row in store_query(store, sparql)
        })

    def default_graph_size(self, include_inferred: bool) -> int:
        """Distinct triples of the default graph (the union of the graphs)."""
        sparql = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        return self._fact(f"default-{include_inferred}", lambda store: int(next(iter(
            store_query(store, sparql, include_inferred=include_inferred)))["n"].value))
