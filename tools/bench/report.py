"""The Markdown report: summary, targets (from tools/bench/targets.toml), machine, method, tables, and the hand-written findings kept from docs/benchmarks.md."""

from __future__ import annotations

import os
import statistics
import tomllib
from pathlib import Path

from sozialgraph_bench.config import LABELS, PEERS, size_name

# ---- the report -----------------------------------------------------------------------------------

def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds >= 10:
        return f"{seconds * 1000:,.0f}".replace(",", " ")
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f}"
    return f"{seconds * 1000:.2f}" if seconds < 0.01 else f"{seconds * 1000:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    value = a / b
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def _cell(latency: dict, key: str) -> str:
    if latency is None:
        return "–"
    if "timeout" in latency:
        return "timeout"
    if "error" in latency:
        return "error"
    return _ms(latency.get(key))


def _p50(record: dict, peer: str, slug: str) -> float | None:
    cell = record.get("latency", {}).get(peer, {}).get(slug)
    return None if cell is None else cell.get("p50")


def _timed_out(record: dict, peer: str, slug: str) -> bool:
    cell = record.get("latency", {}).get(peer, {}).get(slug)
    return bool(cell and "timeout" in cell)


def targets(results: dict) -> list[dict]:
    """The issue's targets, judged at 10^6 triples (or marked not evaluated)."""
    record = results["sizes"].get(str(TARGET_SIZE))
    cap = results["settings"]["query_cap"]
    rows = []

    def row(name: str, verdict: str | None, measured: str) -> None:
        rows.append({"target": name, "verdict": verdict or "not evaluated",
                     "measured": measured})

    if record is None:
        why = "no run at 10^6 triples" + (" (smoke run)" if results["settings"]["smoke"] else "")
        for name in TARGET_NAMES:
            row(name, None, why)
        return rows
    slugs = list(record.get("answers", {}))
    # 1. >= 10x faster than rdflib-endpoint (an rdflib-endpoint timeout counts as the cap)
    speedups, failed, neither = [], [], []
    for slug in slugs:
        ours = _p50(record, "sozialgraph", slug)
        theirs = cap if _timed_out(record, "rdflib-endpoint", slug) else \
            _p50(record, "rdflib-endpoint", slug)
        if ours is not None and theirs is not None:
            speedups.append((theirs / ours, slug))
        elif ours is None and theirs is not None:
            failed.append(slug)
        else:
            neither.append(slug)
    met = sum(1 for s, _ in speedups if s >= TARGETS["rdflib"]["min_speedup"])
    if speedups or failed:
        worst = f"; lowest rdflib-endpoint/ours {min(speedups)[0]:.1f}x ({min(speedups)[1]})" \
            if speedups else ""
        row(TARGET_NAMES[0], "met" if met == len(speedups) and not failed else "missed",
            f"{met} of {len(speedups) + len(failed)} comparable queries{worst}"
            + (f"; ours without an answer: {', '.join(failed)}" if failed else "")
            + (f"; neither answered: {', '.join(neither)}" if neither else ""))
    else:
        row(TARGET_NAMES[0], None, "not measured")
    # 2. <= 1.25x Oxigraph server (a query neither answers within the caps is not comparable)
    ratios, failed, neither = [], [], []
    for slug in slugs:
        ours, theirs = _p50(record, "sozialgraph", slug), _p50(record, "oxigraph", slug)
        if ours is not None and theirs:
            ratios.append((ours / theirs, slug))
        elif theirs:
            failed.append(slug)
        else:
            neither.append(slug)
    met = sum(1 for r, _ in ratios if r <= TARGETS["oxigraph"]["max_ratio"])
    if ratios or failed:
        worst = f"; highest ours/Oxigraph {max(ratios)[0]:.2f}x ({max(ratios)[1]})" \
            if ratios else ""
        row(TARGET_NAMES[1], "met" if met == len(ratios) and not failed else "missed",
            f"{met} of {len(ratios) + len(failed)} comparable queries{worst}"
            + (f"; ours without an answer: {', '.join(failed)}" if failed else "")
            + (f"; neither answered within the caps: {', '.join(neither)}" if neither else ""))
    else:
        row(TARGET_NAMES[1], None, "not measured")
    # 3. throughput at 8 clients
    tput = record.get("throughput", {})
    clients = str(TARGETS["throughput"]["clients"])
    ours = tput.get("sozialgraph", {}).get("runs", {}).get(clients, {}).get("qps")
    theirs = tput.get("oxigraph", {}).get("runs", {}).get(clients, {}).get("qps")
    if ours and theirs:
        row(TARGET_NAMES[2], "met" if ours >= TARGETS["throughput"]["min_ratio"] * theirs
            else "missed",
            f"{ours:.1f} vs {theirs:.1f} queries/s: {ours / theirs:.2f}x")
    else:
        row(TARGET_NAMES[2], None, "not measured")
    # 4. build
    build = record.get("build", {})
    seconds, peak = build.get("seconds"), build.get("peak_mb")
    if build.get("status") == "ok":
        bound = build.get("peak_bound_mb")
        limits = TARGETS["build"]
        row(TARGET_NAMES[3], "met" if seconds <= limits["max_seconds"]
            and peak <= limits["max_mb"] else "missed",
            f"{seconds:.0f} s, peak {peak / 1024:.2f} GB" + (
                f" (both processes, sampled; their own peaks added: {bound / 1024:.2f} GB)"
                if bound else ""))
    elif build:
        done = ", ".join(f"{s['stage']} {s['seconds']:.0f} s" for s in build.get("stages", [])
                         if s["stage"] != "start")
        row(TARGET_NAMES[3], "missed", f"the build {build.get('status')} after "
            f"{build.get('wall_seconds', 0):.0f} s (finished stages: {done or 'none'}); peak so "
            f"far {(build.get('peak_mb') or 0) / 1024:.2f} GB")
    else:
        row(TARGET_NAMES[3], None, "not measured")
    return rows


TARGETS = tomllib.loads((Path(__file__).with_name("targets.toml")).read_text(encoding="utf-8"))
TARGET_SIZE = TARGETS["size"]
TARGET_NAMES = tuple(TARGETS[key]["name"] for key in ("rdflib", "oxigraph", "throughput", "build"))
# The hand-written part of the report (what profiling found and what changed) lives in the
# report file itself, between these markers, and is kept when the report is written again.
FINDINGS_BEGIN, FINDINGS_END = "<!-- findings: written by hand, kept by the generator -->", \
    "<!-- /findings -->"


def render_report(results: dict, plot: Path | None, out: Path) -> str:
    settings, info = results["settings"], results["machine"]
    sizes = results["sizes"]
    lines = ["# Benchmarks", "",
             "Generated by `sozialgraph bench` (tools/bench/), except the findings under "
             "\"Profiling and changes\", which are written by hand and kept. Started "
             f"{results['started']}" + (f", finished {results['finished']}"
                                        if results.get("finished") else ", still running") + ".",
             ""]
    if settings["smoke"]:
        lines += [("**Smoke run**: a tiny size with few requests, to prove the harness end to "
                  "end; the figures mean nothing."), ""]

    lines += ["## Summary", ""]
    for size, record in sizes.items():
        lines.append(f"- {size_name(int(size))} triples: " + _summary_line(record))
    lines.append("")

    lines += ["## Targets", "",
              "Judged at 10^6 triples, as the issue sets them.", "",
              "| target | verdict | measured |", "|---|---|---|"]
    for row in targets(results):
        lines.append(f"| {row['target']} | **{row['verdict']}** | {row['measured']} |")
    lines.append("")

    lines += ["## Machine", "", (f"- CPU: {info['cpu']}, {info['cores']} cores; memory "
              f"{info['memory_gib']} GiB; {info['system']}; Python {info['python']}"),
              "- Packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()),
              f"- Oxigraph server binary: {info['oxigraph_binary']}",
              f"- Code: commit {info.get('commit') or 'unknown'} of this repository",
              (f"- Load average when the run started: {info['load_average_at_start']} (the "
              "machine is shared with other work; each peer is measured while the others idle)"),
              ""]

    lines += ["## Method", "", *_method(settings), ""]

    lines += ["## Data", "", ("| size | synthetic triples | graphs | documents | generated in | "
              "store quads (with the default-graph merge and inferred graph) | store from |"),
              "|---|---|---|---|---|---|---|"]
    for size, record in sizes.items():
        data = record.get("data", {})
        lines.append(f"| {size_name(int(size))} | {data.get('triples', '–')} | "
                     f"{data.get('graphs', '–')} | {data.get('documents', '–')} | "
                     f"{data.get('seconds', '–')} s | {record.get('store_quads', '–')} | "
                     f"{record.get('store_from', '–')} |")
    lines.append("")

    lines += ["## Build", "", ("`sozialgraph build` of the synthetic graphs (one file per named "
              "graph) with the project's ontology and shapes, in a process of its own. Peak: the "
              "process's resident-set high-water mark during the stage (reset as each stage "
              "begins). SHACL validation runs in a worker process of its own from the end of "
              "`entail` (the RDFS entailments it needs), beside inference and writing. The "
              "whole build's peak is the largest sum of both processes' resident sizes, "
              "sampled every 0.2 s."), "",
              "| size | stage | seconds | peak memory (MB) |", "|---|---|---|---|"]
    for size, record in sizes.items():
        build = record.get("build")
        if not build:
            continue
        for stage in build["stages"]:
            name = "interpreter and imports" if stage["stage"] == "start" else stage["stage"]
            if name == "validate":
                name = "validate (waiting for the validation process)"
            lines.append(f"| {size_name(int(size))} | {name} | {stage['seconds']:.1f} | "
                         f"{stage['peak_mb']:.0f} |")
        validator = (build.get("timings") or {}).get("validator")
        if validator is not None and build.get("validator_peak_mb"):
            lines.append(f"| {size_name(int(size))} | validation process (SHACL, a worker "
                         f"beside infer and write) | {validator:.1f} | "
                         f"{build['validator_peak_mb']:.0f} |")
        total = f"{build['seconds']:.1f}" if build.get("seconds") else \
            f"{build['status']} after {build['wall_seconds']:.0f}"
        lines.append(f"| {size_name(int(size))} | **whole build** | **{total}** | "
                     f"**{build['peak_mb'] or 0:.0f}** |")
        if build.get("peak_bound_mb"):
            lines.append(f"| {size_name(int(size))} | whole build, the two processes' own "
                         f"peaks added (an upper bound) | | {build['peak_bound_mb']:.0f} |")
    lines.append("")

    lines += ["## Correctness", "", ("Each query's answer from each peer against pyoxigraph in "
              "process (rows compared as a multiset; blank-node labels, xsd:string and numeric "
              "lexical forms normalised). Cells: rows, and ✓ when the answer matched; ≈ when "
              "it matched once the two things SPARQL leaves to the engine were made equal: the "
              "order of GROUP_CONCAT's parts and whether its result keeps a language tag all "
              "parts share (Oxigraph keeps it, rdflib drops it)."), ""]
    for size, record in sizes.items():
        if "answers" not in record:
            continue
        peers = _peers_of(record["answers"])
        lines += [f"### {size_name(int(size))} triples", "",
                  "| query | " + " | ".join(LABELS[p] for p in peers) + " |",
                  "|---|" + "---|" * len(peers)]
        for slug, row in record["answers"].items():
            cells = []
            for peer in peers:
                cell = row.get(peer, {})
                if "rows" not in cell:
                    cells.append("timeout" if cell.get("timeout") else "error")
                else:
                    verdict = cell.get("match")
                    mark = "✓" if verdict in ("match", "reference") else "≈" if \
                        verdict == "loose" else f"**MISMATCH: " \
                        f"{verdict}**"
                    cells.append(f"{cell['rows']} {mark}")
            lines.append(f"| {slug} | " + " | ".join(cells) + " |")
        mismatches = record.get("mismatches", [])
        lines += ["", "All answers matched." if not mismatches else
                  f"**{len(mismatches)} mismatches**: " + ", ".join(f"{s} ({p})"
                                                                    for s, p in mismatches), ""]

    lines += ["## Latency", "", ("Milliseconds per request, sequential, one keep-alive connection "
              "(pyoxigraph: in process, no HTTP). Ratios of p50: ours/Oxigraph (≤ 1.25 is the "
              "target), rdflib-endpoint/ours (≥ 10 is the target), and ours/pyoxigraph: what "
              "our server adds to the engine it embeds (pyoxigraph's own time is measured "
              "inside its process, without HTTP)."), ""]
    for size, record in sizes.items():
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
            ours = _p50(record, "sozialgraph", slug)
            rdf = f"> {settings['query_cap'] / ours:.0f}" if ours and _timed_out(
                record, "rdflib-endpoint", slug) else _ratio(_p50(record, "rdflib-endpoint",
                                                                  slug), ours)
            lines.append(f"| {slug} | {rows} | {cells} | "
                         f"{_ratio(ours, _p50(record, 'oxigraph', slug))} | {rdf} | "
                         f"{_ratio(ours, _p50(record, 'pyoxigraph', slug))} |")
        lines.append("")
    if plot is not None:
        lines += [f"![p50 per curated query]({os.path.relpath(plot, out.parent)})", ""]

    lines += ["## Throughput", "", ("Queries per second with N client threads, each on its own "
              "keep-alive connection, cycling the mix of curated queries (bounded by "
              f"{settings['requests']} requests or {settings['throughput_seconds']:g} s per run, "
              "whichever comes first)."), ""]
    for size, record in sizes.items():
        tput = record.get("throughput")
        if not tput:
            continue
        peers = [p for p in PEERS if p in tput]
        lines += [f"### {size_name(int(size))} triples", "",
                  "| clients | " + " | ".join(f"{LABELS[p]} q/s" for p in peers) +
                  " | ours/Oxigraph | ours/pyoxigraph |", "|---|" + "---|" * len(peers) +
                  "---|---|"]
        for count in [str(c) for c in settings["clients"]]:
            cells, values = [], {}
            for peer in peers:
                run = tput[peer]["runs"].get(count)
                if run is None:
                    cells.append("–")
                    continue
                values[peer] = run["qps"]
                extra = []
                if run["errors"] or run["timeouts"]:
                    extra.append(f"{run['errors']} errors, {run['timeouts']} timeouts")
                if run["stopped_by"] == "time":
                    extra.append(f"{run['completed']} in {run['seconds']:.0f} s")
                cells.append(f"{run['qps']:.1f}" + (f" ({'; '.join(extra)})" if extra else ""))
            lines.append(f"| {count} | " + " | ".join(cells) + " | "
                         f"{_ratio(values.get('sozialgraph'), values.get('oxigraph'))} | "
                         f"{_ratio(values.get('sozialgraph'), values.get('pyoxigraph'))} |")
        short = {p: t["mix"] for p, t in tput.items() if len(t["mix"]) < len(record["answers"])}
        for peer, mix in short.items():
            lines.append("")
            lines.append(f"{LABELS[peer]}'s mix leaves out the queries it could not answer "
                         f"within the cap (it holds {len(mix)} of the {len(record['answers'])} "
                         "queries), so its figure is not comparable with the others'.")
        lines.append("")

    lines += ["## Profiling and changes", "", FINDINGS_BEGIN, *kept_findings(out),
              FINDINGS_END, ""]

    lines += ["## Notes", ""]
    notes = [f"{size_name(int(size))}: {note}" for size, record in sizes.items()
             for note in record.get("notes", [])]
    lines += [f"- {note}" for note in notes] or ["- None."]
    lines.append("")
    return "\n".join(lines)


def _peers_of(answers: dict) -> list[str]:
    seen = {peer for row in answers.values() for peer in row}
    return [p for p in PEERS if p in seen]


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
        ratios = [r for r in (_ratio_value(record, s) for s in record["answers"]) if r]
        if ratios:
            parts.append(f"median ours/Oxigraph p50 {statistics.median(ratios):.2f}x")
    tput = record.get("throughput", {})
    ours = tput.get("sozialgraph", {}).get("runs", {})
    theirs = tput.get("oxigraph", {}).get("runs", {})
    if ours and theirs:
        top = max(ours, key=int)
        if top in theirs and theirs[top]["qps"]:
            parts.append(f"throughput at {top} clients ours/Oxigraph "
                         f"{ours[top]['qps'] / theirs[top]['qps']:.2f}x")
    return "; ".join(parts) or "not finished"


def _ratio_value(record: dict, slug: str) -> float | None:
    ours, theirs = _p50(record, "sozialgraph", slug), _p50(record, "oxigraph", slug)
    return ours / theirs if ours and theirs else None


def _method(settings: dict) -> list[str]:
    return [
        (f"- Sizes: {', '.join(size_name(s) for s in settings['sizes'])} synthetic triples "
        f"(tools/synth/synth.py, seed {settings['seed']}), plus the ontology. 10^7 is not in the "
        "default run: the build holds about 3.8 GB at 10^6 and grows in proportion (about "
        "38 GB at 10^7, over this machine's 24 GB); `--sizes 1e7` runs it where memory "
        "allows."),
        ("- Queries: every curated query of queries/ (SELECT and ASK), as written, with their "
        "own PREFIX lines; answers as SPARQL 1.1 JSON results (`Accept: "
        "application/sparql-results+json`), by POST with a form-encoded `query`."),
        (f"- This endpoint: `sozialgraph serve --workers {settings['workers']}` (gunicorn, the "
        "documented production settings: threaded workers with 4 request threads and 2 query "
        "worker processes per web process, 30 s query limit, read-only store) over the build's "
        "store."),
        ("- Oxigraph server: `oxigraph serve-read-only` of the `oxigraph` package over a copy of "
        "the same store directory; queries without GRAPH read the stored merge in the default "
        "graph, as ours do."),
        ("- rdflib-endpoint: its FastAPI app under uvicorn (one process), over an rdflib Dataset "
        "holding the same named graphs, default graph = their union (tools/bench/rdflib_peer.py)."),
        ("- pyoxigraph: the same store opened read-only in a process of the benchmark's "
         "(tools/bench/inprocess.py); each request evaluates the query and writes SPARQL JSON, "
         "timed inside that process (no HTTP, no pipe): the floor. Its throughput threads run "
         "in that process too; it is stopped and restarted when a query passes the cap."),
        (f"- Latency: after the answer check (which also warms every peer up), each query is sent "
        f"{settings['repetitions']} times in a row ({settings['rdflib_repetitions']} for "
        f"rdflib-endpoint), or until {settings['query_budget']:g} s have passed on that query "
        "(at least 3 times); p50 and p95 are nearest-rank percentiles of those requests, "
        "measured by the client (request sent to last byte read)."),
        (f"- A request without an answer after {settings['query_cap']:g} s counts as a timeout; "
        "that query is then left out for that peer, and a server still busy with it (rdflib "
        "cannot stop a query) is restarted."),
        (f"- Throughput: {', '.join(str(c) for c in settings['clients'])} client threads; each "
        "peer is measured alone, the others idle."),
        ("- Build: stage times from the build's own timer; memory per stage as said under Build. "
        f"Time limit {settings['build_timeout']:g} s."),
    ]


def kept_findings(out: Path) -> list[str]:
    """The hand-written findings of the report at `out` (between the markers), if any."""
    text = out.read_text(encoding="utf-8") if out.is_file() else ""
    if FINDINGS_BEGIN in text and FINDINGS_END in text:
        kept = text.split(FINDINGS_BEGIN, 1)[1].split(FINDINGS_END, 1)[0].strip("\n")
        return kept.split("\n")
    return ["(No findings written yet: write them here, between the markers; the next run of "
            "the benchmark keeps them.)"]
