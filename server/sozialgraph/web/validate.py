"""The SHACL validation service at /validate: a form for people, an HTTP API for programs.

POST RDF (Turtle, JSON-LD, N-Triples, RDF/XML; also TriG and N-Quads) and get the SHACL
validation report, by default against the project's shapes with the project's ontology merged in
(so that `sh:targetClass sg:Measure` reaches an `sg:Programme`). docs/validation-service.md
describes the API; in short:

- the data as the request body, its format named by Content-Type; or
- multipart/form-data (or x-www-form-urlencoded) with the parts `data` (file or text), `format`,
  and optionally `shapes` (own shapes, used instead of the project's), `shapes_format`,
  `context` (`project`, the default, or `none`) and `lang` (`de` or `en`).

The report comes back in Turtle, JSON-LD, JSON or HTML by Accept, always with 200 whether the data
conform or not (the report says `sh:conforms`). 400: the data or shapes cannot be read (with file
and line); 413: over VALIDATE_MAX_BYTES; 415: a media type we do not read; 503: over
VALIDATE_TIMEOUT, or every validator busy.

Validation runs in worker processes (sandbox.py's child processes, like the query workers of
executor.py), each holding the project's shapes, ontology and reference graphs, loaded once.
Parsing and validating happen there, so a pathological upload costs at most VALIDATE_TIMEOUT
seconds: then the worker is killed and a fresh one takes the next request. Workers get no network
(an empty network namespace where the OS allows it, and an audit hook that refuses sockets in any
case) and parse with server/sozialgraph/rdf/parse.py (no XML entities, no remote JSON-LD contexts).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from sozialgraph.rdf.formats import (
    HTML,
    RDF_FORMATS,
    NotAcceptable,
    negotiate,
)
from sozialgraph.rdf.namespaces import BASE
from sozialgraph.rdf.parse import FORMATS as EXTENSION_FORMATS
from sozialgraph.settings import parse_bool
from sozialgraph.validation.service import (
    REPORT_FORMATS,
    Document,
    InlineValidator,
    Refusal,
    ValidationTask,
    ValidatorPool,
)
from sozialgraph.web import fairness
from sozialgraph.web.http import (
    ApiError,
    bad_request,
    not_acceptable,
    payload_too_large,
    public_base,
    read_body,
    service_unavailable,
    unsupported_media_type,
)
from sozialgraph.web.pools import own_pool

log = logging.getLogger(__name__)
bp = Blueprint("validate", __name__)

EXTENSION = "sozialgraph.validate"

# Input formats: conneg's RDF formats (media types and short names), as rdfio's format names.
RDFIO_NAME = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml",
              "trig": "trig", "nquads": "nquads"}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

LANGUAGES = ("en", "de")


# ---- HTTP ---------------------------------------------------------------------------------------

@bp.record_once
def _configure(state) -> None:
    """The validators of this app (settings VALIDATE_*, see sozialgraph.settings)."""
    config = state.app.config
    timeout = float(config["VALIDATE_TIMEOUT"] or 0)
    pool = (ValidatorPool(int(config["VALIDATE_WORKERS"]), timeout,
                          int(config["VALIDATE_MEMORY_MB"]) or None)
            if timeout > 0 else InlineValidator())
    state.app.extensions[EXTENSION] = pool
    own_pool(state.app, pool)


def validator() -> ValidatorPool | InlineValidator:
    return current_app.extensions[EXTENSION]


@bp.route("/validate", methods=["GET", "POST"])
def validate_view():
    if request.method == "GET":
        return _page("validate.html", message_lang=_language(), form={"context": "project"})
    wants_html = _wants_html()
    form: dict[str, str] = {}  # what was sent, to fill the form again
    try:
        task = read_task(_report_format(), form)
        with fairness.turn("validations"):
            outcome = validator().run(task)
        if isinstance(outcome, Refusal):
            raise _refusal_error(outcome)
    except ApiError as error:
        if not wants_html:
            raise
        # people get the form back, with what they sent and what went wrong
        return _page("validate.html", status=error.status, message_lang=_language(form),
                     form=form, error=error.message, headers=error.headers)
    if task.report_format == HTML.name:
        return _page("report.html", message_lang=_language(form), form=form, report=outcome,
                     counts=_counts(outcome.rows), link=_link)
    return Response(outcome.body, 200, content_type=outcome.content_type,
                    headers={"Vary": "Accept"})


def _page(template: str, status: int = 200, headers: dict | None = None, **context) -> Response:
    body = render_template(template, formats=INPUT_CHOICES, **context)
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept, Accept-Language"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _report_format() -> str:
    try:
        return negotiate(REPORT_FORMATS, request.headers.get("Accept")).name
    except NotAcceptable as error:
        raise not_acceptable(error.offered, f"Accept: {error.requested}",
                             "a validation report") from None


def _wants_html() -> bool:
    try:
        return _report_format() == HTML.name
    except ApiError:
        return False


def _language(form: dict[str, str] | None = None) -> str:
    """The language of the messages (the pages are in English): the `lang` field of the form or
    the URL, else the best of Accept-Language. Never reads the body itself: that happens once,
    under the size limit, in read_task."""
    asked = ((form or {}).get("lang") or request.args.get("lang") or "").strip().lower()
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="en")


# (value of the form's format field, label); the value is a short name of conneg's RDF formats
INPUT_CHOICES = [("auto", "from the file name (else Turtle)")] + [
    (fmt.name, {"turtle": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML",
                "trig": "TriG", "nquads": "N-Quads"}[fmt.name] + f" ({fmt.media_type})")
    for fmt in RDF_FORMATS]


def accepted_media_types() -> list[str]:
    return [t for fmt in RDF_FORMATS for t in fmt.media_types] + list(FORM_TYPES)


def read_task(report_format: str, shown: dict[str, str]) -> ValidationTask:
    """The validation task of this request; a form's values are copied into `shown` first (so
    that a page can show them again even when the request is refused)."""
    limit = int(current_app.config["VALIDATE_MAX_BYTES"])
    # here already, not only in read_body: Werkzeug reads a form, and would read it all first
    if request.content_length is not None and request.content_length > limit:
        raise payload_too_large(limit)
    base = public_base() + "validate/"
    media_type = request.mimetype
    if media_type in FORM_TYPES:
        return _read_form(limit, base, report_format, shown)
    fmt = _input_format(media_type)
    if fmt is None:
        raise unsupported_media_type(
            f"cannot read a body of type '{media_type or 'none'}'; send RDF as one of "
            f"{', '.join(accepted_media_types())}")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8", "us-ascii") and fmt != "xml":
        raise unsupported_media_type(f"charset {charset} is not accepted; send UTF-8")
    body = read_body(limit)
    if not body.strip():
        raise bad_request("the request body is empty: send the RDF data to validate")
    context = _context_switch(request.args.getlist("context"))
    return ValidationTask(Document(body, fmt, "data", base + "data"), None,
                          context == "project", report_format,
                          _allow_warnings(request.args.getlist("allow_warnings")),
                          use_ontology=context != "none")


def _input_format(name: str | None) -> str | None:
    """The rdfio format for a media type or a short name (None if it is neither)."""
    wanted = (name or "").strip().lower()
    for fmt in RDF_FORMATS:
        if wanted in fmt.media_types or wanted in fmt.short_names:
            return RDFIO_NAME[fmt.name]
    return None


def _read_form(limit: int, base: str, report_format: str, shown: dict) -> ValidationTask:
    request.max_content_length = limit
    request.max_form_memory_size = limit
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        raise payload_too_large(limit) from None
    contexts = form.getlist("context")
    shown.update({key: form.get(key, "") for key in ("data", "shapes", "lang")})
    shown.update({key: form.get(key, "auto") for key in ("format", "shapes_format")})
    shown["context"] = contexts[-1] if contexts else "project"
    data = _form_document("data", form, files, base)
    if data is None:
        raise bad_request("no data: send the RDF to validate in the part 'data' (a file or text)")
    shapes = _form_document("shapes", form, files, base)
    context = _context_switch(contexts)
    return ValidationTask(data, shapes, context == "project", report_format,
                          _allow_warnings(form.getlist("allow_warnings")
                                          + request.args.getlist("allow_warnings")),
                          use_ontology=context != "none")


def _allow_warnings(values: list[str]) -> bool:
    """`allow_warnings`: false (the default, SHACL's verdict: any result means the data do not
    conform) or true (the build's policy: warnings and infos are reported, not counted)."""
    readings = {parse_bool(value) for value in values}
    if None in readings or len(readings) > 1:
        raise bad_request("allow_warnings must be true or false (given once)")
    return readings.pop() if readings else False


def _form_document(part: str, form, files, base: str) -> Document | None:
    """The part `part` (an uploaded file or a text field) and its format, or None if empty."""
    upload = files.get(part)
    text = form.get(part, "")
    has_file = upload is not None and (upload.filename or upload.content_length)
    content = upload.read() if has_file else b""
    if has_file and text.strip():
        raise bad_request(f"'{part}' was sent both as a file and as text: send one of them")
    if not has_file:
        content = text.encode("utf-8")
    if not content.strip():
        return None
    name = (upload.filename if has_file and upload.filename else part)
    chosen = form.get(f"{part}_format" if part != "data" else "format", "auto").strip() or "auto"
    if chosen.lower() != "auto":
        fmt = _input_format(chosen)
        if fmt is None:
            raise unsupported_media_type(
                f"unknown format '{chosen}' for {part}; use one of "
                + ", ".join(f for f, _ in INPUT_CHOICES))
    elif has_file and Path(name).suffix.lower() in EXTENSION_FORMATS:
        fmt = EXTENSION_FORMATS[Path(name).suffix.lower()]
    elif has_file and _input_format(upload.mimetype):
        fmt = _input_format(upload.mimetype)
    elif has_file and upload.mimetype not in ("", "application/octet-stream", "text/plain"):
        raise unsupported_media_type(
            f"cannot tell the format of {name} ({upload.mimetype}); name it with an extension "
            f"({', '.join(sorted(EXTENSION_FORMATS))}) or choose the format")
    else:
        fmt = "turtle"
    return Document(content, fmt, name, base + part)


def _context_switch(values: list[str]) -> str:
    """`context`: project (default: the ontology and the reference graphs), ontology (the
    ontology only) or none (only what is sent); the last value counts (the form sends a hidden
    `none` before its checkbox)."""
    if not values:
        return "project"
    value = values[-1].strip().lower()
    if value not in CONTEXTS:
        raise bad_request("context must be 'project', 'ontology' or 'none'")
    return value


CONTEXTS = ("project", "ontology", "none")


def _refusal_error(refusal: Refusal) -> ApiError:
    if refusal.kind in ("data", "shapes"):
        return bad_request(refusal.message)
    if refusal.kind == "timeout":
        return service_unavailable(refusal.message)
    if refusal.kind == "busy":
        return service_unavailable(refusal.message, retry_after=5)
    if refusal.kind == "worker":  # a validator that died: the pool starts a new one
        return service_unavailable(refusal.message)
    return ApiError(500, refusal.message)


def _counts(rows: list[dict]) -> dict[str, int]:
    counts = {"Violation": 0, "Warning": 0, "Info": 0}
    for row in rows:
        counts[row["severity"]] = counts.get(row["severity"], 0) + 1
    return counts


def _link(iri: str | None) -> str | None:
    """Where a project IRI resolves on this server (its namespace maps onto public_base)."""
    if iri and iri.startswith(BASE):
        return public_base() + iri[len(BASE):]
    return None


