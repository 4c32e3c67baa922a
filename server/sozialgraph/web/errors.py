"""Errors as values: an ApiError carries a status and a message for the client, and the handlers
registered here turn every error (ours, Werkzeug's, or an unexpected exception) into a short plain
text answer, or JSON when the client accepts only JSON. A stack trace never reaches the client.

Also `read_body`: reading a request body under a size limit is where 413 comes from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from sozialgraph.rdf.formats import Format, accepts_only_json


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
    """The request body, or 413 if it is longer than `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise payload_too_large(limit)  # announced too long: refused before reading any of it
    chunks, size = [], 0
    while size <= limit:  # also bounds chunked bodies, which announce no length
        chunk = request.stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise payload_too_large(limit)
    return b"".join(chunks)


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
