"""The measurement behind the choice of search engine (docs/decisions.md): Tantivy against
SQLite FTS5 over the same search documents of a built store, by index size, build time, query
latency (p50, p95, in process, facet counts included) and quality on the search tests' queries.

    python -m sozialgraph_bench.searchengines STORE [--repetitions 50]

Three candidates:
- tantivy: what `sozialgraph build` writes (sozialgraph.search.index) and /search reads;
- fts5-analysed: SQLite FTS5 (unicode61) over the same analysed terms (our stems and trigrams,
  a compound word as a phrase of trigrams), ranked by bm25 with the same field weights;
- fts5-trigram: SQLite FTS5's own trigram tokenizer over the raw texts (substring matching,
  case-insensitive; no stemming, no folding of umlauts or ß in SQLite 3.40).
Every loop is bounded; nothing listens on the network.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import BASE
from sozialgraph.search.analysis import index_terms, query_words
from sozialgraph.search.documents import read_documents
from sozialgraph.search.index import BOOST, FACETS, TEXT_FIELDS, SearchIndex, write_index
from sozialgraph_bench.config import percentile
from sozialgraph_bench.search import QUERIES

# (query, IRIs that must be among the first n) — a subset of tests/test_search.py's table
EXPECTED = [
    ("Frauenhaus", ["measure/frauenhaus-kassel", "measure/landesmittel-frauenhaeuser"], 5),
    ("Frauenhäuser", ["measure/frauenhaus-kassel", "measure/landesmittel-frauenhaeuser"], 5),
    ("Frau", ["target-group/frauen", "measure/landesmittel-frauenhaeuser"], 6),
    ("Pflege", ["policy-area/pflegepolitik"], 3),
    ("Pflegequalifizierungszentrum", ["measure/pflegequalifizierungszentrum"], 1),
    ("Geflüchtete", ["target-group/gefluechtete"], 5),
    ("Gefluechtete", ["target-group/gefluechtete"], 5),
    ("refugees", ["target-group/gefluechtete"], 5),
    ("Kitas", ["measure/kita-ausbau"], 5),
    ("volunteers", ["target-group/ehrenamtliche"], 3),
    ("Straße", ["target-group/obdachlose"], 1),
    ("Strasse", ["target-group/obdachlose"], 1),
    ("childcare", ["measure/foerderung-kinderbetreuung"], 3),
    ("homelessness", ["policy-area/wohnungslosenhilfe"], 2),
]


class Fts5:
    """SQLite FTS5 over the analysed terms, or (trigram=True) over the raw texts."""

    def __init__(self, path: Path, documents, trigram: bool):
        self.trigram = trigram
        self.db = sqlite3.connect(str(path))
        self.iris = [d.iri for d in documents]
        columns = TEXT_FIELDS if trigram else [*TEXT_FIELDS, *(f + "_grams" for f in TEXT_FIELDS)]
        tokenizer = "trigram" if trigram else "unicode61 tokenchars '|'"
        self.db.execute(f"CREATE VIRTUAL TABLE t USING fts5({', '.join(columns)}, "
                        f"tokenize=\"{tokenizer}\")")
        self.db.execute("CREATE TABLE facet (doc INTEGER, facet TEXT, value TEXT)")
        for number, document in enumerate(documents):
            texts = {name: [] for name in columns}
            for text in document.texts:
                if trigram:
                    texts[text.field].append(text.text)
                else:
                    stems, grams = index_terms(text.text)
                    texts[text.field] += stems
                    texts[text.field + "_grams"] += grams
            self.db.execute(f"INSERT INTO t(rowid, {', '.join(columns)}) VALUES "
                            f"({number + 1}, {', '.join('?' * len(columns))})",
                            [" ".join(texts[c]) for c in columns])
            self.db.executemany("INSERT INTO facet VALUES (?, ?, ?)",
                                [(number + 1, f, v) for f in FACETS
                                 for v in document.facets.get(f, [])])
        self.db.execute("CREATE INDEX facet_doc ON facet(doc)")
        self.db.commit()
        self.weights = ", ".join(str(BOOST[c]) for c in columns)

    def match(self, text: str) -> str:
        words = query_words(text)
        if self.trigram:
            return " AND ".join('"' + w.text.replace('"', '') + '"' for w in words)
        parts = []
        for w in words:
            stems = " OR ".join(dict.fromkeys((w.german, w.english)))
            options = [f"{{names about quotes}} : ({stems})"]
            if w.grams:
                options.append("{names_grams about_grams quotes_grams} : \""
                               + " ".join(w.grams) + "\"")
            parts.append("(" + " OR ".join(options) + ")")
        return " AND ".join(parts)

    def search(self, text: str, limit: int = 20) -> tuple[list[str], dict]:
        expression = self.match(text)
        rows = self.db.execute(f"SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, "
                               f"{self.weights}) LIMIT ?", (expression, limit)).fetchall()
        counts = self.db.execute("SELECT facet, value, COUNT(*) FROM facet WHERE doc IN "
                                 "(SELECT rowid FROM t WHERE t MATCH ?) GROUP BY facet, value",
                                 (expression,)).fetchall()
        return [self.iris[r[0] - 1] for r in rows], {(f, v): n for f, v, n in counts}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() \
        else path.stat().st_size


def _quality(search) -> tuple[int, list[str]]:
    met, missed = 0, []
    for query, expected, n in EXPECTED:
        found = [iri.removeprefix(BASE + "id/") for iri in search(query)[:n]]
        if set(expected) <= set(found):
            met += 1
        else:
            missed.append(query)
    return met, missed


def _latency(search, repetitions: int) -> dict:
    times = []
    for query in QUERIES:
        search(query)  # warm-up
        for _ in range(repetitions):
            start = time.perf_counter()
            search(query)
            times.append(time.perf_counter() - start)
    return {"p50_ms": round(percentile(times, 50) * 1000, 3),
            "p95_ms": round(percentile(times, 95) * 1000, 3),
            "mean_ms": round(statistics.fmean(times) * 1000, 3)}


def compare(store_dir: Path, repetitions: int) -> dict:
    store = ox.Store.read_only(str(store_dir))
    documents = read_documents(store)
    results = {"entities": len(documents)}
    with tempfile.TemporaryDirectory(prefix="search-engines-") as work:
        work = Path(work)
        start = time.perf_counter()
        write_index(work, store)
        seconds = time.perf_counter() - start
        index = SearchIndex(work)

        def tantivy_search(text):
            return [h.entity["iri"] for h in index.search(text, {}).hits]
        met, missed = _quality(tantivy_search)
        results["tantivy"] = {"build_s": round(seconds, 2), "bytes": _size(work / "search"),
                              **_latency(tantivy_search, repetitions),
                              "quality": f"{met}/{len(EXPECTED)}", "missed": missed}
        for name, trigram in (("fts5-analysed", False), ("fts5-trigram", True)):
            path = work / f"{name}.sqlite"
            start = time.perf_counter()
            engine = Fts5(path, documents, trigram)
            seconds = time.perf_counter() - start

            def fts_search(text, engine=engine):
                return engine.search(text)[0]
            met, missed = _quality(fts_search)
            results[name] = {"build_s": round(seconds, 2), "bytes": _size(path),
                             **_latency(lambda text, engine=engine: engine.search(text),
                                        repetitions),
                             "quality": f"{met}/{len(EXPECTED)}", "missed": missed}
            engine.db.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a built store (sozialgraph build --store)")
    parser.add_argument("--repetitions", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(compare(args.store.resolve(), args.repetitions), indent=1))


if __name__ == "__main__":
    main()
