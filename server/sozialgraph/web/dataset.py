"""The one seam through which the linked-data pages, the downloads and the VoID description read
the data.

Everything here speaks SPARQL 1.1 Query or asks for whole graphs, so that a remote store can stand
in for the embedded one without touching the callers. With REMOTE_ENDPOINT configured, the
store of the app is a `sozialgraph.store.remote.RemoteStore`, which answers the same calls over the SPARQL
1.1 Protocol (docs/scale-out.md):

| function | embedded store | remote SPARQL store (`serve --remote`) |
|---|---|---|
| `select`, `construct`, `ask` | `sozialgraph.store.embedded.query` on the store | POST `query=`, explicit dataset |
| `graph_names`, `graph_sizes` | the `StoreHandle` facts (`GROUP BY ?g`) | the same, over the protocol |
| `dump` | `Store.quads_for_pattern` | a `CONSTRUCT` of each named graph |

Queries may use the project's prefixes (`sozialgraph.rdf.namespaces.PREFIXES`) without declaring them.
The default graph is the merge of the asserted graphs, plus the inferred graph when
`include_inferred` is true (as at the SPARQL endpoint). The store does not change while the
process has it open, so anything computed from it may be kept per process with `cached`.

Calls must run inside a request (or an application context) of the app that owns the store. A
store that cannot be opened, or a remote store that does not answer, is reported as an ApiError
503.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import pyoxigraph as ox
from flask import Flask, current_app

from sozialgraph.rdf.formats import Format
from sozialgraph.sparql.executor import Answer, QueryTask
from sozialgraph.store.embedded import query as store_query
from sozialgraph.store.handle import StoreHandle, StoreUnavailable
from sozialgraph.web.http import prefixes_for, service_unavailable


def store_handle() -> StoreHandle:
    return current_app.extensions[STORE_EXTENSION]


def query_executor(app: Flask | None = None):
    """What runs the checked /sparql queries of `app` (default: the current app): an executor of
    sozialgraph.sparql (`run(task) -> Answer | Failure`)."""
    return (app or current_app).extensions[EXECUTOR_EXTENSION]


def get_store() -> ox.Store:
    """The read-only store, for any blueprint (raises StoreUnavailable)."""
    return store_handle().get()



STORE_EXTENSION = "sozialgraph"  # app.extensions key of the store handle
EXECUTOR_EXTENSION = "sozialgraph.executor"  # and of the executor of /sparql queries
T = TypeVar("T")
Row = dict[str, Any]  # variable name -> pyoxigraph term (NamedNode, BlankNode, Literal) or None

_QUAD_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
_CACHE_KEY = "sozialgraph.dataset-cache"
_cache_lock = threading.Lock()


def select(sparql: str, *, include_inferred: bool = False) -> list[Row]:
    """The solutions of a SELECT query, each a dict from variable name to term (None: unbound)."""
    solutions = _query(sparql, include_inferred)
    names = [variable.value for variable in solutions.variables]
    return [{name: row[name] for name in names} for row in solutions]


def select_limited(sparql: str) -> list[Row] | None:
    """The solutions of a SELECT query that may scan the store, evaluated as /sparql queries
    are (a query worker, QUERY_TIMEOUT, MAX_RESULT_ROWS); None when it was not answered (over
    a limit, every worker busy)."""
    task = QueryTask(sparql, None, None, False, "json", None,
                     int(current_app.config["MAX_RESULT_ROWS"]))
    outcome = query_executor().run(task)
    if not isinstance(outcome, Answer):
        return None
    solutions = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    names = [variable.value for variable in solutions.variables]
    return [{name: row[name] for name in names} for row in solutions]


def construct(sparql: str, *, include_inferred: bool = False) -> list[ox.Triple]:
    """The triples of a CONSTRUCT (or DESCRIBE) query, each once, in the order they came."""
    return list(dict.fromkeys(_query(sparql, include_inferred)))


def ask(sparql: str, *, include_inferred: bool = False) -> bool:
    return bool(_query(sparql, include_inferred))


def graph_names() -> list[str]:
    """The IRIs of the store's named graphs, sorted (the inferred graph among them)."""
    return sorted(_handle_call(lambda handle: handle.graphs()))


def graph_sizes() -> dict[str, int]:
    """Triples per named graph."""
    return dict(_handle_call(lambda handle: handle.graph_sizes()))


def dump(graphs: str | Sequence[str] | None, fmt: Format) -> bytes:
    """Serialise named graphs in `fmt` (a format of `sozialgraph.rdf.formats`), with the project prefixes.

    `graphs` is one graph IRI (any RDF format), a list of graph IRIs or None for every named
    graph (then `fmt` must be TriG or N-Quads, which keep the graph names; a single graph in
    these formats keeps its name too). The store's default graph, a derived
    copy of the asserted graphs, is never part of a dump.
    """
    store = _store()
    if isinstance(graphs, str):
        quads: Iterable[ox.Quad] = _answer(store.quads_for_pattern, None, None, None,
                                           ox.NamedNode(graphs))
        if fmt.ox_format in _QUAD_FORMATS:  # the graph keeps its name
            return ox.serialize(quads, format=fmt.ox_format, prefixes=prefixes_for(fmt))
        triples = [quad.triple for quad in quads]
        return ox.serialize(triples, format=fmt.ox_format,
                            prefixes=prefixes_for(fmt, triples))
    if fmt.ox_format not in _QUAD_FORMATS:
        raise ValueError(f"{fmt.media_type} cannot hold several named graphs")
    names = graph_names() if graphs is None else list(graphs)
    quads = [quad for name in names
             for quad in _answer(store.quads_for_pattern, None, None, None, ox.NamedNode(name))]
    return ox.serialize(quads, format=fmt.ox_format, prefixes=prefixes_for(fmt, quads))


def cached(key: str, compute: Callable[[], T]) -> T:
    """`compute()` once per process and app (the store does not change while it is open)."""
    cache = current_app.extensions.setdefault(_CACHE_KEY, {})
    if key not in cache:
        value = compute()
        with _cache_lock:
            cache.setdefault(key, value)
    return cache[key]


def _query(sparql: str, include_inferred: bool):
    return _answer(store_query, _store(), sparql, include_inferred=include_inferred,
                   with_prefixes=True)


def _answer(call: Callable[..., T], *args, **kwargs) -> T:
    """`call(...)`, with a store that fails while answering (a remote one) reported as 503."""
    try:
        return call(*args, **kwargs)
    except StoreUnavailable as error:
        raise service_unavailable(str(error)) from None


def _store() -> ox.Store:
    try:
        return get_store()
    except StoreUnavailable as error:
        raise service_unavailable(str(error)) from None


def _handle_call(call: Callable[[Any], T]) -> T:
    try:
        return call(store_handle())
    except StoreUnavailable as error:
        raise service_unavailable(str(error)) from None


class TripleIndex:
    """A small read-only index over triples a query returned (a resource's description, the
    ontology graph), for walking them in Python: values of a property, RDF lists."""

    RDF_FIRST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
    RDF_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
    RDF_NIL = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")

    def __init__(self, triples: Iterable[ox.Triple]):
        self.triples = list(triples)
        self._by_subject: dict[Any, list[ox.Triple]] = {}
        self._by_object: dict[Any, list[ox.Triple]] = {}
        for triple in self.triples:
            self._by_subject.setdefault(triple.subject, []).append(triple)
            self._by_object.setdefault(triple.object, []).append(triple)

    def about(self, subject) -> list[ox.Triple]:
        return self._by_subject.get(_node(subject), [])

    def pointing_to(self, obj) -> list[ox.Triple]:
        return self._by_object.get(_node(obj), [])

    def objects(self, subject, predicate) -> list[Any]:
        predicate = _node(predicate)
        return [t.object for t in self.about(subject) if t.predicate == predicate]

    def subjects(self, predicate, obj) -> list[Any]:
        predicate = _node(predicate)
        return [t.subject for t in self.pointing_to(obj) if t.predicate == predicate]

    def value(self, subject, predicate) -> Any | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects_all(self) -> list[Any]:
        return list(self._by_subject)

    def items(self, head) -> list[Any]:
        """The members of the RDF list starting at `head`, in order (cycles end the walk)."""
        members, seen = [], set()
        while head is not None and head != self.RDF_NIL and head not in seen:
            seen.add(head)
            first = self.value(head, self.RDF_FIRST)
            if first is not None:
                members.append(first)
            head = self.value(head, self.RDF_REST)
        return members


def _node(term):
    """Accept IRIs as strings where a term is expected."""
    return ox.NamedNode(str(term)) if isinstance(term, str) else term
