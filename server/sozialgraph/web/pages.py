"""The pages of the linked-data blueprints: a resource's page and its RDF answer (`answer`),
and the not-found page with similar IRIs. Built from the views of sozialgraph.web.views."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import pyoxigraph as ox
from flask import Response, request

from sozialgraph.rdf.formats import HTML, JSON_LD, Format
from sozialgraph.rdf.namespaces import BASE
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.web import dataset
from sozialgraph.web.http import (
    PAGE_FORMATS,
    alternates,
    choose_format,
    error_response,
    finish,
    html_response,
    local_url,
    public_base,
    rdf_response,
    refuse,
    safe_iri,
    serialize,
    ui_url,
)
from sozialgraph.web.views import (
    LEADING_PROPERTIES,
    OA,
    RDF_TYPE,
    SG_EVIDENCE,
    Description,
    Link,
    compact,
    describe,
    exists,
    labels_for,
    link,
    property_rows,
    term_view,
)

# --- Pages -------------------------------------------------------------------------------------

@dataclass
class Quote:
    evidence: Link
    source: Link | None
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None


def quotes(description: Description) -> list[Quote]:
    """The evidence of the resource (or the resource itself, if it is evidence) as quotes."""
    index = dataset.TripleIndex(description.outgoing + description.evidence)
    subject = ox.NamedNode(description.iri)
    pieces = [e for e in index.objects(subject, SG_EVIDENCE) if isinstance(e, ox.NamedNode)]
    if index.objects(subject, OA + "hasSelector"):
        pieces.append(subject)
    found = []
    for piece in pieces:
        source = index.value(piece, OA + "hasSource")
        exact = prefix = suffix = ""
        start = end = None
        for selector in index.objects(piece, OA + "hasSelector"):
            exact = _text(index.value(selector, OA + "exact")) or exact
            prefix = _text(index.value(selector, OA + "prefix")) or prefix
            suffix = _text(index.value(selector, OA + "suffix")) or suffix
            start = _number(index.value(selector, OA + "start"), start)
            end = _number(index.value(selector, OA + "end"), end)
        source_link = link(source.value, description.label_map) \
            if isinstance(source, ox.NamedNode) else None
        found.append(Quote(link(piece.value, description.label_map), source_link, exact, prefix,
                           suffix, start, end))
    return sorted(found, key=lambda q: (q.source.iri if q.source else "", q.start or 0))


def _text(term) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


def _number(term, default: int | None) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else default
    except ValueError:
        return default


@dataclass
class IncomingGroup:
    prop: Link
    subjects: list[tuple[Any, Link | None]]  # (subject, the property it is reached through)


def incoming_groups(description: Description) -> list[IncomingGroup]:
    labels, target = description.label_map, ox.NamedNode(description.iri)
    parents = dataset.TripleIndex(t for t in description.incoming if t.object != target)
    groups: dict[str, list[tuple[Any, Link | None]]] = {}
    for triple in description.incoming:
        if triple.object != target:
            continue
        entries = groups.setdefault(triple.predicate.value, [])
        if isinstance(triple.subject, ox.BlankNode):
            for up in parents.pointing_to(triple.subject):
                entries.append((term_view(up.subject, labels), link(up.predicate.value, labels,
                                                                      prefer="en")))
            continue
        entries.append((term_view(triple.subject, labels), None))
    result = []
    for predicate, entries in groups.items():
        unique = {(getattr(s, "iri", id(s)), via.iri if via else ""): (s, via) for s, via in entries}
        ordered = sorted(unique.values(), key=lambda e: getattr(e[0], "text", "").lower())
        result.append(IncomingGroup(link(predicate, labels, prefer="en"), ordered))
    return sorted(result, key=lambda g: g.prop.text.lower())


def stated_in(iri: str) -> list[str]:
    """The named graphs that state something about `iri`."""
    rows = dataset.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} ORDER BY ?g")
    return [row["g"].value for row in rows]


def resource_page(description: Description, **sections) -> dict[str, Any]:
    labels, iri = description.label_map, description.iri
    index = dataset.TripleIndex(description.outgoing)
    own = [t for t in description.outgoing if t.subject == ox.NamedNode(iri)]
    by_lang = labels.get(iri, {})
    types = [link(t.value, labels, prefer="en") for t in index.objects(iri, RDF_TYPE)
             if isinstance(t, ox.NamedNode)]
    graphs = [link(g, labels) for g in stated_in(iri)]
    inferred = next((g for g in graphs if g.iri == GRAPH_INFERRED), None)
    jsonld = json.loads(serialize(description.triples, JSON_LD) or b"[]")
    return {
        "iri": iri,
        "curie": compact(iri),
        "url": local_url(iri),
        "label_de": by_lang.get("de"),
        "label_en": by_lang.get("en"),
        "title": by_lang.get("de") or by_lang.get("en") or compact(iri),
        "types": types,
        "rows": property_rows(own, labels, index),
        "quotes": quotes(description),
        "incoming": incoming_groups(description),
        "graphs": [g for g in graphs if g is not inferred],
        "inferred_in": inferred,
        "alternates": alternates(local_url(iri)),
        "jsonld": jsonld,
        **sections,
    }


def answer(iri: str, extension: str | None, *, known: bool | None = None,
           extra: Sequence[ox.Triple] = (), **sections) -> Response:
    """The negotiated answer for a resource of the namespace, or its 404."""
    fmt = choose_format(PAGE_FORMATS, extension)
    if not (exists(iri) if known is None else known):
        return not_found(iri, fmt)
    if fmt is None:
        refuse(PAGE_FORMATS, extension, "a resource description")
    description = describe(iri, extra)
    if fmt is HTML:
        return html_response("resource.html", page=resource_page(description, **sections))
    return rdf_response(_ordered(description), fmt)


def _ordered(description: Description) -> list[ox.Triple]:
    """The resource's own triples first, then its blank nodes, evidence, incoming links, labels
    (serialisers group consecutive triples of one subject); blank nodes get short labels."""
    main = ox.NamedNode(description.iri)
    leading = {p: n for n, p in enumerate(LEADING_PROPERTIES)}

    def key(triple: ox.Triple):
        subject = triple.subject
        rank = 0 if subject == main else 2 if isinstance(subject, ox.BlankNode) else 1
        return (rank, str(subject), leading.get(triple.predicate.value, 99),
                triple.predicate.value, str(triple.object))
    parts = (description.outgoing + description.extra, description.evidence,
             description.incoming, description.labels)
    ordered = dict.fromkeys(t for part in parts for t in sorted(part, key=key))
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def short(term):
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"b{len(names) + 1}"))
        return term
    return [ox.Triple(short(t.subject), t.predicate, short(t.object)) for t in ordered]


# --- Not found ---------------------------------------------------------------------------------

def not_found(iri: str, fmt: Format | None) -> Response:
    """404: an HTML page with similar IRIs for people, a line of plain text for machines."""
    if fmt is not HTML:
        return finish(error_response(404, f"{iri} is not described here; see "
                                          f"{public_base()}downloads for everything there is"))
    folder, _, slug = iri.rpartition("/")
    folder += "/"
    candidates = similar(folder, slug) if safe_iri(folder) else []
    labels = labels_for(candidates)
    words = [w for w in re.split(r"[^0-9A-Za-zÄÖÜäöüß]+", slug) if len(w) > 2][:3]
    search = None
    if words:
        filters = " || ".join(f'CONTAINS(LCASE(STR(?label)), "{w.lower()}")' for w in words)
        search = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                  "SELECT DISTINCT ?resource ?label WHERE {\n"
                  f"  ?resource rdfs:label ?label .\n  FILTER ({filters})\n}}\nLIMIT 100\n")
    page = {"iri": iri, "path": request.path,
            "similar": [link(c, labels) for c in candidates],
            "folder": folder if folder.startswith(BASE) else None,
            "search_ui": ui_url(search) if search else None, "words": words,
            "base": public_base()}
    return html_response("notfound.html", 404, page=page)


def similar(folder: str, slug: str, limit: int = 12) -> list[str]:
    """IRIs under `folder` like `slug`, the closest first (similar letters, a common start).
    The scan runs as /sparql queries do, under the time limit (none found: no suggestions)."""
    rows = dataset.select_limited(f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
        FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{folder}")) }}""") or []
    names = [row["s"].value[len(folder):] for row in rows]
    slug = slug.lower()

    def closeness(name: str) -> float:
        lowered = name.lower()
        return SequenceMatcher(None, lowered, slug).ratio() + len(_common_prefix(lowered, slug)) \
            / max(len(slug), 1)
    if not slug:  # a folder: its first entries
        return [folder + name for name in sorted(names)[:limit]]
    ranked = sorted(names, key=lambda name: (-closeness(name), name))
    close = [name for name in ranked if closeness(name) >= 0.6]
    return [folder + name for name in (close or ranked)[:limit]]


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]
