"""The store a server process reads: opened read-only once (again after a fork), with cached
facts about it (graphs, sizes). The remote store (sozialgraph.store.remote) offers the same
interface over a SPARQL 1.1 endpoint."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sozialgraph.store.embedded import named_graphs, open_store
from sozialgraph.store.embedded import query as store_query


class StoreUnavailable(RuntimeError):
    pass


class StoreHandle:
    """The store of this process, opened read-only once (again after a fork), with cached facts
    about it. The store does not change while it is open: a rebuilt store needs a restart."""

    def __init__(self, path: str | Path, include_inferred_default: bool):
        self.path = Path(path)
        self.include_inferred_default = include_inferred_default
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._store: ox.Store | None = None
        self._location: Path | None = None
        self._facts: dict[str, Any] = {}

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
