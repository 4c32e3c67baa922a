"""The HTTP toolkit every blueprint uses, and nothing else of the web layer: errors as values
(`ApiError`, answered as short plain text, or JSON for clients that accept only JSON; a stack
trace never reaches a client), reading a request body under a size limit (413), content
negotiation and the responses built from it (ETag, Vary, conditional GET), and URLs: the
project namespace https://w3id.org/sozialgraph/ mapped onto this server (`public_base`), links
to the query UI and the endpoint. It imports only the layers below the web (rdf, settings).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from sozialgraph.rdf.formats import (
    HTML,
    JSON_LD,
    N_TRIPLES,
    RDF_FORMATS,
    RDF_XML,
    TURTLE,
    Format,
    NotAcceptable,
    accepts_only_json,
    negotiate,
)
from sozialgraph.rdf.namespaces import BASE, PREFIXES

# HTML first: a browser names text/html, and an empty Accept or a bare */* (curl) gets the page.
PAGE_FORMATS: tuple[Format, ...] = (HTML, *RDF_FORMATS)
# The formats linked from every page ("this description as ...").
LINKED_FORMATS: tuple[tuple[str, Format], ...] = (
    ("Turtle", TURTLE), ("JSON-LD", JSON_LD), ("N-Triples", N_TRIPLES), ("RDF/XML", RDF_XML))

# What an IRI of ours may contain; anything else cannot be one, and never reaches a query.
_SAFE_IRI = re.compile(r"^[^\x00-\x20<>\"{}|^`\\]*$")


# --- Errors -----------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def method_not_allowed(allowed: Iterable[str]) -> ApiError:
    allowed = list(allowed)
    return ApiError(405, f"method not allowed; use {', '.join(allowed)}",
                    {"Allow": ", ".join(allowed)})


def not_acceptable(offered: Iterable[Format], requested: str, what: str) -> ApiError:
    types = ", ".join(f.media_type for f in offered)
    return ApiError(406, f"cannot answer {what} in {requested}; supported media types: {types}"
                    " (or use the format parameter with one of their short names)")


def payload_too_large(limit: int) -> ApiError:
    return ApiError(413, f"request body larger than the limit of {limit} bytes")


def read_body(limit: int) -> bytes:
    """The request body, or 413 if it is longer than `limit` bytes.

    Not Werkzeug's `max_content_length` alone: for a chunked body (no Content-Length) its
    limited stream ends at the limit without an error, so the endpoint would parse a truncated
    query (tests/test_wsgi_smoke.py sends one through gunicorn). Reading one byte more than the
    limit tells a body that is too long from one that fits."""
    if request.content_length is not None and request.content_length > limit:
        raise payload_too_large(limit)  # announced too long: refused before reading any of it
    chunks, size = [], 0
    while size <= limit:
        chunk = request.stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise payload_too_large(limit)
    return b"".join(chunks)


class _GuardedInput:
    """A request's `wsgi.input` whose read failures are the client's: a malformed chunked body
    (gunicorn raises its parse errors from the read) or a body cut short answer 400, where they
    escaped as 500 before."""

    def __init__(self, stream):
        self._stream = stream

    def _guard(self, method, *args):
        try:
            return method(*args)
        except ApiError:
            raise
        except Exception as error:  # whatever the server's reader raises: the body is broken
            raise bad_request(
                f"the request body could not be read ({type(error).__name__}: {error}); send it "
                "with a Content-Length, or chunked as HTTP/1.1 defines (RFC 9112, 7.1)") from None

    def read(self, *args):
        return self._guard(self._stream.read, *args)

    def readline(self, *args):
        return self._guard(self._stream.readline, *args)

    def readlines(self, *args):
        return self._guard(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b"")


def guard_request_bodies(wsgi_app):
    """WSGI middleware: every request's body is read through `_GuardedInput`."""
    def guarded(environ, start_response):
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _GuardedInput(environ["wsgi.input"])
        return wsgi_app(environ, start_response)
    return guarded


def unsupported_media_type(message: str) -> ApiError:
    return ApiError(415, message)


def service_unavailable(message: str, retry_after: int | None = None) -> ApiError:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return ApiError(503, message, headers)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The body says what went wrong; JSON if the client accepts only JSON, else plain text."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    if accepts_only_json(request.headers.get("Accept")):
        body = json.dumps({"status": status, "error": reason, "message": message},
                          ensure_ascii=False)
        response = Response(body + "\n", status, content_type="application/json")
    else:
        response = Response(f"{status} {reason}: {message}\n", status,
                            content_type="text/plain; charset=utf-8")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response(error.status, error.message, error.headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:  # not an error: let Werkzeug answer it
            return error
        # Keep Werkzeug's headers that matter (Allow on 405, Location on redirects...).
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        message = error.description or error.name
        if error.code == 405 and "Allow" in headers:
            allowed = ", ".join(sorted(m.strip() for m in headers["Allow"].split(",")))
            headers["Allow"] = allowed
            message = f"method {request.method} is not allowed on {request.path}; use {allowed}"
        return error_response(error.code or 500, message, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal server error (the details are in the server log)")


# --- URLs -------------------------------------------------------------------------------------

def public_base() -> str:
    """The server's own base URL, ending in '/': PUBLIC_BASE, else where the request came to.
    The project namespace https://w3id.org/sozialgraph/ maps onto it."""
    configured = current_app.config.get("PUBLIC_BASE")
    return configured.rstrip("/") + "/" if configured else request.url_root


# --- IRIs, links, negotiation and responses (shared by the linked-data modules) ---------------

def local_url(iri: str) -> str:
    """Where an IRI answers: the namespace mapped onto this server, anything else unchanged."""
    return public_base() + iri[len(BASE):] if iri.startswith(BASE) else iri


def compact(iri: str) -> str:
    """`sgm:kita-ausbau` for an IRI in a project prefix's namespace (the longest), else the IRI."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns) and len(iri) > len(ns)),
               key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def safe_iri(iri: str) -> bool:
    """Whether `iri` can be written into a query as <iri> (our IRIs always can)."""
    if not _SAFE_IRI.match(iri):
        return False
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def split_extension(path: str, formats: Sequence[Format] = PAGE_FORMATS
                    ) -> tuple[str, str | None]:
    """`id/measure/x.ttl` -> (`id/measure/x`, `ttl`) when the suffix names a format; slugs never
    contain a dot, so anything else stays part of the path."""
    stem, dot, suffix = path.rpartition(".")
    if dot and "/" not in suffix and any(suffix.lower() in f.short_names for f in formats):
        return stem, suffix.lower()
    return path, None


def choose_format(formats: Sequence[Format] = PAGE_FORMATS, extension: str | None = None
                  ) -> Format | None:
    """The negotiated format (the `format` parameter, else the extension, else Accept), or None
    when nothing acceptable is offered."""
    try:
        return negotiate(formats, request.headers.get("Accept"),
                         request.args.get("format") or extension)
    except NotAcceptable:
        return None


def refuse(formats: Sequence[Format], extension: str | None, what: str):
    """The 406 answer for `choose_format` returning None."""
    wanted = request.args.get("format") or extension
    requested = f"format={wanted}" if wanted else f"Accept: {request.headers.get('Accept', '')}"
    raise not_acceptable(formats, requested, what)


def finish(response: Response, negotiated: bool = True) -> Response:
    """Common headers: Vary (the answer depends on Accept), an ETag, conditional GET."""
    if negotiated:
        response.vary.add("Accept")
    if response.status_code == 200 and not response.direct_passthrough:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.make_conditional(request)
    return response


def html_response(template: str, status: int = 200, **context) -> Response:
    body = render_template(template, **context)
    return finish(Response(body, status, content_type="text/html; charset=utf-8"))


def rdf_response(triples: Sequence[ox.Triple], fmt: Format) -> Response:
    return finish(Response(serialize(triples, fmt), content_type=fmt.content_type))


def alternates(page_url: str) -> list[dict[str, str]]:
    """The "this page as Turtle, JSON-LD ..." links of a page."""
    joiner = "&" if "?" in page_url else "?"
    return [{"name": name, "href": f"{page_url}{joiner}format={fmt.name}",
             "type": fmt.media_type} for name, fmt in LINKED_FORMATS]


def ui_url(query: str | None = None, *, curated: str | None = None) -> str:
    """The query UI (sozialgraph.web.ui) with a fresh tab holding `query` (`?q=`), or with the tab of the
    curated query whose slug is `curated` (`?query=`)."""
    params = {"query": curated} if curated else {"q": query} if query else {}
    return public_base() + "ui" + ("?" + urlencode(params) if params else "")


def endpoint_url(query: str, fmt: str | None = None) -> str:
    params = {"query": query} | ({"format": fmt} if fmt else {})
    return public_base() + "sparql?" + urlencode(params)


def serialize(triples: Sequence[ox.Triple], fmt: Format) -> bytes:
    """Write triples in `fmt`; Turtle, TriG and RDF/XML declare the project prefixes they use."""
    return ox.serialize(triples, format=fmt.ox_format, prefixes=prefixes_for(fmt, triples))


def prefixes_for(fmt: Format, statements: Iterable[ox.Triple | ox.Quad] | None = None
              ) -> dict[str, str] | None:
    """The project prefixes a serialisation needs: those whose namespace some IRI starts with
    (all of them when `statements` is not given)."""
    if not fmt.prefixes:
        return None
    if statements is None:
        return dict(PREFIXES)
    iris = set()
    for statement in statements:
        for term in (statement.subject, statement.predicate, statement.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {prefix: ns for prefix, ns in PREFIXES.items()
            if any(iri.startswith(ns) for iri in iris)}
