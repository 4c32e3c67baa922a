"""The Flask application: configuration, the store handle, blueprint registration, /health, CORS.

    gunicorn --workers 2 --worker-class gthread --threads 4 --timeout 60 'sozialgraph.web.app:create_app()'

Configuration: the settings table of sozialgraph.settings (defaults, then SOZIALGRAPH_*
environment variables), then the dict given to create_app.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request

from sozialgraph import __version__, settings
from sozialgraph.sparql.service import executor_for
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.store.handle import StoreHandle, StoreUnavailable
from sozialgraph.store.remote import RemoteHandle
from sozialgraph.store.remote import make_handle as make_remote_handle
from sozialgraph.web import fairness, http
from sozialgraph.web.dataset import (
    EXECUTOR_EXTENSION,
    STORE_EXTENSION,
    query_executor,
    store_handle,
)
from sozialgraph.web.pools import close_pools, own_pool


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings.resolve(config))
    app.json.sort_keys = False

    if app.config["REMOTE_ENDPOINT"]:  # the same app over a remote SPARQL store
        handle = make_remote_handle(app.config)
    else:
        handle = StoreHandle(app.config["STORE_PATH"], app.config["INCLUDE_INFERRED_DEFAULT"])
        try:
            handle.get()  # fail early in the log; requests get 503 until the store exists
        except StoreUnavailable as error:
            app.logger.error("%s", error)
    executor = executor_for(handle, app.config)
    app.extensions[STORE_EXTENSION] = handle
    app.extensions[EXECUTOR_EXTENSION] = executor
    own_pool(app, executor)

    http.register(app)
    app.wsgi_app = http.guard_request_bodies(app.wsgi_app)  # broken bodies are 400, not 500
    fairness.init_app(app)
    app.after_request(_common_headers)
    app.add_url_rule("/health", "health", health)

    # One blueprint per concern; each owns its URLs.
    from sozialgraph.web import (
        downloads,
        drafts,
        explore,
        linkeddata,
        releases,
        search,
        termdocs,
        ui,
        void,
    )
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
        releases.bp,  # citable releases: /releases, /releases/<version>[/<file>]
        search.bp,  # full-text search: /search
        explore.bp,  # charts drawn from curated queries: /explore
        drafts.bp,  # review of extracted drafts: /drafts, /drafts/<id>
    ):
        app.register_blueprint(blueprint)
    return app


def health():
    handle = store_handle()
    try:
        body = {
            "status": "ok",
            "store": _shown_store(handle),
            "graphs": len(handle.graphs()),
            "inferred_graph": GRAPH_INFERRED in handle.graphs(),
            "quads": handle.quad_count(),
            # whether query workers run without network (None: no worker has started yet, or
            # queries go to a remote store); SERVICE is refused before evaluation in any case
            "query_workers_network_isolated": getattr(query_executor(), "network_isolated",
                                                      None),
            "version": __version__,
        }
        status = 200
    except StoreUnavailable as error:
        body = {"status": "unavailable", "store": _shown_store(handle),
                "message": str(error).replace(str(handle.path), _shown_store(handle)),
                "version": __version__}
        status = 503
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _shown_store(handle) -> str:
    """The store as /health names it: a remote store's URL (without credentials), else the
    store folder's name and the build it points at, never a path of the machine."""
    if isinstance(handle, RemoteHandle):
        return str(handle.path)
    try:
        location = handle.location()
    except StoreUnavailable:
        return handle.path.name
    return handle.path.name if location.name == handle.path.name else \
        f"{handle.path.name} -> {location.name}"


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
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


# Pages load only our own scripts, styles and fonts (YASGUI is served from static/vendor) and talk
# only to this server; no page may be framed. Inline styles stay allowed: YASGUI and CodeMirror
# write style attributes. JSON data blocks (JSON-LD, the UI's configuration) are not scripts.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'",
    "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
])


def close(app: Flask) -> None:
    """Stop the app's query workers and validators now (they stop by themselves when the app is
    garbage-collected or the process ends)."""
    close_pools(app)
