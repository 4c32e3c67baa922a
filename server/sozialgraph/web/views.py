"""Descriptions of resources and the views of terms the linked-data pages show: labels in German
and English, links to where an IRI answers, property rows, quotes of evidence, incoming links,
the not-found page with similar IRIs. Used by the linked-data, VoID and term-documentation
blueprints; it imports the toolkit (`http`) and the data access (`data`) only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import pyoxigraph as ox
from flask import Response, request

from sozialgraph.rdf.formats import HTML, JSON_LD, Format
from sozialgraph.rdf.namespaces import BASE, PREFIXES
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.web import dataset
from sozialgraph.web.http import (
    PAGE_FORMATS,
    alternates,
    choose_format,
    compact,
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

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SG_EVIDENCE = PREFIXES["sg"] + "evidence"
DCT_TITLE = PREFIXES["dct"] + "title"
OA = PREFIXES["oa"]
# Rows shown first on a page, in this order; the other properties follow by label.
LEADING_PROPERTIES = (RDF_TYPE, RDFS_LABEL, PREFIXES["skos"] + "prefLabel",
                      PREFIXES["skos"] + "altLabel", PREFIXES["rdfs"] + "comment")
INCOMING_LIMIT = 2000  # incoming links per resource (the largest has a few hundred)



# --- Views of terms for the templates ----------------------------------------------------------

@dataclass
class Link:
    """An IRI as a page shows it: its label, a link to where it answers, its compact name."""
    iri: str
    href: str
    text: str
    alt: str | None
    curie: str
    local: bool
    kind: str = "iri"


@dataclass
class LiteralView:
    text: str
    lang: str | None
    datatype: str | None  # compact datatype, None for plain and language-tagged strings
    kind: str = "literal"

    @property
    def multiline(self) -> bool:
        return "\n" in self.text


@dataclass
class NodeView:
    """A blank node shown in place: its own property rows."""
    rows: list[PropertyRow]
    kind: str = "bnode"


@dataclass
class PropertyRow:
    prop: Link
    values: list[Any]


Labels = dict[str, dict[str, str]]  # IRI -> language -> label


def labels_for(iris: Iterable[str]) -> Labels:
    """rdfs:label of each IRI by language (the first label of a language wins)."""
    wanted = sorted({iri for iri in iris if safe_iri(iri)})
    found: Labels = {}
    for start in range(0, len(wanted), 500):
        values = " ".join(f"<{iri}>" for iri in wanted[start:start + 500])
        rows = dataset.select(f"SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} "
                              "?x rdfs:label ?label }")
        for row in rows:
            label = row["label"]
            if isinstance(label, ox.Literal):
                found.setdefault(row["x"].value, {}).setdefault(label.language or "", label.value)
    return found


def link(iri: str, labels: Labels, prefer: str = "de") -> Link:
    by_lang = labels.get(iri, {})
    other = "en" if prefer == "de" else "de"
    text = by_lang.get(prefer) or by_lang.get(other) or by_lang.get("") or compact(iri)
    alt = by_lang.get(other) if by_lang.get(prefer) else None
    return Link(iri, local_url(iri), text, alt if alt != text else None, compact(iri),
                iri.startswith(BASE))


def term_view(term, labels: Labels, index: dataset.TripleIndex | None = None, depth: int = 0):
    if isinstance(term, ox.NamedNode):
        return link(term.value, labels)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        shown = None if datatype in (XSD_STRING, RDF_LANG_STRING) else compact(datatype)
        return LiteralView(term.value, term.language, shown)
    if index is not None and depth < 4:
        return NodeView(property_rows(index.about(term), labels, index, depth + 1))
    return LiteralView("(blank node)", None, None)


def property_rows(triples: Iterable[ox.Triple], labels: Labels,
                  index: dataset.TripleIndex | None = None, depth: int = 0) -> list[PropertyRow]:
    grouped: dict[str, list[Any]] = {}
    for triple in triples:
        grouped.setdefault(triple.predicate.value, []).append(triple.object)
    rows = []
    for predicate, objects in grouped.items():
        values = [term_view(o, labels, index, depth) for o in _sorted_terms(objects)]
        rows.append(PropertyRow(link(predicate, labels, prefer="en"), values))
    return sorted(rows, key=_row_order)


def _row_order(row: PropertyRow):
    if row.prop.iri in LEADING_PROPERTIES:
        return (0, LEADING_PROPERTIES.index(row.prop.iri), "")
    return (1, 0, row.prop.text.lower())


def _sorted_terms(terms: Iterable[Any]) -> list[Any]:
    def key(term):
        if isinstance(term, ox.Literal):
            return (1, {"de": 0, "en": 1}.get(term.language or "", 2), term.value)
        return (0, 0, str(term))
    return sorted(terms, key=key)


# --- Descriptions ------------------------------------------------------------------------------

@dataclass
class Description:
    """What the server says about one IRI (see `describe`)."""
    iri: str
    outgoing: list[ox.Triple] = field(default_factory=list)
    evidence: list[ox.Triple] = field(default_factory=list)
    incoming: list[ox.Triple] = field(default_factory=list)
    labels: list[ox.Triple] = field(default_factory=list)
    extra: list[ox.Triple] = field(default_factory=list)  # computed (e.g. a graph's statistics)
    label_map: Labels = field(default_factory=dict)

    @property
    def triples(self) -> list[ox.Triple]:
        return list(dict.fromkeys(self.outgoing + self.extra + self.evidence + self.incoming
                                  + self.labels))


def _cbd_query(iris: Sequence[str]) -> str:
    """The concise bounded description of the IRIs: their triples, and the triples of the blank
    nodes they reach (three levels deep; the data nest at most two)."""
    values = " ".join(f"<{iri}>" for iri in iris)
    return f"""CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o3 ?p4 ?o4 }} WHERE {{
  VALUES ?s {{ {values} }}
  ?s ?p ?o .
  OPTIONAL {{ FILTER (isBlank(?o)) ?o ?p2 ?o2 .
    OPTIONAL {{ FILTER (isBlank(?o2)) ?o2 ?p3 ?o3 .
      OPTIONAL {{ FILTER (isBlank(?o3)) ?o3 ?p4 ?o4 }} }} }}
}}"""


def exists(iri: str) -> bool:
    return safe_iri(iri) and dataset.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")


def describe(iri: str, extra: Sequence[ox.Triple] = ()) -> Description:
    """The description of `iri`, from the default graph (the merge of the asserted graphs):

    1. its concise bounded description: every triple with it as subject, and the triples of the
       blank nodes reached from there (a funding's amount node);
    2. the concise bounded description of each of its evidence resources (`sg:evidence`): source,
       quote and position selectors, so the provenance travels with the fact;
    3. incoming links: every triple with it as object; where the subject is a blank node, the
       triple that points to that blank node too (the funding whose amount has this qualifier);
    4. the rdfs:label of every other IRI in subject or object position of 1-3;
    5. `extra` triples the caller computed (a named graph's size and dump).
    """
    description = Description(iri, extra=list(extra))
    description.outgoing = dataset.construct(_cbd_query([iri]))
    evidence = sorted({t.object.value for t in description.outgoing
                       if t.predicate.value == SG_EVIDENCE and isinstance(t.object, ox.NamedNode)
                       and t.subject == ox.NamedNode(iri) and safe_iri(t.object.value)})
    if evidence:
        description.evidence = dataset.construct(_cbd_query(evidence))
    description.incoming = dataset.construct(f"""
        CONSTRUCT {{ ?s ?p <{iri}> . ?parent ?via ?s }} WHERE {{
          {{ SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }} LIMIT {INCOMING_LIMIT} }}
          OPTIONAL {{ FILTER (isBlank(?s)) ?parent ?via ?s }}
        }}""")
    core = description.outgoing + description.evidence + description.incoming + description.extra
    linked = {term.value for t in core for term in (t.subject, t.object)
              if isinstance(term, ox.NamedNode) and term.value != iri}
    predicates = {t.predicate.value for t in core}
    description.label_map = labels_for(linked | predicates | {iri})
    for triple in description.extra:  # a computed title names the resource too (a graph)
        if triple.subject == ox.NamedNode(iri) and triple.predicate.value == DCT_TITLE \
                and isinstance(triple.object, ox.Literal):
            description.label_map.setdefault(iri, {}).setdefault(triple.object.language or "",
                                                                 triple.object.value)
    rdfs_label = ox.NamedNode(RDFS_LABEL)
    description.labels = [
        ox.Triple(ox.NamedNode(x), rdfs_label, ox.Literal(text, language=lang or None))
        for x in sorted(linked) for lang, text in description.label_map.get(x, {}).items()]
    return description


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
    """IRIs under `folder` like `slug`, the closest first (similar letters, a common start)."""
    rows = dataset.select(f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
        FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{folder}")) }}""")
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
