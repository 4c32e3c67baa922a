"""The report's larger tables, per size: the build's stages, each peer's answers against the
reference, and throughput. Imports config and figures."""

from __future__ import annotations

from sozialgraph_bench.config import LABELS, PEERS, size_name
from sozialgraph_bench.figures import ratio


def build_table(sizes: dict) -> list[str]:
    lines = ["| size | stage | seconds | peak memory (MB) |", "|---|---|---|---|"]
    for size, record in sizes.items():
        build, name = record.get("build"), size_name(int(size))
        if not build:
            continue
        for stage in build["stages"]:
            label = {"start": "interpreter and imports",
                     "validate": "validate (waiting for the validation process)"
                     }.get(stage["stage"], stage["stage"])
            lines.append(f"| {name} | {label} | {stage['seconds']:.1f} | "
                         f"{stage['peak_mb']:.0f} |")
        validator = (build.get("timings") or {}).get("validator")
        if validator is not None and build.get("validator_peak_mb"):
            lines.append(f"| {name} | validation process (SHACL, a worker beside infer and "
                         f"write) | {validator:.1f} | {build['validator_peak_mb']:.0f} |")
        total = f"{build['seconds']:.1f}" if build.get("seconds") else \
            f"{build['status']} after {build['wall_seconds']:.0f}"
        lines.append(f"| {name} | **whole build** | **{total}** | "
                     f"**{build['peak_mb'] or 0:.0f}** |")
        if build.get("peak_bound_mb"):
            lines.append(f"| {name} | whole build, the two processes' own peaks added (an upper "
                         f"bound) | | {build['peak_bound_mb']:.0f} |")
    return lines


def correctness_tables(sizes: dict) -> list[str]:
    lines: list[str] = []
    for size, record in sizes.items():
        if "answers" not in record:
            continue
        seen = {peer for row in record["answers"].values() for peer in row}
        peers = [p for p in PEERS if p in seen]
        lines += [f"### {size_name(int(size))} triples", "",
                  "| query | " + " | ".join(LABELS[p] for p in peers) + " |",
                  "|---|" + "---|" * len(peers)]
        for slug, row in record["answers"].items():
            lines.append(f"| {slug} | " + " | ".join(_answer_cell(row.get(peer, {}))
                                                       for peer in peers) + " |")
        mismatches = record.get("mismatches", [])
        lines += ["", "All answers matched." if not mismatches else
                  f"**{len(mismatches)} mismatches**: " + ", ".join(f"{s} ({p})"
                                                                    for s, p in mismatches), ""]
    return lines[:-1] or ["No answers compared yet."]


def _answer_cell(cell: dict) -> str:
    """Rows, and ✓ (matched), ≈ (matched loosely) or the mismatch."""
    if "rows" not in cell:
        return "timeout" if cell.get("timeout") else "error"
    verdict = cell.get("match")
    mark = "✓" if verdict in ("match", "reference") else "≈" if verdict == "loose" else \
        f"**MISMATCH: {verdict}**"
    return f"{cell['rows']} {mark}"


def throughput_tables(settings: dict, sizes: dict) -> list[str]:
    lines: list[str] = []
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
            runs = {peer: tput[peer]["runs"].get(count) for peer in peers}
            values = {peer: run["qps"] for peer, run in runs.items() if run is not None}
            lines.append(f"| {count} | " + " | ".join(_run_cell(run) for run in runs.values())
                         + f" | {ratio(values.get('sozialgraph'), values.get('oxigraph'))} | "
                         f"{ratio(values.get('sozialgraph'), values.get('pyoxigraph'))} |")
        for peer, measured in tput.items():
            if len(measured["mix"]) < len(record["answers"]):
                lines += ["", (f"{LABELS[peer]}'s mix leaves out the queries it could not "
                               f"answer within the cap (it holds {len(measured['mix'])} of the "
                               f"{len(record['answers'])} queries), so its figure is not "
                               "comparable with the others'.")]
        lines.append("")
    return lines[:-1] or ["No throughput measured yet."]


def _run_cell(run: dict | None) -> str:
    if run is None:
        return "–"
    extra = []
    if run["errors"] or run["timeouts"]:
        extra.append(f"{run['errors']} errors, {run['timeouts']} timeouts")
    if run["stopped_by"] == "time":
        extra.append(f"{run['completed']} in {run['seconds']:.0f} s")
    return f"{run['qps']:.1f}" + (f" ({'; '.join(extra)})" if extra else "")
