"""The SPARQL 1.1 Protocol query operation at /sparql (read-only), and its service description.

GET ?query=..., POST application/x-www-form-urlencoded (query=...), POST application/sparql-query
(the query as the UTF-8 body); default-graph-uri and named-graph-uri as often as needed. Extra
parameters: `format` (a short name or media type, overrides Accept) and `inference` (alias
`infer`: true adds the inferred graph to the default graph). docs/endpoint.md has the details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, current_app, redirect, render_template_string, request

from sozialgraph.rdf.formats import (
    ALL_FORMATS,
    HTML,
    RDF_FORMATS,
    RESULT_FORMATS,
    NotAcceptable,
    format_parameter,
    lookup,
    negotiate,
)
from sozialgraph.settings import parse_bool
from sozialgraph.sparql.check import UnsafeQuery, check_graphs, check_query
from sozialgraph.sparql.executor import Answer, Failure, QueryTask
from sozialgraph.store.handle import StoreUnavailable
from sozialgraph.web import fairness, service_description
from sozialgraph.web.dataset import query_executor, store_handle
from sozialgraph.web.http import (
    ApiError,
    bad_request,
    forbidden,
    not_acceptable,
    public_base,
    read_body,
    service_unavailable,
    unsupported_media_type,
)

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
# Names no graph: passed to the engine where the dataset has no default graph or no named graphs.
NO_GRAPH = "urn:x-sozialgraph:no-graph"
READ_ONLY = ("refused by policy: this endpoint is read-only: SPARQL Update (the update parameter, "
             "application/sparql-update) is not accepted")


@dataclass
class ProtocolRequest:
    query: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: tuple[str, ...] = ()  # the `format` parameter's values (one meaning)
    inference: bool | None = None


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint():
    if request.method == "OPTIONS":  # CORS preflight; app.py adds the Access-Control headers
        return Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
    params = read_protocol_request()
    if params.query is None:
        if request.method == "POST":
            raise bad_request("no query: send it as the query parameter or as an "
                              "application/sparql-query body")
        return describe_service(params)
    return answer_query(params)


def read_protocol_request() -> ProtocolRequest:
    """The protocol parameters from the URL and the body, checked for size, encoding, and
    repetition. Errors: 400, 403 (update), 413/414 (size), 415 (media type or encoding)."""
    limit = int(current_app.config["MAX_BODY_BYTES"])
    if len(request.query_string) > limit:
        raise ApiError(414, f"query string longer than {limit} bytes; send long queries by POST")
    url_pairs = _parse_pairs(request.query_string, "the URL", 400)
    body_pairs: list[tuple[str, str]] = []
    body_query: str | None = None
    if request.method == "POST":
        media_type = request.mimetype
        if media_type == SPARQL_UPDATE:
            raise forbidden(READ_ONLY)
        if media_type not in (FORM, SPARQL_QUERY):
            raise unsupported_media_type(
                f"cannot read a POST body of type '{media_type or 'none'}'; send {SPARQL_QUERY} "
                f"(the query as UTF-8 text) or {FORM} (query=...)")
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise unsupported_media_type(f"charset {charset} is not accepted; send UTF-8")
        body = read_body(limit)
        if media_type == FORM:
            body_pairs = _parse_pairs(body, "the body", 415)
        elif body:  # an empty body leaves the query to the URL
            try:
                body_query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise unsupported_media_type("the query body is not valid UTF-8") from None
    pairs = url_pairs + body_pairs

    def values(*names: str) -> list[str]:
        return [value for key, value in pairs if key in names]

    if values("update"):
        raise forbidden(READ_ONLY)
    url_queries, body_queries = _values_of(url_pairs, "query"), _values_of(body_pairs, "query")
    if body_query is not None:
        body_queries.append(body_query)
    if url_queries and body_queries:
        raise bad_request("the query is given both in the URL and in the body; send it once")
    queries = url_queries + body_queries
    if len(queries) > 1:
        raise bad_request(f"{len(queries)} queries given; the protocol takes exactly one query")
    formats, switches = values("format"), values("inference", "infer")
    for offered in (RESULT_FORMATS, RDF_FORMATS):  # repeated with one meaning: accepted
        if len({lookup(value, offered) for value in formats} - {None}) > 1:
            raise bad_request(f"the format parameter names different formats "
                              f"({', '.join(formats)}); give one")
    readings = {parse_bool(value) for value in switches}
    if None in readings:
        raise bad_request("inference must be true or false")
    if len(readings) > 1:
        raise bad_request("the inference parameter is given as both true and false; give one")
    inference = readings.pop() if readings else None
    query = queries[0] if queries else None
    if query is not None and not query.strip():
        raise bad_request("the query is empty")
    return ProtocolRequest(query, values("default-graph-uri"), values("named-graph-uri"),
                           tuple(formats), inference)


def _values_of(pairs: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in pairs if key == name]


def _parse_pairs(raw: bytes, where: str, status: int) -> list[tuple[str, str]]:
    """application/x-www-form-urlencoded pairs, strictly UTF-8."""
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        key, _, value = part.partition(b"=")
        try:
            pairs.append((unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8"),
                          unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")))
        except UnicodeDecodeError:
            raise ApiError(status, f"the parameters in {where} are not valid UTF-8") from None
    return pairs


def answer_query(params: ProtocolRequest) -> Response:
    handle = store_handle()
    try:
        graphs = handle.graphs()
        query_dataset = check_query(params.query, graphs, base_iri=endpoint_url())
        check_graphs(params.default_graphs, graphs, "default-graph-uri")
        check_graphs(params.named_graphs, graphs, "named-graph-uri")
    except UnsafeQuery as error:
        raise bad_request(str(error)) from None
    except StoreUnavailable as error:
        raise service_unavailable(str(error)) from None

    if params.default_graphs or params.named_graphs:  # the protocol's dataset wins over FROM
        default, named = params.default_graphs, params.named_graphs
    elif query_dataset:
        default, named = query_dataset.default_graphs, query_dataset.named_graphs
    else:
        default = named = None
    if default is not None:  # an explicit dataset: whatever is not named is empty
        default, named = default or [NO_GRAPH], named or [NO_GRAPH]

    accept = request.headers.get("Accept")
    chosen = {}
    for kind, offered in (("results", RESULT_FORMATS), ("rdf", RDF_FORMATS)):
        try:
            chosen[kind] = negotiate(offered, accept,
                                     format_parameter(params.formats, offered)).name
        except NotAcceptable:
            chosen[kind] = None
    if chosen["results"] is None and chosen["rdf"] is None:
        raise not_acceptable(ALL_FORMATS, _requested(params), "any query")

    inference = params.inference
    if inference is None:
        inference = bool(current_app.config["INCLUDE_INFERRED_DEFAULT"])
    task = QueryTask(params.query, default, named, inference, chosen["results"], chosen["rdf"],
                     int(current_app.config["MAX_RESULT_ROWS"]), base_iri=endpoint_url())
    with fairness.turn("queries"):
        outcome = query_executor().run(task)
    if isinstance(outcome, Answer):
        return Response(outcome.body, 200, content_type=outcome.content_type,
                        headers={"Vary": "Accept"})
    _raise_failure(outcome, params)


def _raise_failure(failure: Failure, params: ProtocolRequest) -> NoReturn:
    kind, message = failure.kind, failure.message
    if kind == "syntax":
        raise bad_request(f"syntax error in the query: {message}")
    if kind in ("evaluation", "too_many_rows"):
        raise bad_request(message if kind == "too_many_rows"
                          else f"the query could not be evaluated: {message}")
    if kind == "not_acceptable":
        offered = RDF_FORMATS if failure.result_kind == "graph" else RESULT_FORMATS
        what = {"graph": "a CONSTRUCT or DESCRIBE query", "boolean": "an ASK query",
                "solutions": "a SELECT query"}[failure.result_kind]
        raise not_acceptable(offered, _requested(params), what)
    if kind == "timeout":
        raise service_unavailable(message)
    if kind == "busy":
        raise service_unavailable(message, retry_after=5)
    if kind in ("store", "worker"):  # a query worker that died: the pool starts a new one
        raise service_unavailable(message)
    raise ApiError(500, message)


def _requested(params: ProtocolRequest) -> str:
    if params.formats:
        return f"format={params.formats[0]}"
    return f"Accept: {request.headers.get('Accept', '')}"


def describe_service(params: ProtocolRequest) -> Response:
    """GET /sparql without a query: the service description in RDF, or the query UI for
    browsers (303 to /ui when it is registered, else a short page)."""
    try:
        offered = RDF_FORMATS + (HTML,)
        fmt = negotiate(offered, request.headers.get("Accept"),
                        format_parameter(params.formats, offered))
    except NotAcceptable as error:
        raise not_acceptable(error.offered, _requested(params), "the service description") \
            from None
    endpoint_url = public_base() + "sparql"
    if fmt is HTML:
        ui = _ui_path()
        if ui is not None:
            return redirect(ui, 303)
        page = render_template_string(_PAGE, endpoint=endpoint_url)
        return Response(page, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
    handle = store_handle()
    try:
        body = service_description.serialize(endpoint_url, handle, fmt)
    except StoreUnavailable as error:
        raise service_unavailable(str(error)) from None
    return Response(body, content_type=fmt.content_type, headers={"Vary": "Accept"})


def _ui_path() -> str | None:
    for rule in current_app.url_map.iter_rules():
        if rule.rule in ("/ui", "/ui/") and "GET" in (rule.methods or ()):
            return request.script_root + rule.rule
    return None


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sozialgraph SPARQL endpoint</title></head>
<body><h1>Sozialgraph SPARQL endpoint</h1>
<p>This is a SPARQL 1.1 query endpoint: send a query as <code>{{ endpoint }}?query=…</code>
or POST it.</p>
<form method="post" action="{{ endpoint }}">
<textarea name="query" rows="10" cols="80">SELECT ?g (COUNT(*) AS ?triples)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g</textarea>
<p><button type="submit">Run</button></p></form>
</body></html>
"""


def endpoint_url() -> str:
    """This endpoint's own URL: the base IRI of a query without BASE (SPARQL 1.1 Protocol)."""
    return public_base() + "sparql"
