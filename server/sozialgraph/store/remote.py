"""A remote SPARQL 1.1 store in place of the embedded one (`sozialgraph serve --remote URL`).

The application stays the same: /sparql with its protocol handling and safety checks, linked
data, downloads, VoID, the UI. What changes is where the data come from:

- `RemoteStore` speaks the SPARQL 1.1 Protocol to the remote query endpoint and stands in for
  the read-only `pyoxigraph.Store` where one is used (`sozialgraph.store.embedded.query`, the
  store handle's facts, `sozialgraph.web.dataset`): `query`, `named_graphs`,
  `contains_named_graph`, `__len__` and `quads_for_pattern` for one whole graph. Answers are
  parsed with pyoxigraph, so callers get the same Python objects as from the embedded store.
- `RemoteHandle` is the store handle (graph names, sizes, counts), over the remote store.
- /sparql queries go through `sozialgraph.sparql.remote.RemoteExecutor`, which refuses what
  only a remote engine would do and writes the answer as the embedded store's executor does.

The dataset the remote store must hold is what `sozialgraph push` writes (docs/scale-out.md):
every named graph of the build under its own IRI, and the default graph of the build (the merge
of the asserted graphs) once more as the named graph MERGE_GRAPH, so that a query can name it in
`default-graph-uri` (the SPARQL protocol has no way to name a store's default graph). Every query
therefore carries an explicit dataset: `default-graph-uri` MERGE_GRAPH (and the inferred graph
with inference=true) or the graphs the client chose, and `named-graph-uri` for each graph of the
project, which hides MERGE_GRAPH and any other graph of a shared store from `GRAPH ?g`. Only
graphs in the project's graph namespace are visible.

Requests go out through `sozialgraph.store.http` (requests): no proxies from the environment, no
redirects followed, a deadline per request (QUERY_TIMEOUT), at most MAX_RESPONSE_BYTES read,
Basic or Digest authentication (whichever the server asks for) or a bearer token.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.store.handle import StoreHandle, StoreUnavailable
from sozialgraph.store.http import (
    Credentials,
    HttpClient,
    HttpError,
    HttpTimeout,
    Response,
    ResponseTooLarge,
    check_url,
    display_url,
    split_credentials,
)

log = logging.getLogger(__name__)

MERGE_GRAPH = "urn:x-sozialgraph:default-graph"  # the build's default graph, as a named graph
GRAPH_NAMESPACE = str(GRAPH)  # the graphs of the project; other graphs of the store stay hidden
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
MAX_RESPONSE_BYTES = 256 * 2**20  # a query answer larger than this is refused (too many rows)

RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_PARSERS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # N-Triples' old media type (Virtuoso)
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
# Formats pyoxigraph reads losslessly, best first, for each query form. A store given both lists
# at once may pick a results format for a graph: Virtuoso answers CONSTRUCT with SPARQL JSON
# rows ?s ?p ?o when JSON comes first.
RESULTS_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.7, "
                  "text/tab-separated-values;q=0.6")
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"
ACCEPT = {"SELECT": RESULTS_ACCEPT, "ASK": RESULTS_ACCEPT, "CONSTRUCT": GRAPH_ACCEPT,
          "DESCRIBE": GRAPH_ACCEPT}
_IRI_OR_COMMENT = re.compile(r"<[^<>\s]*>|#[^\n]*")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b(?!:)", re.IGNORECASE)


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these words after the prologue (IRIs
    and comments skipped, so `PREFIX ask: <…#>` does not count); None if there is none.

    >>> query_form("PREFIX ask: <urn:x#> # CONSTRUCT?\\nask ask:x {}")
    'ASK'
    """
    match = _FORM.search(_IRI_OR_COMMENT.sub(" ", sparql))
    return match.group(1).upper() if match else None


# ---- the remote store ---------------------------------------------------------------------------

class RemoteError(StoreUnavailable):
    """The remote store did not answer usefully (unreachable, refused, too slow, too much, or an
    answer that cannot be read). `kind` is the Failure kind for /sparql."""

    def __init__(self, message: str, kind: str = "store"):
        super().__init__(message)
        self.kind = kind


class RemoteQueryError(ValueError):
    """The remote engine could not evaluate the query (HTTP 500 and the like, with its reason)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def solutions(result) -> ox.QuerySolutions:
    """The answer of a SELECT query we sent, or RemoteError if the store answered otherwise."""
    if not isinstance(result, ox.QuerySolutions):
        raise RemoteError("the remote store answered a SELECT query with something else")
    return result


@dataclass
class RemoteStore:
    """A SPARQL 1.1 query endpoint, used like the embedded read-only store (see module doc)."""

    endpoint: str
    client: HttpClient = field(default_factory=HttpClient)
    timeout: float | None = None  # seconds for each request; None: IO_TIMEOUT per socket wait
    namespace: str = GRAPH_NAMESPACE
    _graphs: list[str] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def display(self) -> str:
        return display_url(self.endpoint)

    # -- what sozialgraph.store.embedded.query and the store handle use --

    def query(self, sparql: str, default_graph: Sequence[Any] | None = None,
              named_graphs: Sequence[Any] | None = None,
              prefixes: dict[str, str] | None = None, **_ignored):
        default = [MERGE_GRAPH] if not default_graph else [
            MERGE_GRAPH if isinstance(g, ox.DefaultGraph) else g.value for g in default_graph]
        named = self.graphs() if named_graphs is None else [g.value for g in named_graphs]
        return self.fetch(sparql, default, named, prefixes=prefixes)

    def named_graphs(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(g) for g in self.graphs()]

    def contains_named_graph(self, graph) -> bool:
        return getattr(graph, "value", graph) in self.graphs()

    def __len__(self) -> int:
        """Quads as the embedded store counts them: the named graphs and the default graph."""
        rows = solutions(self.fetch("SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } "
                                    "UNION { ?s ?p ?o } }", [MERGE_GRAPH], self.graphs()))
        return int(next(iter(rows))["n"].value)

    def quads_for_pattern(self, subject, predicate, obj, graph) -> list[ox.Quad]:
        """The quads of one named graph (the only pattern the dumps ask for), by CONSTRUCT."""
        if subject is not None or predicate is not None or obj is not None \
                or not isinstance(graph, ox.NamedNode):
            raise NotImplementedError("a remote store gives whole named graphs only")
        triples = self.fetch(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph.value}> "
                             "{ ?s ?p ?o } }", [MERGE_GRAPH], [graph.value])
        if not isinstance(triples, list):
            raise RemoteError("the remote store answered a CONSTRUCT query with something else")
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]

    def graphs(self) -> list[str]:
        """The project's named graphs on the remote store, sorted (asked once per process)."""
        with self._lock:
            if self._graphs is None:
                rows = solutions(self.fetch("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                            None, None))
                self._graphs = sorted(
                    row["g"].value for row in rows
                    if isinstance(row["g"], ox.NamedNode)
                    and row["g"].value.startswith(self.namespace))
            return list(self._graphs)

    # -- the protocol --

    def fetch(self, sparql: str, default_graphs: Sequence[str] | None,
              named_graphs: Sequence[str] | None, *, prefixes: dict[str, str] | None = None,
              max_bytes: int | None = None):
        """Send a query with the dataset given (None and None: the remote's own dataset); the
        parsed answer: QuerySolutions, QueryBoolean, or a list of triples.

        Raises SyntaxError (HTTP 400: the remote's parser refused it), RemoteQueryError (the
        remote engine failed on it) or RemoteError (no usable answer)."""
        declarations = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())
        form = query_form(sparql)
        pairs = [("query", declarations + sparql)]
        pairs += [("default-graph-uri", g) for g in default_graphs or ()]
        pairs += [("named-graph-uri", g) for g in named_graphs or ()]
        if default_graphs is not None and named_graphs is not None and not named_graphs:
            pairs.append(("named-graph-uri", "urn:x-sozialgraph:no-graph"))
        try:
            response = self.client.request(
                "POST", self.endpoint, body=urlencode(pairs).encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": ACCEPT.get(form or "", f"{RESULTS_ACCEPT}, {GRAPH_ACCEPT}")},
                timeout=self.timeout, max_bytes=max_bytes)
        except HttpTimeout:
            raise RemoteError(f"query exceeded the time limit of {self.timeout:g} s", "timeout") \
                from None
        except ResponseTooLarge:
            raise RemoteError(f"the answer is larger than {max_bytes} bytes (the server's "
                              "limit); use LIMIT and OFFSET to fetch it in pages",
                              "too_many_rows") from None
        except HttpError as error:
            log.error("remote store: %s", error)
            raise RemoteError(f"the remote store at {self.display} is not reachable") from None
        self._check_status(response)
        result = self._parse(response)
        return answer_of_ask(result) if form == "ASK" else result

    def _check_status(self, response: Response) -> None:
        status = response.status
        incomplete = response.header("x-sql-state").upper().startswith("S1TAT")
        if status == 206 or incomplete:  # Virtuoso's "anytime" answers: cut short, on purpose
            message = response.header("x-sql-message") or "the answer is incomplete"
            log.warning("remote store %s sent an incomplete answer: %s", self.display, message)
            kind = "timeout" if "timeout" in message.lower() else "too_many_rows"
            raise RemoteError(f"the remote store sent an incomplete answer (HTTP {status}: "
                              f"{message.strip()[:200]}); the server's limits apply", kind)
        if status == 200:
            return
        reason = response.text(1000) or response.reason
        if status == 400:
            raise SyntaxError(reason)
        if status in (413, 414):
            raise RemoteQueryError("the remote store refuses a query this large", status)
        if status in (408, 504):
            raise RemoteError(f"the remote store gave up on the query (HTTP {status})", "timeout")
        if status == 500:
            raise RemoteQueryError(reason, status)
        log.error("remote store %s answered HTTP %s %s: %s", self.display, status,
                  response.reason, reason)
        what = "refused access (check the remote credentials)" if status in (401, 403) \
            else "answered with an error"
        raise RemoteError(f"the remote store {what}: HTTP {status} {response.reason}")

    def _parse(self, response: Response):
        media_type = response.media_type
        try:
            if media_type in RESULT_PARSERS:
                fmt = RESULT_PARSERS[media_type]
                result = ox.parse_query_results(response.body, format=fmt)
                if isinstance(result, ox.QuerySolutions):
                    for _ in result:  # read it all once: a broken answer fails here, not later
                        pass
                    result = ox.parse_query_results(response.body, format=fmt)
                return result
            if media_type in RDF_PARSERS:
                return [quad.triple for quad in ox.parse(response.body,
                                                         format=RDF_PARSERS[media_type])]
        except (SyntaxError, ValueError) as error:
            if response.body.rstrip().endswith(b"has been cancelled"):  # Oxigraph's --timeout-s
                raise RemoteError("the remote store stopped the query at its own time limit",
                                  "timeout") from None
            raise RemoteError(f"the remote store sent an answer that cannot be read: {error}") \
                from None
        raise RemoteError(f"the remote store answered in an unexpected format "
                          f"({media_type or 'no Content-Type'})")


ASK_COLUMN = ox.Variable("__ASK_RETVAL")


def answer_of_ask(result):
    """The answer to an ASK query. Virtuoso 7.2.5 (07.20.3229) answers one with a solution table: one column
    `__ASK_RETVAL`, one row `1` for true, no row for false (in JSON, XML and TSV alike; see
    docs/scale-out.md). Turn exactly that back into the boolean the protocol defines; anything
    else passes unchanged."""
    if not isinstance(result, ox.QuerySolutions) or result.variables != [ASK_COLUMN]:
        return result
    values = [row[ASK_COLUMN] for row in result]
    if values and values != [ox.Literal("1", datatype=ox.NamedNode(XSD_INTEGER))]:
        raise RemoteError(f"the remote store answered an ASK query with {values[:3]}")
    return ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if values else b"false"),
                                  format=ox.QueryResultsFormat.JSON)


# ---- the handle and the executor the app uses ---------------------------------------------------

class RemoteHandle(StoreHandle):
    """The store handle of a process serving a remote store. Facts are kept per process, as for
    the embedded store: after a new push, restart the server."""

    def __init__(self, remote: RemoteStore, include_inferred_default: bool):
        super().__init__(remote.display, include_inferred_default)
        self.path = remote.display  # type: ignore[assignment]  # a URL, not a directory
        self.remote = remote

    def get(self) -> RemoteStore:  # type: ignore[override]
        return self.remote

    def location(self) -> str:  # type: ignore[override]
        return self.remote.display


def make_handle(config: dict[str, Any]) -> RemoteHandle:
    """The store handle for the app's REMOTE_* settings; logs what it finds."""
    endpoint, in_url = split_credentials(check_url(str(config["REMOTE_ENDPOINT"])))
    credentials = Credentials(config.get("REMOTE_USER") or None,
                              config.get("REMOTE_PASSWORD") or None,
                              config.get("REMOTE_TOKEN") or None)
    if not credentials and in_url:
        credentials = in_url
    timeout = float(config.get("QUERY_TIMEOUT") or 0) or None
    remote = RemoteStore(endpoint, HttpClient(credentials), timeout)
    handle = RemoteHandle(remote, bool(config.get("INCLUDE_INFERRED_DEFAULT")))
    problem = probe(remote)
    if problem:  # requests get 503 until the store answers; a missing layout gives empty answers
        log.error("%s", problem)
    return handle


def probe(remote: RemoteStore) -> str | None:
    """A problem with the remote store's layout, or None if it looks as `push` leaves it."""
    try:
        graphs = remote.graphs()
        merged = remote.fetch(f"ASK {{ GRAPH <{MERGE_GRAPH}> {{ ?s ?p ?o }} }}", None, None)
    except (StoreUnavailable, SyntaxError, ValueError) as error:
        return f"the remote store at {remote.display} does not answer: {error}"
    if not bool(merged):
        return (f"the remote store at {remote.display} has no graph <{MERGE_GRAPH}> (the "
                "default graph): load it with `sozialgraph push`")
    if not graphs:
        return f"the remote store at {remote.display} holds no graph of {remote.namespace}"
    return None
