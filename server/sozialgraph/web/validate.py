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
import os
import sys
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from sozialgraph.rdf.formats import (
    HTML,
    JSON_LD,
    RDF_FORMATS,
    TURTLE,
    Format,
    NotAcceptable,
    negotiate,
)
from sozialgraph.rdf.namespaces import BASE
from sozialgraph.rdf.parse import FORMATS as EXTENSION_FORMATS
from sozialgraph.sandbox import Busy, Child, Died, ProcessPool, StartFailed, TimedOut, serve
from sozialgraph.web.app import public_base
from sozialgraph.web.errors import (
    ApiError,
    bad_request,
    not_acceptable,
    payload_too_large,
    read_body,
    service_unavailable,
    unsupported_media_type,
)

log = logging.getLogger(__name__)
bp = Blueprint("validate", __name__)

SETTINGS: dict[str, Any] = {
    "VALIDATE_MAX_BYTES": 5_000_000,  # largest request body (data and shapes together)
    "VALIDATE_TIMEOUT": 30.0,  # seconds for parsing and validating; 0: in-process, no limit
    "VALIDATE_WORKERS": 2,  # validator processes per web process
    "VALIDATE_MEMORY_MB": 2048,  # address-space limit of a validator (MB); 0: no limit
}
EXTENSION = "sozialgraph.validate"

# The project's reference graphs: data may refer to their actors, concepts and sources.
CONTEXT_FILES = ("vocabularies.ttl", "actors.ttl", "sources.ttl")

# Input formats: conneg's RDF formats (media types and short names), as rdfio's format names.
RDFIO_NAME = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml",
              "trig": "trig", "nquads": "nquads"}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

# Report formats. JSON (validation.render_json) and JSON-LD (the report graph) are both JSON:
# application/json means the former here.
REPORT_JSON = Format("json", "application/json", short_names=("json",))
REPORT_JSON_LD = Format("jsonld", JSON_LD.media_type, JSON_LD.w3c_iri, short_names=("jsonld",))
REPORT_FORMATS = (TURTLE, REPORT_JSON_LD, REPORT_JSON, HTML)
LANGUAGES = ("en", "de")


# ---- values exchanged with the validator processes ----------------------------------------------

@dataclass(frozen=True)
class Document:
    content: bytes
    format: str  # an rdfio format name
    name: str  # how errors name it: the file name, or "data" / "shapes"
    base: str | None = None  # for relative IRIs


@dataclass(frozen=True)
class ValidationTask:
    data: Document
    shapes: Document | None  # None: the project's shapes
    use_context: bool  # add the project's reference graphs (results about them are dropped)
    report_format: str  # a name of REPORT_FORMATS


@dataclass(frozen=True)
class Report:
    conforms: bool
    content_type: str
    body: bytes = b""  # Turtle, JSON-LD or JSON
    rows: list[dict] = field(default_factory=list)  # html: one dict per result
    turtle: str = ""  # html: the report graph, shown under the table


@dataclass(frozen=True)
class Refusal:
    kind: str  # data, shapes, timeout, busy, worker, internal
    message: str


# ---- HTTP ---------------------------------------------------------------------------------------

@bp.record_once
def _configure(state) -> None:
    """Settings not given to create_app come from SOZIALGRAPH_<NAME>, else SETTINGS."""
    config = state.app.config
    for key, default in SETTINGS.items():
        if key not in config:
            raw = os.environ.get(f"SOZIALGRAPH_{key}")
            config[key] = type(default)(raw) if raw else default
    timeout = float(config["VALIDATE_TIMEOUT"] or 0)
    state.app.extensions[EXTENSION] = (
        ValidatorPool(int(config["VALIDATE_WORKERS"]), timeout,
                      int(config["VALIDATE_MEMORY_MB"]) or None)
        if timeout > 0 else InlineValidator())


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
    return ValidationTask(Document(body, fmt, "data", base + "data"), None, context,
                          report_format)


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
    return ValidationTask(data, shapes, _context_switch(contexts), report_format)


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


def _context_switch(values: list[str]) -> bool:
    """`context`: project (default) or none; the last value counts (the form sends a hidden
    `none` before its checkbox)."""
    if not values:
        return True
    value = values[-1].strip().lower()
    if value not in ("project", "none"):
        raise bad_request("context must be 'project' or 'none'")
    return value == "project"


def _refusal_error(refusal: Refusal) -> ApiError:
    if refusal.kind in ("data", "shapes"):
        return bad_request(refusal.message)
    if refusal.kind == "timeout":
        return service_unavailable(refusal.message)
    if refusal.kind == "busy":
        return service_unavailable(refusal.message, retry_after=5)
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


# ---- running validations ------------------------------------------------------------------------

class InlineValidator:
    """Validates in the web process without a time limit (VALIDATE_TIMEOUT = 0: debugging)."""

    def __init__(self):
        self._validator: Validator | None = None

    def run(self, task: ValidationTask) -> Report | Refusal:
        if self._validator is None:
            self._validator = Validator.load()
        return self._validator.run(task)

    def close(self) -> None:
        pass


class ValidatorPool:
    """Up to `size` validator processes; a task over `timeout` seconds kills its process."""

    def __init__(self, size: int, timeout: float, memory_mb: int | None):
        self.timeout, self.memory_mb = timeout, memory_mb
        self._pool = ProcessPool(size, timeout, self._start_validator)
        self.size = self._pool.size

    def run(self, task: ValidationTask) -> Report | Refusal:
        try:
            return self._pool.run(task)
        except Busy:
            return Refusal("busy", "every validator is busy; try again in a moment")
        except StartFailed as error:
            return Refusal("internal", str(error))
        except TimedOut:
            return Refusal("timeout", f"validation exceeded the time limit of "
                           f"{self.timeout:g} s; validate smaller parts of the data")
        except Died:
            return Refusal("worker", "the validator stopped on this request (it may need more "
                           "memory than the server allows); a new one answers the next request")

    def close(self) -> None:
        self._pool.close()

    def _start_validator(self) -> Child:
        return Child.start("sozialgraph.web.validate",
                           [str(self.timeout), str(self.memory_mb or 0)], "validator")


def main() -> None:
    """Entry point of a validator process: fd timeout memory_mb (see _start_validator)."""
    fd, timeout, memory_mb = sys.argv[1:4]
    # isolate always: a validator never needs the network, whatever a document asks for
    serve(Connection(int(fd)), _load_validator, Validator.run, float(timeout),
          int(memory_mb) or None, True,
          lambda: Refusal("internal", "the data could not be validated (internal error)"))


def _load_validator() -> Validator:
    """This process's validator; from here on no Python code in it may open a connection."""
    _refuse_network()
    try:
        return Validator.load()
    except Exception as error:  # whatever it is: report it to the web process, then stop
        raise StartFailed(f"the validator could not load the shapes: {error}") from error


_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                             "socket.gethostbyaddr", "urllib.Request", "http.client.connect"})


def _refuse_network() -> None:
    """No Python code in this process may open a connection (whatever a document or a shapes
    graph asks rdflib or pySHACL to fetch), with or without a network namespace."""

    def hook(event: str, _args) -> None:
        if event in _NETWORK_EVENTS:
            raise PermissionError(f"network access is disabled in the validator ({event})")

    sys.addaudithook(hook)


# ---- the validator (runs inside a validator process) --------------------------------------------

class Validator:
    """The project's shapes, ontology and reference graphs, loaded once; validates tasks."""

    def __init__(self, shapes, ontology, context):
        self.shapes, self.ontology, self.context = shapes, ontology, context
        self.context_subjects = set(context.subjects())

    @classmethod
    def load(cls) -> Validator:
        import rdflib.plugins.sparql as rdflib_sparql

        from sozialgraph.rdf.parse import merge, read_graph
        from sozialgraph.settings import GRAPHS_DIR, ONTOLOGY_DIR
        from sozialgraph.validation.validate import load_shapes

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <iri> in a shape's query loads nothing
        files = [GRAPHS_DIR / name for name in CONTEXT_FILES if (GRAPHS_DIR / name).exists()]
        return cls(load_shapes(), read_graph(ONTOLOGY_DIR / "sozialgraph.ttl"),
                   merge(read_graph(path) for path in files))

    def run(self, task: ValidationTask) -> Report | Refusal:
        from rdflib.namespace import SH

        from sozialgraph.rdf.parse import RDFSyntaxError, merge, parse_data
        from sozialgraph.sparql.check import UnsafeQuery, check_query
        from sozialgraph.validation.validate import ValidationError, validate

        try:
            data = merge(parse_data(task.data.content, task.data.format, name=task.data.name,
                                    base=task.data.base).graphs())
        except RDFSyntaxError as error:
            return Refusal("data", f"cannot read the data: {error}")
        shapes = self.shapes
        if task.shapes is not None:
            try:
                shapes = merge(parse_data(task.shapes.content, task.shapes.format,
                                          name=task.shapes.name, base=task.shapes.base).graphs())
            except RDFSyntaxError as error:
                return Refusal("shapes", f"cannot read the shapes: {error}")
            for predicate in (SH.select, SH.ask, SH.construct, SH.update):
                for query in shapes.objects(None, predicate):
                    try:
                        check_query(str(query), ())
                    except UnsafeQuery as error:
                        return Refusal("shapes", f"{task.shapes.name}: a SPARQL query of the "
                                       f"shapes is refused: {error}")
        own_subjects = set(data.subjects())
        if task.use_context:
            data = merge([data, self.context])
        try:
            result = validate(data, shapes, self.ontology)
        except ValidationError as error:
            return Refusal("shapes", str(error))
        report = result.report
        if task.use_context:
            # results about the reference graphs' own nodes are not about the data sent
            _drop_results(report, lambda focus: focus in self.context_subjects
                          and focus not in own_subjects)
        return render(report, task.report_format)


def _drop_results(report, unwanted) -> None:
    """Remove the results whose focus node is `unwanted`, with what only they refer to, and set
    sh:conforms again."""
    from rdflib import BNode, Literal
    from rdflib.namespace import RDF, SH

    from sozialgraph.validation.validate import report_conforms

    for node in list(report.subjects(RDF.type, SH.ValidationReport)):
        for result in list(report.objects(node, SH.result)):
            if unwanted(report.value(result, SH.focusNode)):
                report.remove((node, SH.result, result))
                report.remove((result, None, None))
    while True:  # blank nodes nothing points at any more (details, paths, enrichment)
        orphans = {s for s in report.subjects() if isinstance(s, BNode)
                   and (s, RDF.type, SH.ValidationReport) not in report
                   and not any(True for _ in report.subject_predicates(s))}
        if not orphans:
            break
        for orphan in orphans:
            report.remove((orphan, None, None))
    conforms = report_conforms(report)
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))


def render(report, report_format: str) -> Report:
    """The report in the chosen format (an HTML report is rows for the template)."""
    from rdflib import Graph

    from sozialgraph.rdf.namespaces import PREFIXES
    from sozialgraph.validation.validate import render_json, render_turtle, report_conforms

    conforms = report_conforms(report)
    if report_format == TURTLE.name:
        return Report(conforms, TURTLE.content_type, render_turtle(report).encode("utf-8"))
    if report_format == REPORT_JSON.name:
        return Report(conforms, REPORT_JSON.content_type, render_json(report).encode("utf-8"))
    if report_format == REPORT_JSON_LD.name:
        copy = Graph()
        for triple in report:
            copy.add(triple)
        body = copy.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
        return Report(conforms, REPORT_JSON_LD.content_type, body.encode("utf-8"))
    return Report(conforms, HTML.content_type, rows=report_rows(report),
                  turtle=render_turtle(report))


def report_rows(report) -> list[dict]:
    """One dict of display strings per result, most severe first (for report.html)."""
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import SH

    from sozialgraph.rdf.namespaces import bind_all
    from sozialgraph.validation.validate import (
        PLAIN_DATATYPES,
        _describe_blank,
        _path_sparql,
        _severity_name,
        report_results,
    )

    names = bind_all(Graph()).namespace_manager

    def show(term) -> str:
        if term is None:
            return ""
        if isinstance(term, BNode):
            return _describe_blank(report, term, show)
        if isinstance(term, Literal) and term.datatype in PLAIN_DATATYPES and term.value is not None:
            return str(term)
        return term.n3(names)

    def iri(term) -> str | None:
        return str(term) if isinstance(term, URIRef) else None

    def shape_label(shape) -> str:
        if not isinstance(shape, BNode):
            return show(shape)
        parent = report.value(predicate=SH.property, object=shape)
        path = report.value(shape, SH.path)
        on = (f"property shape on {_path_sparql(report, path, show)}" if path is not None
              else "blank-node shape")
        return f"{show(parent)} ({on})" if parent is not None else f"[{on}]"

    rows = []
    for r in report_results(report):
        shape = r["sourceShape"]
        parent = report.value(predicate=SH.property, object=shape) if isinstance(
            shape, BNode) else shape
        rows.append({
            "severity": _severity_name(r["severity"]),
            "focus": show(r["focusNode"]), "focus_iri": iri(r["focusNode"]),
            "path": _path_sparql(report, r["path"], show) if r["path"] is not None else "",
            "value": show(r["value"]), "value_iri": iri(r["value"]),
            "messages": r["messages"],
            "component": show(r["constraintComponent"]),
            "shape": shape_label(shape), "shape_iri": iri(parent),
        })
    return rows
