"""The Flask application: configuration, the store handle, blueprint registration, /health, CORS.

    gunicorn --workers 2 --worker-class gthread --threads 4 --timeout 60 'sozialgraph.web.app:create_app()'

Configuration comes from the defaults below, then environment variables (SOZIALGRAPH_STORE,
SOZIALGRAPH_QUERY_TIMEOUT, ... see ENVIRONMENT), then the dict given to create_app.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app, jsonify, request

from sozialgraph import __version__
from sozialgraph.settings import DEFAULT_STORE
from sozialgraph.sparql.executor import InlineExecutor, WorkerPool
from sozialgraph.store.embedded import GRAPH_INFERRED, named_graphs, open_store
from sozialgraph.store.embedded import query as store_query
from sozialgraph.web import errors

DEFAULTS: dict[str, Any] = {
    "STORE_PATH": str(DEFAULT_STORE),
    "QUERY_TIMEOUT": 30.0,  # seconds; 0 evaluates in the web process without a limit
    "MAX_BODY_BYTES": 1_000_000,  # largest query request body (and query string)
    "MAX_RESULT_ROWS": 100_000,  # larger results are refused (rows, or triples for graphs)
    "INCLUDE_INFERRED_DEFAULT": False,  # whether the default graph includes inferred triples
    "PUBLIC_BASE": None,  # e.g. "https://example.org/"; None: the address the request came to
    "QUERY_WORKERS": 2,  # worker processes per web process
    "QUERY_MEMORY_MB": 2048,  # address-space limit of a query worker (MB); 0: no limit
    "QUERY_ISOLATE_NETWORK": True,  # give query workers an empty network namespace if possible
    "REMOTE_ENDPOINT": None,  # a SPARQL query endpoint to serve instead of the store (remote.py)
    "REMOTE_USER": None,  # with REMOTE_PASSWORD: Basic or Digest, as the remote store asks
    "REMOTE_PASSWORD": None,
    "REMOTE_TOKEN": None,  # sent as Authorization: Bearer
}
ENVIRONMENT = {key: f"SOZIALGRAPH_{key}" for key in DEFAULTS} | {"STORE_PATH": "SOZIALGRAPH_STORE"}
EXTENSION = "sozialgraph"
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(_from_environment())
    app.config.update(config or {})
    app.json.sort_keys = False

    if app.config["REMOTE_ENDPOINT"]:  # the same app over a remote SPARQL store (remote.py)
        from sozialgraph.store.remote import make_handle

        app.extensions[EXTENSION] = make_handle(app.config)
    else:
        handle = StoreHandle(app.config["STORE_PATH"], app.config["INCLUDE_INFERRED_DEFAULT"])
        app.extensions[EXTENSION] = handle
        timeout = float(app.config["QUERY_TIMEOUT"] or 0)
        if timeout > 0:
            handle.executor = WorkerPool(handle.location, int(app.config["QUERY_WORKERS"]),
                                         timeout, int(app.config["QUERY_MEMORY_MB"] or 0) or None,
                                         bool(app.config["QUERY_ISOLATE_NETWORK"]))
        else:
            handle.executor = InlineExecutor(handle.get)
        try:
            handle.get()  # fail early in the log; requests get 503 until the store exists
        except StoreUnavailable as error:
            app.logger.error("%s", error)

    errors.register(app)
    app.after_request(_common_headers)
    app.add_url_rule("/health", "health", health)

    # One blueprint per concern; each owns its URLs.
    from sozialgraph.web import downloads, linkeddata, termdocs, ui, void
    from sozialgraph.web import endpoint as sparql
    from sozialgraph.web import validate as validate_service

    for blueprint in (
        sparql.bp,  # SPARQL 1.1 Protocol: /sparql (queries, service description)
        validate_service.bp,  # SHACL validation: /validate (form and API)
        ui.bp,  # pages for people: / (landing page), /ui (query UI)
        linkeddata.bp,  # linked data: /id/..., /graph/<name>, /query/<slug>
        termdocs.bp,  # the ontology and the shapes documented: /ontology, /shapes
        downloads.bp,  # dumps: /downloads, /downloads/<file>
        void.bp,  # VoID: /.well-known/void, /dataset
    ):
        app.register_blueprint(blueprint)
    return app


def _from_environment() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, variable in ENVIRONMENT.items():
        raw = os.environ.get(variable)
        if raw is None or raw == "":
            continue
        default = DEFAULTS[key]
        if isinstance(default, bool):
            values[key] = parse_bool(raw)
            if values[key] is None:
                raise ValueError(f"{variable} must be true or false, not {raw!r}")
        elif isinstance(default, int):
            values[key] = int(raw)
        elif isinstance(default, float):
            values[key] = float(raw)
        else:
            values[key] = raw
    return values


def parse_bool(value: str) -> bool | None:
    """'true'/'1'/'yes'/'on' and '' (a bare switch) are True, 'false'/'0'/'no'/'off' False."""
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS or lowered == "":
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


class StoreUnavailable(RuntimeError):
    pass


class StoreHandle:
    """The store of this process, opened read-only once (again after a fork), with cached facts
    about it. The store does not change while it is open: a rebuilt store needs a restart."""

    def __init__(self, path: str | Path, include_inferred_default: bool):
        self.path = Path(path)
        self.include_inferred_default = include_inferred_default
        self.executor: InlineExecutor | WorkerPool | None = None
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


def store_handle() -> StoreHandle:
    return current_app.extensions[EXTENSION]


def get_store() -> ox.Store:
    """The read-only store, for any blueprint (raises StoreUnavailable)."""
    return store_handle().get()


def public_base() -> str:
    """The server's own base URL, ending in '/': PUBLIC_BASE, else where the request came to.
    The project namespace https://w3id.org/sozialgraph/ maps onto it."""
    configured = current_app.config.get("PUBLIC_BASE")
    return configured.rstrip("/") + "/" if configured else request.url_root


def health():
    handle = store_handle()
    try:
        body = {
            "status": "ok",
            "store": str(handle.path),
            "graphs": len(handle.graphs()),
            "inferred_graph": GRAPH_INFERRED in handle.graphs(),
            "quads": handle.quad_count(),
            "version": __version__,
        }
        status = 200
    except StoreUnavailable as error:
        body = {"status": "unavailable", "store": str(handle.path), "message": str(error),
                "version": __version__}
        status = 503
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _common_headers(response):
    """CORS for every answer (the data are public, no credentials are involved) and the
    preflight answer for OPTIONS requests."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if request.method == "OPTIONS":
        allowed = response.headers.get("Allow", "GET, HEAD, POST, OPTIONS")
        response.headers["Access-Control-Allow-Methods"] = allowed
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
