"""The Markdown report (docs/benchmarks.md): the generated regions filled from a run's results.

The report is written by hand (what the benchmark does, the method, the findings) around
generated regions (regions.py) that hold what a run measured: its summary, the targets'
verdicts, the machine, the settings, and the tables. A new report starts from the checkout's
docs/benchmarks.md (its prose with the last run's figures, replaced), or outside a checkout
from a bare outline. Imports config, environment, figures, plot, regions, tables and targets.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from sozialgraph_bench import regions
from sozialgraph_bench.config import LABELS, PEERS, size_name
from sozialgraph_bench.environment import checkout_report
from sozialgraph_bench.figures import ms, p50, ratio, timed_out
from sozialgraph_bench.plot import render_svg
from sozialgraph_bench.search import search_table
from sozialgraph_bench.tables import build_table, correctness_tables, throughput_tables
from sozialgraph_bench.targets import SIZE, verdicts

# The report's sections in order: (heading, generated region); a section without a region is
# prose only, a region without a heading sits under the title.
SECTIONS = ((None, "run"), ("## Summary", "summary"), ("## Targets", "targets"),
            ("## Machine", "machine"), ("## Method", "settings"), ("## Data", "data"),
            ("## Build", "build"), ("## Correctness", "correctness"), ("## Latency", "latency"),
            ("## Throughput", "throughput"), ("## Search", "search"),
            ("## Profiling and changes", None),
            ("## Notes", "notes"))
HEADINGS = tuple(heading for heading, _ in SECTIONS if heading)
REGIONS = tuple(region for _, region in SECTIONS if region)


def template(out: Path, fallback: Path | None) -> str:
    """The text whose regions the report fills: `out` itself if it exists, else `fallback`
    (the checkout's docs/benchmarks.md), else a bare outline. ValueError if the file to fill
    lacks a region or holds one nobody generates: nothing is written over it then."""
    for source in (out, fallback):
        if source is not None and source.is_file():
            text = source.read_text(encoding="utf-8")
            regions.check(text, REGIONS, str(source))
            return text
    return regions.outline("Benchmarks", SECTIONS)


def render_report(results: dict, plot: Path | None, out: Path,
                  fallback: Path | None = checkout_report()) -> str:
    """The report for `out`: its template (see template()) with every region filled."""
    return regions.fill(template(out, fallback), generated(results, plot, out), str(out))


def write_report(results: dict, out: Path, plot: Path | None = None) -> None:
    """Write the plot (default: beside the report, as .svg) and the report; nothing if the
    report cannot be filled (ValueError)."""
    plot = plot or out.with_suffix(".svg")
    svg = render_svg(results)
    text = render_report(results, plot if svg else None, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if svg:
        plot.write_text(svg, encoding="utf-8")
    out.write_text(text, encoding="utf-8")


def generated(results: dict, plot: Path | None, out: Path) -> dict[str, list[str]]:
    """Every region's lines."""
    settings, sizes = results["settings"], results["sizes"]
    return {
        "run": _run(results),
        "summary": [f"- {size_name(int(size))} triples: " + _summary_line(record)
                    for size, record in sizes.items()] or ["- Nothing measured yet."],
        "targets": [f"Judged at {size_name(SIZE)} triples.", "",
                    "| target | verdict | measured |", "|---|---|---|",
                    *(f"| {row['target']} | **{row['verdict']}** | {row['measured']} |"
                      for row in verdicts(results))],
        "machine": _machine(results["machine"]),
        "settings": _settings(settings),
        "data": _data(sizes),
        "build": build_table(sizes),
        "correctness": correctness_tables(sizes),
        "latency": _latency(results, plot, out),
        "throughput": throughput_tables(settings, sizes),
        "search": search_table(sizes),
        "notes": [f"- {size_name(int(size))}: {note}" for size, record in sizes.items()
                  for note in record.get("notes", [])] or ["- None."],
    }


def _run(results: dict) -> list[str]:
    lines = [f"This run: started {results['started']}" + (
        f", finished {results['finished']}." if results.get("finished") else ", still running.")]
    if results["settings"]["smoke"]:
        lines += ["", ("**Smoke run**: a tiny size with few requests, to prove the harness end "
                       "to end; the figures mean nothing.")]
    return lines


def _machine(info: dict) -> list[str]:
    commit = f"commit {info['commit']} of this repository" if info.get("commit") else \
        "commit unknown (not run from a git checkout)"
    return [(f"- CPU: {info['cpu']}, {info['cores']} cores; memory {info['memory_gib']} GiB; "
             f"{info['system']}; Python {info['python']}"),
            "- Packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()),
            f"- Oxigraph server binary: {info['oxigraph_binary']}",
            f"- Code: {commit}",
            f"- Load average when the run started: {info['load_average_at_start']}"]


def _settings(settings: dict) -> list[str]:
    seconds = {key: f"{settings[key]:g} s" for key in ("query_budget", "query_cap",
                                                      "throughput_seconds", "build_timeout")}
    values = {"sizes": ", ".join(size_name(s) for s in settings["sizes"]) + " synthetic triples",
              "seed": settings["seed"],
              "peers": ", ".join(LABELS[p] for p in settings["peers"]),
              "workers": settings["workers"], "repetitions": settings["repetitions"],
              "rdflib_repetitions": settings["rdflib_repetitions"],
              "query_budget": seconds["query_budget"], "query_cap": seconds["query_cap"],
              "clients": ", ".join(str(c) for c in settings["clients"]),
              "requests": settings["requests"],
              "throughput_seconds": seconds["throughput_seconds"],
              "build_timeout": seconds["build_timeout"]}
    return ["| setting | this run |", "|---|---|",
            *(f"| `{key}` | {value} |" for key, value in values.items())]


def _data(sizes: dict) -> list[str]:
    lines = [("| size | synthetic triples | graphs | documents | generated in | store quads (with "
              "the default-graph merge and inferred graph) | store from |"),
             "|---|---|---|---|---|---|---|"]
    for size, record in sizes.items():
        data = record.get("data", {})
        lines.append(f"| {size_name(int(size))} | {data.get('triples', '–')} | "
                     f"{data.get('graphs', '–')} | {data.get('documents', '–')} | "
                     f"{data.get('seconds', '–')} s | {record.get('store_quads', '–')} | "
                     f"{record.get('store_from', '–')} |")
    return lines


def _latency(results: dict, plot: Path | None, out: Path) -> list[str]:
    cap, lines = results["settings"]["query_cap"], []
    for size, record in results["sizes"].items():
        latency = record.get("latency")
        if not latency:
            continue
        peers = [p for p in PEERS if p in latency]
        head = " | ".join(f"{LABELS[p]} p50 | p95" for p in peers)
        lines += [f"### {size_name(int(size))} triples", "",
                  (f"| query | rows | {head} | ours/Oxigraph | rdflib-endpoint/ours | "
                   "ours/pyoxigraph |"),
                  "|---|---|" + "---|---|" * len(peers) + "---|---|---|"]
        for slug in record["answers"]:
            rows = record["answers"][slug].get("pyoxigraph", {}).get("rows", "–")
            cells = " | ".join(f"{_cell(latency[p].get(slug), 'p50')} | "
                               f"{_cell(latency[p].get(slug), 'p95')}" for p in peers)
            ours = p50(record, "sozialgraph", slug)
            rdflib = f"> {cap / ours:.0f}" if ours and timed_out(
                record, "rdflib-endpoint", slug) else ratio(p50(record, "rdflib-endpoint",
                                                                slug), ours)
            lines.append(f"| {slug} | {rows} | {cells} | "
                         f"{ratio(ours, p50(record, 'oxigraph', slug))} | {rdflib} | "
                         f"{ratio(ours, p50(record, 'pyoxigraph', slug))} |")
        lines.append("")
    if plot is not None:
        lines += [f"![p50 per curated query]({os.path.relpath(plot, out.parent)})", ""]
    return lines[:-1] or ["No latency measured yet."]


def _cell(latency: dict | None, key: str) -> str:
    if latency is None:
        return "–"
    if "timeout" in latency:
        return "timeout"
    if "error" in latency:
        return "error"
    return ms(latency.get(key))


def _summary_line(record: dict) -> str:
    parts = []
    build = record.get("build")
    if build:
        parts.append(f"build {build['status']}" + (f" in {build['seconds']:.0f} s"
                                                  if build.get("seconds") else "") +
                     f", peak {(build.get('peak_mb') or 0) / 1024:.2f} GB")
    if "mismatches" in record:
        parts.append("answers matched" if not record["mismatches"] else
                     f"{len(record['mismatches'])} answer mismatches")
    latency = record.get("latency", {})
    if latency.get("sozialgraph") and latency.get("oxigraph"):
        ratios = []
        for slug in record["answers"]:
            ours, theirs = p50(record, "sozialgraph", slug), p50(record, "oxigraph", slug)
            if ours and theirs:
                ratios.append(ours / theirs)
        if ratios:
            parts.append(f"median ours/Oxigraph p50 {statistics.median(ratios):.2f}x")
    ours = record.get("throughput", {}).get("sozialgraph", {}).get("runs", {})
    theirs = record.get("throughput", {}).get("oxigraph", {}).get("runs", {})
    if ours and theirs:
        top = max(ours, key=int)
        if top in theirs and theirs[top]["qps"]:
            parts.append(f"throughput at {top} clients ours/Oxigraph "
                         f"{ours[top]['qps'] / theirs[top]['qps']:.2f}x")
    return "; ".join(parts) or "not finished"
