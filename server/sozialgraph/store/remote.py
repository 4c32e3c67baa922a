"""A remote SPARQL 1.1 store in place of the embedded one (`sozialgraph serve --remote URL`).

The application stays the same: /sparql with its protocol handling and safety checks, linked
data, downloads, VoID, the UI. What changes is where the data come from:

- `RemoteStore` speaks the SPARQL 1.1 Protocol to the remote query endpoint and stands in for the
  read-only `pyoxigraph.Store` in the few places that use one (`sozialgraph.store.embedded.query`, the store
  handle's facts, `sozialgraph.web.dataset`): `query`, `named_graphs`, `contains_named_graph`, `__len__`
  and `quads_for_pattern` for one whole graph. Answers are parsed with pyoxigraph, so callers get
  the same Python objects as from the embedded store.
- `RemoteExecutor` is the /sparql executor (`run(QueryTask) -> Answer | Failure`): it refuses
  what only a remote engine would do (`check_remote_query`), sends the checked query, and hands
  the parsed answer to `sozialgraph.sparql.executor.evaluate`, so that serialisation, the row limit and the
  error kinds are exactly the embedded store's.
- `RemoteHandle` is the store handle (graph names, sizes, counts), over the remote store.

The dataset the remote store must hold is what `sozialgraph push` writes (docs/scale-out.md):
every named graph of the build under its own IRI, and the default graph of the build (the merge
of the asserted graphs) once more as the named graph MERGE_GRAPH, so that a query can name it in
`default-graph-uri` (the SPARQL protocol has no way to name a store's default graph). Every query
therefore carries an explicit dataset: `default-graph-uri` MERGE_GRAPH (and the inferred graph
with inference=true) or the graphs the client chose, and `named-graph-uri` for each graph of the
project, which hides MERGE_GRAPH and any other graph of a shared store from `GRAPH ?g`. Only
graphs in the project's graph namespace are visible.

Requests go out with http.client: no proxies from the environment, no redirects followed, a
deadline per request (QUERY_TIMEOUT), at most MAX_RESPONSE_BYTES read, Basic or Digest
authentication (whichever the server asks for) or a bearer token.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import re
import secrets
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from sozialgraph import __version__
from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.sparql.check import UnsafeQuery, tokenize, unescape_codepoints
from sozialgraph.sparql.executor import Answer, Failure, QueryTask, evaluate
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.store.handle import StoreHandle, StoreUnavailable

log = logging.getLogger(__name__)

MERGE_GRAPH = "urn:x-sozialgraph:default-graph"  # the build's default graph, as a named graph
GRAPH_NAMESPACE = str(GRAPH)  # the graphs of the project; other graphs of the store stay hidden
MAX_RESPONSE_BYTES = 256 * 2**20  # a query answer larger than this is refused (too many rows)
IO_TIMEOUT = 600.0  # seconds a socket may wait when no deadline applies (uploads, dumps)
USER_AGENT = f"sozialgraph/{__version__}"

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
# Formats pyoxigraph reads losslessly, best first; a remote store picks per query form.
ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
          "application/sparql-results+xml;q=0.7, text/tab-separated-values;q=0.6, "
          "application/rdf+xml;q=0.5")


# ---- HTTP ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Credentials:
    """User and password (Basic or Digest, as the server asks), or a bearer token."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __bool__(self) -> bool:
        return bool(self.user or self.token)


class HttpError(Exception):
    """The request did not get an answer (connection refused, reset, bad URL)."""


class HttpTimeout(HttpError):
    """The answer did not come (completely) before the deadline."""


class ResponseTooLarge(HttpError):
    """The answer is longer than the caller allows."""


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, list[str]]  # lower-case names
    body: bytes

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()

    def text(self, limit: int = 2000) -> str:
        text = self.body[:limit].decode("utf-8", "replace").strip()
        return text + ("…" if len(self.body) > limit else "")


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """`http://user:secret@host/path` -> (`http://host/path`, Credentials(user, secret))."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, Credentials(unquote(parts.username), unquote(parts.password or ""))


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


class HttpClient:
    """One HTTP request per connection, no proxies, no redirects (a 3xx is returned as is).

    With a user and password nothing is sent until the server asks (401 with a Basic or Digest
    challenge); the scheme it asked for is remembered, so later requests authenticate at once.
    A token is sent as `Authorization: Bearer …` with every request.
    """

    def __init__(self, credentials: Credentials | None = None):
        self.credentials = credentials or Credentials()
        self._lock = threading.Lock()
        self._scheme: str | None = None  # "basic" or "digest", once the server asked
        self._digest: dict[str, str] = {}
        self._nonce_count = 0

    def request(self, method: str, url: str, *, body: bytes | Callable[[], Iterable[bytes]]
                | None = None, headers: dict[str, str] | None = None,
                timeout: float | None = None, max_bytes: int | None = None) -> Response:
        """Send a request and read the whole answer.

        `body` is bytes, or a function returning an iterable of byte chunks (sent with chunked
        transfer encoding; called again if the request is repeated after a challenge).
        `timeout` bounds the whole exchange (HttpTimeout); `max_bytes` the answer's body.
        """
        check_url(url)
        deadline = time.monotonic() + timeout if timeout else None
        response = self._send(method, url, body, headers or {}, deadline, max_bytes,
                              self._authorization(method, url))
        if response.status == 401 and self._learn(response):
            response = self._send(method, url, body, headers or {}, deadline, max_bytes,
                                  self._authorization(method, url))
        return response

    # -- authentication --

    def _authorization(self, method: str, url: str) -> str | None:
        credentials = self.credentials
        if credentials.token:
            return f"Bearer {credentials.token}"
        with self._lock:
            scheme = self._scheme
        if scheme == "basic":
            pair = f"{credentials.user}:{credentials.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        if scheme == "digest":
            return self._digest_authorization(method, url)
        return None

    def _learn(self, response: Response) -> bool:
        """Take up the server's challenge; True if the request is worth repeating."""
        if not self.credentials.user or self.credentials.token:
            return False
        challenges = parse_challenges(response.headers.get("www-authenticate", []))
        with self._lock:
            previous = self._scheme
            if "digest" in challenges:
                digest = challenges["digest"]
                stale = digest.get("stale", "").lower() == "true"
                if previous == "digest" and not stale:
                    return False  # the credentials were refused
                self._scheme, self._digest, self._nonce_count = "digest", digest, 0
                return True
            if "basic" in challenges and previous != "basic":
                self._scheme = "basic"
                return True
        return False

    def _digest_authorization(self, method: str, url: str) -> str:
        """RFC 7616 Digest (MD5 or SHA-256, optionally -sess; qop=auth where offered)."""
        parts = urlsplit(url)
        uri = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            challenge = dict(self._digest)
            self._nonce_count += 1
            count = f"{self._nonce_count:08x}"
        algorithm = challenge.get("algorithm", "MD5")
        name = {"MD5": "md5", "SHA-256": "sha256"}.get(algorithm.upper().removesuffix("-SESS"))
        if name is None:
            raise HttpError(f"the server asks for Digest {algorithm}, which is not supported")

        def digest(text: str) -> str:
            return hashlib.new(name, text.encode("utf-8")).hexdigest()

        realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
        cnonce = secrets.token_hex(16)
        secret = digest(f"{self.credentials.user}:{realm}:{self.credentials.password or ''}")
        if algorithm.upper().endswith("-SESS"):
            secret = digest(f"{secret}:{nonce}:{cnonce}")
        request_hash = digest(f"{method}:{uri}")
        qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
        fields = {"username": self.credentials.user, "realm": realm, "nonce": nonce, "uri": uri}
        if "auth" in qops:
            fields["response"] = digest(f"{secret}:{nonce}:{count}:{cnonce}:auth:{request_hash}")
            fields |= {"qop": "auth", "nc": count, "cnonce": cnonce}
        else:
            fields["response"] = digest(f"{secret}:{nonce}:{request_hash}")
        fields["algorithm"] = algorithm
        if "opaque" in challenge:
            fields["opaque"] = challenge["opaque"]
        unquoted = {"qop", "nc", "algorithm"}
        return "Digest " + ", ".join(
            f"{key}={value}" if key in unquoted else f'{key}="{value}"'
            for key, value in fields.items())

    # -- transport --

    def _send(self, method, url, body, headers, deadline, max_bytes, authorization) -> Response:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        first_timeout = _remaining(deadline)
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=first_timeout,
                context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=first_timeout)
        all_headers = {"User-Agent": USER_AGENT, **headers}
        if authorization:
            all_headers["Authorization"] = authorization
        try:
            payload = body() if callable(body) else body
            conn.request(method, target, body=payload, headers=all_headers)
            if conn.sock is not None:
                conn.sock.settimeout(_remaining(deadline))
            answer = conn.getresponse()
            chunks, size = [], 0
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(_remaining(deadline))
                chunk = answer.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ResponseTooLarge(f"the answer is longer than {max_bytes} bytes")
                chunks.append(chunk)
            names: dict[str, list[str]] = {}
            for name, value in answer.getheaders():
                names.setdefault(name.lower(), []).append(value)
            return Response(answer.status, answer.reason, names, b"".join(chunks))
        except TimeoutError:
            raise HttpTimeout(f"no complete answer from {display_url(url)} in time") from None
        except (OSError, http.client.HTTPException) as error:
            raise HttpError(f"{method} {display_url(url)} failed: "
                            f"{type(error).__name__}: {error}") from None
        finally:
            conn.close()


def _remaining(deadline: float | None) -> float:
    if deadline is None:
        return IO_TIMEOUT
    left = deadline - time.monotonic()
    if left <= 0:
        raise HttpTimeout("the deadline passed")
    return left


_CHALLENGE_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?')


def parse_challenges(headers: Sequence[str]) -> dict[str, dict[str, str]]:
    """WWW-Authenticate values -> {scheme (lower case): {parameter: value}}.

    >>> parse_challenges(['Digest realm="SPARQL", nonce="abc", qop="auth", algorithm=MD5'])
    {'digest': {'realm': 'SPARQL', 'nonce': 'abc', 'qop': 'auth', 'algorithm': 'MD5'}}
    """
    found: dict[str, dict[str, str]] = {}
    for header in headers:
        # a header may hold several challenges: a scheme word starts each one
        for match in re.finditer(r"(?:^|,)\s*(Basic|Digest|Bearer)\b((?:(?!,\s*(?:Basic|Digest|"
                                 r"Bearer)\b).)*)", header, re.IGNORECASE):
            params = {}
            for key, value in _CHALLENGE_PARAM.findall(match.group(2)):
                if value.startswith('"'):
                    value = re.sub(r"\\(.)", r"\1", value[1:-1])
                params[key.lower()] = value
            found[match.group(1).lower()] = params
    return found


def display_url(url: str) -> str:
    """The URL without credentials or query string (for messages and logs)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# ---- what a remote engine must not be asked -----------------------------------------------------

class ForeignQuery(UnsafeQuery):
    """A query the embedded engine would not run, that a remote engine might run differently."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind  # the Failure kind: syntax or evaluation


_VENDOR_WORDS = {"DEFINE": "DEFINE (a Virtuoso pragma, which can make it fetch documents)",
                 "OPTION": "OPTION (Virtuoso query options, which can make it fetch documents)"}
_VENDOR_SCHEMES = ("bif:", "sql:", "java:")  # Virtuoso built-ins and SQL, Jena's Java functions
_VENDOR_PREFIXES = {"bif", "sql"}  # predeclared by Virtuoso
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def check_remote_query(query: str) -> None:
    """Refuse what the checks in safety.py leave to the embedded engine's own refusal, because a
    remote engine may accept it: vendor extensions that reach outside the store (Virtuoso's
    DEFINE and OPTION pragmas, bif:/sql: functions, Jena's java: functions), and relative IRIs
    without BASE (pyoxigraph refuses them; a remote server would resolve them against its own
    URL and show it). Runs on the query as sent and with \\u escapes decoded, like safety.py."""
    decoded = unescape_codepoints(query)
    for text in dict.fromkeys([query, decoded]):
        tokens = tokenize(text)
        has_base = any(t.kind == "word" and t.text.upper() == "BASE" for t in tokens)
        for token in tokens:
            if token.kind == "word":
                upper = token.text.upper()
                for word, what in _VENDOR_WORDS.items():
                    if upper == word or (word == "DEFINE" and word in upper):
                        raise ForeignQuery(f"{what} is not SPARQL and is not accepted", "syntax")
            elif token.kind == "pname" and token.prefix.lower() in _VENDOR_PREFIXES:
                raise ForeignQuery(f"the prefix {token.prefix}: names vendor built-in functions, "
                                   "which are not accepted; declare another prefix name",
                                   "evaluation")
            elif token.kind == "iri":
                iri = unescape_codepoints(token.text[1:-1])
                if iri.lower().startswith(_VENDOR_SCHEMES):
                    raise ForeignQuery(f"<{iri}> names a vendor built-in (bif:, sql:, java:), "
                                       "which is not accepted", "evaluation")
                if not has_base and not _ABSOLUTE.match(iri):
                    raise ForeignQuery(f"the relative IRI <{iri}> needs a BASE declaration",
                                       "syntax")


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
        pairs = [("query", declarations + sparql)]
        pairs += [("default-graph-uri", g) for g in default_graphs or ()]
        pairs += [("named-graph-uri", g) for g in named_graphs or ()]
        if default_graphs is not None and named_graphs is not None and not named_graphs:
            pairs.append(("named-graph-uri", "urn:x-sozialgraph:no-graph"))
        try:
            response = self.client.request(
                "POST", self.endpoint, body=urlencode(pairs).encode("ascii"),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": ACCEPT}, timeout=self.timeout, max_bytes=max_bytes)
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
        return self._parse(response)

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


class _Answered:
    """Hands `evaluate` an answer already fetched, as if a store had just computed it."""

    def __init__(self, result):
        self._result = result

    def contains_named_graph(self, _graph) -> bool:
        return True

    def query(self, *_args, **_kwargs):
        return self._result


class RemoteExecutor:
    """Runs checked /sparql queries on the remote store (the executor interface of executor.py)."""

    def __init__(self, remote: RemoteStore, max_bytes: int = MAX_RESPONSE_BYTES):
        self.remote, self.max_bytes = remote, max_bytes

    def run(self, task: QueryTask) -> Answer | Failure:
        try:
            check_remote_query(task.query)
        except ForeignQuery as refusal:
            return Failure(refusal.kind, str(refusal))
        try:
            graphs = self.remote.graphs()
            if task.default_graphs:
                default = list(task.default_graphs)
            else:
                default = [MERGE_GRAPH]
                if task.include_inferred and GRAPH_INFERRED in graphs:
                    default.append(GRAPH_INFERRED)
            named = list(task.named_graphs) if task.named_graphs else graphs
            result = self.remote.fetch(task.query, default, named, max_bytes=self.max_bytes)
        except SyntaxError as error:
            return Failure("syntax", str(error.msg or error))
        except RemoteError as error:
            return Failure(error.kind, str(error))
        except RemoteQueryError as error:
            return Failure("evaluation", str(error))
        return evaluate(_Answered(result), task)

    def close(self) -> None:
        pass


def make_handle(config: dict[str, Any]) -> RemoteHandle:
    """The handle (with its executor) for the app's REMOTE_* settings; logs what it finds."""
    endpoint, in_url = split_credentials(check_url(str(config["REMOTE_ENDPOINT"])))
    credentials = Credentials(config.get("REMOTE_USER") or None,
                              config.get("REMOTE_PASSWORD") or None,
                              config.get("REMOTE_TOKEN") or None)
    if not credentials and in_url:
        credentials = in_url
    timeout = float(config.get("QUERY_TIMEOUT") or 0) or None
    remote = RemoteStore(endpoint, HttpClient(credentials), timeout)
    handle = RemoteHandle(remote, bool(config.get("INCLUDE_INFERRED_DEFAULT")))
    handle.executor = RemoteExecutor(remote)  # type: ignore[assignment]
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
