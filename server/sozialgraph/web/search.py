"""Full-text search: /search?q=… as an HTML page for people and as JSON for programs (Accept:
application/json, or format=json), over the search index of the build the process reads
(sozialgraph.search.index).

Parameters: q (the words), the facets kind, level, area, target, source and status (each may be
repeated: values of one facet are alternatives, facets all hold), lang (de or en: which label
comes first), limit (1-100) and offset. Anything else, an unknown facet value or a number out of
range is a 400 that says what is accepted. No words and no facet: a page that explains the
search. Snippets are text with the spans that matched: the page marks them with <mark> through
the template (escaped like any text), the JSON gives their character offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from sozialgraph.rdf.formats import HTML, Format
from sozialgraph.search.analysis import QueryWord, highlight
from sozialgraph.search.index import FACETS, Results, SearchIndex
from sozialgraph.store.handle import StoreUnavailable
from sozialgraph.store.remote import RemoteHandle
from sozialgraph.web import dataset
from sozialgraph.web.http import (
    bad_request,
    choose_format,
    finish,
    html_response,
    local_url,
    public_base,
    refuse,
    service_unavailable,
)

bp = Blueprint("search", __name__)

JSON = Format("json", "application/json", short_names=("json",))
SEARCH_FORMATS: tuple[Format, ...] = (HTML, JSON)
PARAMETERS = ("q", *FACETS, "lang", "limit", "offset", "format")
MAX_QUERY = 500
MAX_LIMIT = 100
MAX_OFFSET = 10_000
SNIPPET = 220  # characters around the first match
FACET_VALUES = 30  # values offered per facet, the most frequent first (chosen ones always)
FACET_NAMES = {"kind": "Kind", "level": "Level", "area": "Policy area",
               "target": "Target group", "source": "Source document", "status": "Status"}
# where a snippet is taken from, first choice first
SNIPPET_FIELDS = ("about", "quotes", "names", "context")
EXAMPLES = ("Frauenhaus", "Pflege", "Geflüchtete", "Kita", "Ehrenamt", "refugees")


def search_index() -> SearchIndex:
    """The search index of the build this process reads (opened once per process)."""
    handle = dataset.store_handle()
    if isinstance(handle, RemoteHandle):
        raise service_unavailable("search needs the search index of a build; this server reads "
                                  "a remote SPARQL store (serve --remote), which has none")
    try:
        location = handle.location()
    except StoreUnavailable as error:
        raise service_unavailable("the store is not available") from error
    try:
        return dataset.cached("search-index", lambda: SearchIndex(location))
    except FileNotFoundError as error:
        raise service_unavailable("this build has no search index; run `sozialgraph build` "
                                  "again") from error


@dataclass
class Request:
    q: str
    filters: dict[str, list[str]]
    lang: str
    limit: int
    offset: int


def _read_parameters(index: SearchIndex) -> Request:
    unknown = sorted(set(request.args) - set(PARAMETERS))
    if unknown:
        raise bad_request(f"unknown parameter {', '.join(unknown)}; accepted: "
                          f"{', '.join(PARAMETERS)}")
    for name in ("q", "lang", "limit", "offset", "format"):
        if len(request.args.getlist(name)) > 1:
            raise bad_request(f"parameter {name} given more than once; give it once")
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY:
        raise bad_request(f"q is longer than {MAX_QUERY} characters")
    filters: dict[str, list[str]] = {}
    for facet in FACETS:
        values = [v for v in request.args.getlist(facet) if v != ""]
        known = index.facet_values.get(facet, {})
        wrong = [v for v in values if v not in known]
        if wrong:
            raise bad_request(f"{facet}={wrong[0]} is not a value of the facet {facet}; "
                              f"accepted: {', '.join(sorted(known))}")
        filters[facet] = list(dict.fromkeys(values))
    lang = request.args.get("lang", "de")
    if lang not in ("de", "en"):
        raise bad_request("lang must be de or en")
    return Request(q, filters, lang, _number("limit", 20, 1, MAX_LIMIT),
                   _number("offset", 0, 0, MAX_OFFSET))


def _number(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


@bp.route("/search")
def search() -> Response:
    fmt = choose_format(SEARCH_FORMATS)
    if fmt is None:
        if request.args.get("format"):
            raise bad_request(f"format={request.args['format']} is not offered; accepted: "
                              "html, json")
        refuse(SEARCH_FORMATS, None, "search results")
    index = search_index()
    asked = _read_parameters(index)
    empty = not asked.q and not any(asked.filters.values())
    results = None if empty else index.search(asked.q, asked.filters, asked.limit, asked.offset)
    answer = _answer(index, asked, results)
    if fmt is JSON:
        response = jsonify(answer)
        response.headers["Content-Type"] = "application/json"
        return finish(response)
    json_url = _link(asked, answer_format="json")
    return html_response("search.html", page=answer, examples=EXAMPLES,
                         facet_names=FACET_NAMES, json_url=json_url)


def _answer(index: SearchIndex, asked: Request, results: Results | None) -> dict[str, Any]:
    """What /search answers, the same for the page and for JSON."""
    base = {"query": asked.q, "filters": {f: v for f, v in asked.filters.items() if v},
            "lang": asked.lang, "limit": asked.limit, "offset": asked.offset}
    if results is None:
        return base | {"total": 0, "results": [], "facets": {},
                       "help": "Type words to search for (German or English), or choose a "
                               "facet value: e.g. /search?q=Frauenhaus or /search?kind=measure"}
    return base | {
        "total": results.total,
        "results": [_result(index, hit.entity, hit.score, results.words, asked.lang)
                    for hit in results.hits],
        "facets": {facet: _facet(index, facet, results.counts.get(facet, {}), asked)
                   for facet in FACETS},
        "facets_not_shown": {facet: count for facet in FACETS
                             if (count := _not_shown(results.counts.get(facet, {}), asked,
                                                     facet))},
        "next": _link(asked, offset=asked.offset + asked.limit)
        if asked.offset + asked.limit < results.total else None,
        "previous": _link(asked, offset=max(asked.offset - asked.limit, 0))
        if asked.offset > 0 else None,
    }


def _result(index: SearchIndex, entity: dict[str, Any], score: float, words: list[QueryWord],
            lang: str) -> dict[str, Any]:
    labels = {"de": entity["label_de"], "en": entity["label_en"]}
    other_lang = "en" if lang == "de" else "de"
    title_lang = lang if labels[lang] else other_lang if labels[other_lang] else None
    title = labels[title_lang] if title_lang else entity["iri"]
    other = next((t for t in (labels[other_lang],) if t and t != title), None)
    return {
        "iri": entity["iri"],
        "url": local_url(entity["iri"]),
        "kind": entity["kind"],
        "types": [{"iri": t, "label": index.type_labels.get(t, {}).get(lang, t)}
                  for t in entity["types"]],
        "label": labels,
        "title": {"text": title, "lang": title_lang, "highlights": highlight(title, words)},
        "subtitle": {"text": other, "lang": other_lang, "highlights": highlight(other, words)}
        if other else None,
        "snippet": _snippet(entity, words, title),
        "facets": {facet: values for facet, values in entity["facets"].items() if values},
        "score": round(score, 4),
    }


def _snippet(entity: dict[str, Any], words: list[QueryWord], title: str) -> dict | None:
    """The first text with a match (aims and definitions, then quotes, then other names, then
    the actors involved), cut to about SNIPPET characters around its first match; without a
    match, the first aim or quote."""
    shown = {title, entity["label_de"], entity["label_en"]}
    texts = [(f, t, lang) for f, t, lang in entity["texts"] if t not in shown]
    ordered = sorted(texts, key=lambda item: SNIPPET_FIELDS.index(item[0]))
    for field, text, lang in ordered:
        spans = highlight(text, words) if words else []
        if spans:
            return _window(field, text, lang, spans)
    for field, text, lang in ordered:
        if field in ("about", "quotes"):
            return _window(field, text, lang, [])
    return None


def _window(field: str, text: str, lang: str, spans: list[tuple[int, int]]) -> dict[str, Any]:
    start = 0
    if len(text) > SNIPPET and spans:
        start = max(0, spans[0][0] - SNIPPET // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + SNIPPET)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > (spans[0][1] if spans else start):
            end = space
    shown = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end]
    return {"field": field, "lang": lang, "text": text[start:end],
            "before": start > 0, "after": end < len(text), "highlights": shown}


def _facet(index: SearchIndex, facet: str, counts: dict[str, int], asked: Request
           ) -> list[dict[str, Any]]:
    chosen = asked.filters.get(facet, [])
    values = index.facet_values.get(facet, {})
    keys = sorted(counts, key=lambda k: (-counts[k], k))[:FACET_VALUES]
    keys += [k for k in chosen if k not in keys]
    found = []
    for key in keys:
        selected = key in chosen
        toggled = [v for v in chosen if v != key] if selected else [*chosen, key]
        found.append({
            "value": key, "iri": values.get(key, {}).get("iri"),
            "label": {"de": values.get(key, {}).get("de", key),
                      "en": values.get(key, {}).get("en", key)},
            "count": counts.get(key, 0), "selected": selected,
            "href": _link(asked, offset=0, **{facet: toggled}),
        })
    return found


def _not_shown(counts: dict[str, int], asked: Request, facet: str) -> int:
    """How many values of a facet with matches are left out of the answer (FACET_VALUES)."""
    chosen = set(asked.filters.get(facet, []))
    return max(0, len(set(counts) - chosen) - FACET_VALUES)


def _link(asked: Request, answer_format: str | None = None, **changes) -> str:
    """This search's URL with `changes` (a facet's values, offset), in `answer_format` (default:
    the format parameter of the request, if it has one)."""
    params: dict[str, Any] = {"q": asked.q, **asked.filters,
                              "lang": asked.lang if asked.lang != "de" else None,
                              "limit": asked.limit if asked.limit != 20 else None,
                              "offset": asked.offset or None}
    params.update(changes)
    pairs = [(k, v) for k, value in params.items() if value not in (None, "", [], 0)
             for v in (value if isinstance(value, list) else [value])]
    answer_format = answer_format or request.args.get("format")
    if answer_format:
        pairs.append(("format", answer_format))
    return public_base() + "search?" + urlencode(pairs)


def segments(text: str, spans: list[list[int] | tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, whether it matched) for the template, which escapes each piece
    and marks the matches: highlighting never writes markup into the data."""
    pieces, at = [], 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


@bp.app_template_filter("segments")
def _segments_filter(highlighted: dict[str, Any]) -> list[tuple[str, bool]]:
    return segments(highlighted["text"], highlighted["highlights"])
