"""`sozialgraph push`: copy the built dataset into a SPARQL 1.1 store, then check it there.

What lands on the remote store (the layout `serve --remote` reads, docs/scale-out.md):

- every named graph of the build under its own IRI, the inferred graph included;
- the build's default graph (the merge of the asserted graphs) as the named graph
  `urn:x-sozialgraph:default-graph` (MERGE_GRAPH), which queries name in `default-graph-uri`;
- the same merge as the remote's default graph, for people who query the store directly
  (`--no-default-graph` leaves the remote's default graph alone).

Two ways to send it, both over the Graph Store Protocol endpoint:

- `dataset` (default): one N-Quads stream, POSTed to the endpoint without `?graph`, after the
  target graphs were emptied with `DELETE ?graph=…` (Oxigraph and Fuseki read quads there).
  Blank nodes keep their identity across graphs: the build's blank nodes are shared between a
  document graph, the default graph and the inferred graph (an amount node, its inferred type),
  and a server gives each request's blank nodes fresh identities.
- `graphs`: the SPARQL 1.1 Graph Store Protocol proper, one `PUT ?graph=…` (and `PUT ?default`)
  per graph, for stores that take no quads (Virtuoso). Each graph arrives intact, but blank
  nodes shared between graphs come apart: the check says so.

Data are streamed in batches of BATCH quads, serialised by pyoxigraph into the HTTP client's
spool file (sent with Content-Length, see sozialgraph.store.http); nothing holds a whole graph
in memory. After the upload every graph's size is counted with SPARQL on the remote
query endpoint and compared with the build, and so are the blank nodes that link graphs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from sozialgraph.store.embedded import named_graphs
from sozialgraph.store.http import (
    HttpClient,
    HttpError,
    display_url,
)
from sozialgraph.store.remote import (
    GRAPH_NAMESPACE,
    MERGE_GRAPH,
    RemoteError,
    RemoteQueryError,
    RemoteStore,
    solutions,
)

BATCH = 20_000
DEFAULT = "(default graph)"  # how the remote's default graph is named in plans and reports
# Blank nodes that occur in a named graph and in the default graph: the links between graphs
# that only a single upload keeps.
LINKS_QUERY = ("SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH ?g { ?b ?p ?o } ?b ?q ?v "
               "FILTER (isBlank(?b)) }")


class PushError(Exception):
    """The push could not be done (an HTTP failure, a refusal); the message says where."""


class PushRefused(PushError):
    """--no-replace found graphs that already hold triples."""


@dataclass
class Counted:
    name: str  # a graph IRI, or DEFAULT
    local: int
    remote: int | None = None

    @property
    def ok(self) -> bool:
        return self.local == self.remote


@dataclass
class PushReport:
    method: str
    graphs: list[Counted] = field(default_factory=list)
    links: Counted | None = None
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def table(self) -> str:
        rows = [(c.name, c.local, c.remote) for c in self.graphs]
        if self.links is not None:
            rows.append(("blank nodes linking graphs", self.links.local, self.links.remote))
        width = max([len(r[0]) for r in rows] + [5])
        lines = [f"{'graph':<{width}} {'local':>9} {'remote':>9}"]
        for name, local, remote in rows:
            mark = "ok" if local == remote else "DIFFERS"
            lines.append(f"{name:<{width}} {local:>9} {'-' if remote is None else remote:>9}"
                         f"  {mark}")
        quads = sum(c.local for c in self.graphs)
        lines.append(f"{quads} quads in {len(self.graphs)} graphs pushed in {self.seconds:.1f} s "
                     f"(method {self.method})")
        return "\n".join(lines) + "\n"


def derive_graph_store(query_url: str) -> str:
    """The Graph Store Protocol endpoint beside a query endpoint: Oxigraph's /query or /sparql
    -> /store; Fuseki's /<dataset>/sparql or /query -> /<dataset>/data."""
    parts = urlsplit(query_url)
    segments = parts.path.rstrip("/").split("/")
    if segments[-1] not in ("query", "sparql"):
        raise PushError(f"cannot tell the Graph Store endpoint of {display_url(query_url)}; "
                        "give it with --graph-store")
    path = "/store" if len(segments) == 2 else "/".join(segments[:-1] + ["data"])
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass
class Plan:
    """What goes where: (remote graph name or DEFAULT, local graph term) in sending order."""

    targets: list[tuple[str, ox.NamedNode | ox.DefaultGraph]]

    @classmethod
    def of(cls, store: ox.Store, default_graph: bool = True) -> Plan:
        targets: list[tuple[str, ox.NamedNode | ox.DefaultGraph]] = [
            (name, ox.NamedNode(name)) for name in named_graphs(store)]
        targets.append((MERGE_GRAPH, ox.DefaultGraph()))
        if default_graph:
            targets.append((DEFAULT, ox.DefaultGraph()))
        return cls(targets)

    @property
    def named(self) -> list[str]:
        return [name for name, _ in self.targets if name != DEFAULT]


def local_counts(store: ox.Store, plan: Plan) -> list[Counted]:
    counted = []
    for name, source in plan.targets:
        pattern = "?s ?p ?o" if isinstance(source, ox.DefaultGraph) else \
            f"GRAPH <{source.value}> {{ ?s ?p ?o }}"
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        counted.append(Counted(name, int(next(iter(rows))["n"].value)))
    return counted


def _batches(quads: Iterator[ox.Quad], fmt: ox.RdfFormat, graph: ox.NamedNode | None,
             triples: bool) -> Iterator[bytes]:
    """Serialise quads in batches; N-Triples and N-Quads are line based, so batches concatenate
    into one valid document (blank node labels are the store's, the same in every batch)."""
    batch: list = []
    for quad in quads:
        if triples:
            batch.append(quad.triple)
        else:
            batch.append(ox.Quad(quad.subject, quad.predicate, quad.object,
                                 graph if graph is not None else quad.graph_name))
        if len(batch) >= BATCH:
            yield ox.serialize(batch, format=fmt)
            batch = []
    if batch:
        yield ox.serialize(batch, format=fmt)


def graph_stream(store: ox.Store, source: ox.NamedNode | ox.DefaultGraph) -> Iterator[bytes]:
    """One graph of the store as N-Triples."""
    return _batches(store.quads_for_pattern(None, None, None, source), ox.RdfFormat.N_TRIPLES,
                    None, True)


def dataset_stream(store: ox.Store, plan: Plan) -> Iterator[bytes]:
    """The whole layout as one N-Quads document."""
    for name, source in plan.targets:
        quads = store.quads_for_pattern(None, None, None, source)
        if name == DEFAULT:
            yield from _batches(quads, ox.RdfFormat.N_QUADS, None, True)  # no graph label
        else:
            yield from _batches(quads, ox.RdfFormat.N_QUADS, ox.NamedNode(name), False)


def write_nquads(store: ox.Store, path: Path, default_graph: bool = True) -> list[Counted]:
    """The layout as an N-Quads file, for loaders that read files (QLever, Virtuoso's bulk
    loader, Jena's tdb2.tdbloader)."""
    plan = Plan.of(store, default_graph)
    with open(path, "wb") as out:
        out.writelines(dataset_stream(store, plan))
    return local_counts(store, plan)


class Pusher:
    def __init__(self, store: ox.Store, query_url: str, graph_store_url: str,
                 client: HttpClient, progress: Callable[[str], None] = lambda _: None):
        self.store, self.query_url, self.gsp = store, query_url, graph_store_url
        self.client, self.progress = client, progress
        self.remote = RemoteStore(query_url, client, timeout=None)

    def push(self, *, method: str = "dataset", replace: bool = True,
             default_graph: bool = True) -> PushReport:
        started = time.monotonic()
        plan = Plan.of(self.store, default_graph)
        report = PushReport(method, local_counts(self.store, plan))
        existing = self._remote_graphs()
        stale = sorted(g for g in existing if g.startswith(GRAPH_NAMESPACE) and g not in plan.named)
        if not replace:
            occupied = [g for g in plan.named if g in existing]
            if default_graph and self._count(None) > 0:
                occupied.append(DEFAULT)
            if occupied:
                raise PushRefused("--no-replace: these graphs of the remote store already hold "
                                  "triples: " + ", ".join(occupied))
        elif stale:
            for graph in stale:
                self.progress(f"removing {graph} (not in this build)")
                self._gsp("DELETE", graph, missing_ok=True)
            report.removed = stale
        if method == "dataset":
            if replace:
                for name, _ in plan.targets:
                    if name == DEFAULT or name in existing:
                        self._gsp("DELETE", name, missing_ok=True)
            self.progress(f"sending {sum(c.local for c in report.graphs)} quads in "
                          f"{len(plan.targets)} graphs as one N-Quads stream to "
                          f"{display_url(self.gsp)}")
            self._send("POST", self.gsp, lambda: dataset_stream(self.store, plan),
                       "application/n-quads")
        elif method == "graphs":
            for (name, source), counted in zip(plan.targets, report.graphs, strict=True):
                self.progress(f"PUT {name}: {counted.local} triples")
                self._send("PUT", self._graph_url(name),
                           lambda source=source: graph_stream(self.store, source),
                           "application/n-triples")
        else:
            raise ValueError(f"unknown method {method!r}")
        self.verify(report, plan)
        report.seconds = time.monotonic() - started
        return report

    def verify(self, report: PushReport, plan: Plan) -> None:
        """Count every graph on the remote query endpoint; compare blank-node links."""
        for counted in report.graphs:
            counted.remote = self._count(None if counted.name == DEFAULT else counted.name)
            if not counted.ok:
                report.problems.append(f"{counted.name}: {counted.local} triples in the build, "
                                       f"{counted.remote} on the remote store")
        local_links = int(next(iter(self.store.query(LINKS_QUERY)))["n"].value)
        named = [g for g in plan.named if g != MERGE_GRAPH]
        remote_links = int(next(iter(self._select(LINKS_QUERY, [MERGE_GRAPH], named)))["n"].value)
        report.links = Counted("blank nodes linking graphs", local_links, remote_links)
        if not report.links.ok:
            message = (f"blank nodes shared between graphs: {local_links} in the build, "
                       f"{remote_links} on the remote store; queries that join graphs over "
                       "blank nodes (inference=true, GRAPH patterns) will answer differently")
            if report.method == "graphs":
                report.warnings.append(message + " (expected with --method graphs: each "
                                       "request gets fresh blank nodes; use --method dataset "
                                       "where the store takes N-Quads)")
            else:
                report.problems.append(message)
        remote_graphs = {g for g in self._remote_graphs() if g.startswith(GRAPH_NAMESPACE)}
        extra = sorted(remote_graphs - set(plan.named))
        if extra:
            report.problems.append("the remote store holds graphs this build does not have: "
                                   + ", ".join(extra))

    # -- HTTP --

    def _graph_url(self, name: str) -> str:
        parameter = "default" if name == DEFAULT else urlencode({"graph": name})
        return self.gsp + ("&" if "?" in self.gsp else "?") + parameter

    def _gsp(self, verb: str, name: str, missing_ok: bool = False) -> None:
        url = self._graph_url(name)
        try:
            response = self.client.request(verb, url)
        except HttpError as error:
            raise PushError(str(error)) from None
        if response.status == 404 and missing_ok:
            return
        if not 200 <= response.status < 300:
            raise PushError(f"{verb} {display_url(url)} ({name}): HTTP {response.status} "
                            f"{response.reason}\n{response.text()}")

    def _send(self, verb: str, url: str, body: Callable[[], Iterator[bytes]],
              media_type: str) -> None:
        try:
            response = self.client.request(verb, url, body=body,
                                           headers={"Content-Type": media_type})
        except HttpError as error:
            raise PushError(str(error)) from None
        if not 200 <= response.status < 300:
            raise PushError(f"{verb} {display_url(url)}: HTTP {response.status} {response.reason}\n"
                            f"{response.text()}")

    def _select(self, sparql: str, default: list[str] | None, named: list[str] | None):
        try:
            return solutions(self.remote.fetch(sparql, default, named))
        except RemoteQueryError as error:
            raise PushError(f"query on {display_url(self.query_url)} failed: HTTP "
                            f"{error.status}: {error}") from None
        except (RemoteError, SyntaxError) as error:
            raise PushError(f"query on {display_url(self.query_url)} failed: {error}") from None

    def _count(self, graph: str | None) -> int:
        pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", None, None)
        return int(next(iter(rows))["n"].value)

    def _remote_graphs(self) -> set[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", None, None)
        return {row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)}
