"""Descriptions of resources and the views of terms the linked-data pages show: labels in German
and English, links to where an IRI answers, property rows. Used by the pages (`pages`) and the
VoID and term-documentation blueprints; it imports the toolkit (`http`) and the data access
(`dataset`) only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import BASE, PREFIXES
from sozialgraph.web import dataset
from sozialgraph.web.http import (
    compact,
    local_url,
    safe_iri,
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
