"""The search index of a build: `<build>/search/`, beside the store, written by the build before
the swap (so a build and its index are swapped in together and pinned together) and opened
read-only by each web process.

    search/tantivy/        the Tantivy index, one document per entity: analysed terms
                           (sozialgraph.search.analysis), the facet values, and stored what a
                           hit shows (labels, kind, types, texts for snippets, facet values),
                           read for the hits of a page only
    search/facets.json     the labels of every facet value and type, and the entity count

The query language is plain words: every word must match the entity somewhere (its stem in a
name, an aim, a definition, a quote or the name of an actor involved, in German or English, or
inside a compound); names weigh most, then aims and definitions, then quotes, then actors. Facets narrow: values of one facet are
alternatives, different facets must all hold. The counts of each facet's values are Tantivy's
terms aggregation over the matching entities; a facet with chosen values is counted without its
own choice (the other facets' choices hold), so its other values stay on offer.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import tantivy

from sozialgraph.search.analysis import QueryWord, index_terms, query_words
from sozialgraph.search.documents import (
    KINDS,
    SearchDocument,
    facet_labels,
    labels,
    read_documents,
)

SEARCH_DIR = "search"
FACETS_FILE = "facets.json"
TEXT_FIELDS = ("names", "about", "quotes", "context")
FACETS = ("kind", "level", "area", "target", "source", "status")
# Weights of a match: stems in names, aims and definitions, quotes, the names of the actors
# involved; then inside compounds.
BOOST = {"names": 4.0, "about": 2.0, "quotes": 1.0, "context": 0.5,
         "names_grams": 2.0, "about_grams": 1.0, "quotes_grams": 0.5, "context_grams": 0.25}


def value_key(iri: str) -> str:
    """A facet value as the query parameter names it: the IRI's last segment
    (`…/policy-area/integration` -> `integration`, `…ontology#Ongoing` -> `Ongoing`)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_bytes_field("entity", stored=True, indexed=False)  # JSON: what a hit shows
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field(name + "_grams", tokenizer_name="whitespace",
                               index_option="position")
    for facet in FACETS:
        builder.add_text_field(facet, tokenizer_name="raw", fast=True, index_option="basic")
    return builder.build()


def write_index(build_dir: Path, store: ox.Store) -> int:
    """Write `build_dir/search/` for the store (open, read-only is enough); return the number
    of entities indexed."""
    label_map = labels(store)
    documents = read_documents(store, label_map)
    target = build_dir / SEARCH_DIR
    shutil.rmtree(target, ignore_errors=True)
    (target / "tantivy").mkdir(parents=True)
    index = tantivy.Index(_schema(), path=str(target / "tantivy"))
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    for document in documents:
        writer.add_document(_tantivy_document(document))
    writer.commit()
    writer.wait_merging_threads()
    values = {}
    for facet in FACETS[1:]:
        values[facet] = {}
    value_labels = facet_labels(label_map, documents)
    for document in documents:
        for facet in FACETS[1:]:
            for iri in document.facets[facet]:
                by_lang = value_labels.get(iri, {})
                values[facet][value_key(iri)] = {
                    "iri": iri, "de": by_lang.get("de") or by_lang.get("") or value_key(iri),
                    "en": by_lang.get("en") or by_lang.get("de") or value_key(iri)}
    values["kind"] = {kind: {"iri": cls, "de": de, "en": en}
                      for kind, (cls, de, en) in KINDS.items()}
    types = {t: {"de": value_labels.get(t, {}).get("de") or value_key(t),
                 "en": value_labels.get(t, {}).get("en") or value_key(t)}
             for document in documents for t in document.types}
    (target / FACETS_FILE).write_text(json.dumps(
        {"entities": len(documents), "facets": values, "types": types}, ensure_ascii=False),
        encoding="utf-8")
    return len(documents)


def _tantivy_document(document: SearchDocument) -> tantivy.Document:
    fields: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
    grams: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
    for text in document.texts:
        stems, text_grams = index_terms(text.text)
        fields[text.field].extend(stems)
        grams[text.field].extend(text_grams)
    tantivy_doc = tantivy.Document()
    tantivy_doc.add_bytes("entity", json.dumps(_entity(document), ensure_ascii=False)
                          .encode("utf-8"))
    for name in TEXT_FIELDS:
        tantivy_doc.add_text(name, " ".join(fields[name]))
        tantivy_doc.add_text(name + "_grams", " ".join(grams[name]))
    for facet in FACETS:
        for value in document.facets[facet]:
            tantivy_doc.add_text(facet, value if facet == "kind" else value_key(value))
    return tantivy_doc


def _entity(document: SearchDocument) -> dict[str, Any]:
    return {"iri": document.iri, "kind": document.kind, "types": document.types,
            "label_de": document.label_de, "label_en": document.label_en,
            "texts": [[t.field, t.text, t.lang] for t in document.texts],
            "facets": {facet: [v if facet == "kind" else value_key(v) for v in values]
                       for facet, values in document.facets.items()}}


@dataclass
class Hit:
    score: float
    entity: dict[str, Any]


@dataclass
class Results:
    total: int
    hits: list[Hit]
    counts: dict[str, dict[str, int]]  # facet -> value key -> matching entities
    words: list[QueryWord]


class SearchIndex:
    """A build's search index, opened read-only."""

    def __init__(self, build_dir: Path):
        folder = build_dir / SEARCH_DIR
        if not (folder / FACETS_FILE).exists():
            raise FileNotFoundError(f"{build_dir.name} has no search index")
        self.index = tantivy.Index.open(str(folder / "tantivy"))
        self.schema = self.index.schema
        data = json.loads((folder / FACETS_FILE).read_text(encoding="utf-8"))
        self.size: int = data["entities"]
        self.facet_values: dict[str, dict[str, dict[str, str]]] = data["facets"]
        self.type_labels: dict[str, dict[str, str]] = data["types"]
        self.searcher = self.index.searcher()

    def query(self, text: str, filters: dict[str, list[str]]) -> tuple[tantivy.Query,
                                                                       list[QueryWord]]:
        """The Tantivy query for the words of `text` and the facet filters (facet -> keys)."""
        words = query_words(text)
        clauses = [(tantivy.Occur.Must, self._word(word)) for word in words]
        for facet, keys in filters.items():
            if keys:
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, facet, key))
                     for key in keys])))
        if not clauses:
            return tantivy.Query.all_query(), words
        return tantivy.Query.boolean_query(clauses), words

    def _word(self, word: QueryWord) -> tantivy.Query:
        options = []
        for name in TEXT_FIELDS:
            for stem in dict.fromkeys((word.german, word.english)):
                options.append(self._boosted(
                    tantivy.Query.term_query(self.schema, name, stem), BOOST[name]))
            grams = word.grams
            if grams:
                field = name + "_grams"
                inner = tantivy.Query.term_query(self.schema, field, grams[0]) \
                    if len(grams) == 1 else tantivy.Query.phrase_query(self.schema, field, grams)
                options.append(self._boosted(inner, BOOST[field]))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])

    @staticmethod
    def _boosted(query: tantivy.Query, boost: float) -> tantivy.Query:
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def search(self, text: str, filters: dict[str, list[str]], limit: int = 20,
               offset: int = 0) -> Results:
        query, words = self.query(text, filters)
        found = self.searcher.search(query, limit=limit, offset=offset, count=True)
        hits = [Hit(score, json.loads(self.searcher.doc(address).get_first("entity")))
                for score, address in found.hits]
        counts = self._counts(query, FACETS)
        # A facet with chosen values counts as if it were not chosen (the other facets still
        # hold), so that its other values stay on offer as alternatives.
        for facet in FACETS:
            if filters.get(facet):
                others = {f: v for f, v in filters.items() if f != facet}
                counts[facet] = self._counts(self.query(text, others)[0], (facet,))[facet]
        return Results(found.count, hits, counts, words)

    def _counts(self, query: tantivy.Query, facets: tuple[str, ...]
                ) -> dict[str, dict[str, int]]:
        aggregation = {facet: {"terms": {"field": facet, "size": 1000}} for facet in facets}
        result = self.searcher.aggregate(query, aggregation)
        return {facet: {bucket["key"]: bucket["doc_count"]
                        for bucket in result.get(facet, {}).get("buckets", [])}
                for facet in facets}

