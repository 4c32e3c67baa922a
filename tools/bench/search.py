"""The benchmark's search phase: /search of `sozialgraph serve` over each size's build, timed
through HTTP as a program asks it (JSON, facet counts included), and the index the build wrote
(entities, size on disk, seconds of the build's index stage). Target (issue 12): p95 under 50 ms.

The queries are the words the search tests ask about the project's graphs (umlauts, ß, plurals,
compounds, English words), each once alone and once narrowed by a facet; on synthetic data some
find nothing, which is timed too (an empty answer still runs every clause). Imports config.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import requests

from sozialgraph_bench.config import percentile
from sozialgraph_bench.targets import TARGETS

TARGET_P95 = TARGETS["search"]["max_p95_ms"] / 1000  # seconds (tools/bench/targets.toml)
QUERIES = ("Frauenhaus", "Frauenhäuser", "Frau", "Pflege", "Pflegequalifizierungszentrum",
           "Geflüchtete", "Gefluechtete", "refugees", "Kita", "Ehrenamt", "volunteers",
           "Straße", "childcare", "Familie", "Ministerium für Soziales", "Integration")
FACET = {"kind": "measure"}


def index_facts(build_dir: Path) -> dict:
    """Entities, size on disk and build seconds of the search index of `build_dir`."""
    folder = build_dir / "search"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) \
        if folder.is_dir() else None
    entities = None
    if (folder / "facets.json").is_file():
        entities = json.loads((folder / "facets.json").read_text("utf-8"))["entities"]
    info = build_dir / "build-info.json"
    seconds = None
    if info.is_file():
        seconds = json.loads(info.read_text("utf-8")).get("timings_seconds", {}).get("index")
    return {"entities": entities, "bytes": size, "seconds": seconds}


def measure(url: str, repetitions: int, budget: float) -> dict:
    """Time every query (alone and with a facet) `repetitions` times after one warm-up, within
    `budget` seconds per query."""
    per_query, every = {}, []
    with requests.Session() as session:
        for words in QUERIES:
            for narrowed in (False, True):
                params = {"q": words, "format": "json", **(FACET if narrowed else {})}
                key = words + (" [kind=measure]" if narrowed else "")
                first = session.get(url + "/search", params=params, timeout=30)
                if first.status_code != 200:
                    per_query[key] = {"error": f"HTTP {first.status_code}", "n": 0}
                    continue
                total = first.json()["total"]
                times, began = [], time.perf_counter()
                for _ in range(repetitions):
                    start = time.perf_counter()
                    session.get(url + "/search", params=params, timeout=30).raise_for_status()
                    times.append(time.perf_counter() - start)
                    if time.perf_counter() - began > budget and len(times) >= 3:
                        break
                every += times
                per_query[key] = {"n": len(times), "hits": total, "p50": percentile(times, 50),
                                  "p95": percentile(times, 95), "mean": statistics.fmean(times)}
    return {"queries": per_query, "requests": len(every), "p50": percentile(every, 50),
            "p95": percentile(every, 95), "max": max(every) if every else None}


def search_table(sizes: dict) -> list[str]:
    """The report's search region."""
    from sozialgraph_bench.figures import ms

    lines = [f"Target: p95 ≤ {TARGET_P95 * 1000:.0f} ms per /search request (JSON, facet counts "
             "included), through HTTP from a client on the same machine.", "",
             "| size | entities indexed | index size | index stage (s) | requests | p50 (ms) | "
             "p95 (ms) | slowest (ms) | verdict |", "|---|---|---|---|---|---|---|---|---|"]
    details: list[str] = []
    for size, record in sizes.items():
        search = record.get("search")
        if not search:
            continue
        from sozialgraph_bench.config import size_name

        index, timing = search["index"], search.get("timing") or {}
        p95 = timing.get("p95")
        verdict = "–" if p95 is None else ("met" if p95 <= TARGET_P95 else "missed")
        size_kb = f"{index['bytes'] / 1024:,.0f} KiB" if index.get("bytes") else "–"
        seconds = f"{index['seconds']:.2f}" if index.get("seconds") is not None else "–"
        lines.append(f"| {size_name(int(size))} | {index.get('entities') or '–'} | {size_kb} | "
                     f"{seconds} | {timing.get('requests', 0)} | {ms(timing.get('p50'))} | "
                     f"{ms(p95)} | {ms(timing.get('max'))} | **{verdict}** |")
        details += ["", f"{size_name(int(size))}, per query:", "",
                    "| query | hits | p50 (ms) | p95 (ms) |", "|---|---|---|---|"]
        for words, cell in timing.get("queries", {}).items():
            details.append(f"| {words} | {cell.get('hits', cell.get('error', '–'))} | "
                           f"{ms(cell.get('p50'))} | {ms(cell.get('p95'))} |")
    if len(lines) == 4:
        return ["Not measured yet."]
    return lines + details
