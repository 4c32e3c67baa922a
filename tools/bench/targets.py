"""The targets' verdicts: each target of tools/bench/targets.toml judged on a run's results at
the targets' size (or marked not evaluated). Imports config and figures."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from sozialgraph_bench.config import size_name
from sozialgraph_bench.figures import p50, qps, timed_out

TARGETS = tomllib.loads(Path(__file__).with_name("targets.toml").read_text(encoding="utf-8"))
SIZE: int = TARGETS["size"]
KEYS = ("rdflib", "oxigraph", "throughput", "build", "search")
NAMES = tuple(TARGETS[key]["name"].format(**TARGETS[key]) for key in KEYS)


def verdicts(results: dict) -> list[dict]:
    """One row per target: its name, "met", "missed" or "not evaluated", what was measured."""
    record = results["sizes"].get(str(SIZE))
    if record is None:
        why = f"no run at {size_name(SIZE)} triples" + (
            " (smoke run)" if results["settings"]["smoke"] else "")
        return [_row(name, None, why) for name in NAMES]
    cap = results["settings"]["query_cap"]
    rdflib, oxigraph = TARGETS["rdflib"], TARGETS["oxigraph"]
    return [
        # an rdflib-endpoint timeout counts as the cap; for Oxigraph, a query neither answers
        # within the caps is not comparable
        _latency(NAMES[0], record, "rdflib-endpoint", cap, lambda ours, theirs: theirs / ours,
                 lambda value: value >= rdflib["min_speedup"], min,
                 "lowest rdflib-endpoint/ours {:.1f}x", "neither answered"),
        _latency(NAMES[1], record, "oxigraph", None, lambda ours, theirs: ours / theirs,
                 lambda value: value <= oxigraph["max_ratio"], max,
                 "highest ours/Oxigraph {:.2f}x", "neither answered within the caps"),
        _throughput(NAMES[2], record),
        _build(NAMES[3], record),
        _search(NAMES[4], record),
    ]


def _row(name: str, verdict: str | None, measured: str) -> dict:
    return {"target": name, "verdict": verdict or "not evaluated", "measured": measured}


def _latency(name: str, record: dict, peer: str, cap: float | None,
             value_of: Callable[[float, float], float], good: Callable[[float], bool],
             worst_of: Callable, worst_text: str, neither_text: str) -> dict:
    """A per-query p50 target: `value_of(ours, theirs)` judged by `good` for every query both
    answered; a query only `peer` answered counts as missed."""
    values, failed, neither = [], [], []
    for slug in record.get("answers", {}):
        ours = p50(record, "sozialgraph", slug)
        theirs = cap if cap is not None and timed_out(record, peer, slug) else \
            p50(record, peer, slug)
        if ours and theirs:
            values.append((value_of(ours, theirs), slug))
        elif theirs:
            failed.append(slug)
        else:
            neither.append(slug)
    if not values and not failed:
        return _row(name, None, "not measured")
    met = sum(1 for value, _ in values if good(value))
    worst = "; " + worst_text.format(worst_of(values)[0]) + f" ({worst_of(values)[1]})" \
        if values else ""
    return _row(name, "met" if met == len(values) and not failed else "missed",
                f"{met} of {len(values) + len(failed)} comparable queries{worst}"
                + (f"; ours without an answer: {', '.join(failed)}" if failed else "")
                + (f"; {neither_text}: {', '.join(neither)}" if neither else ""))


def _throughput(name: str, record: dict) -> dict:
    limits = TARGETS["throughput"]
    ours = qps(record, "sozialgraph", str(limits["clients"]))
    theirs = qps(record, "oxigraph", str(limits["clients"]))
    if not (ours and theirs):
        return _row(name, None, "not measured")
    return _row(name, "met" if ours >= limits["min_ratio"] * theirs else "missed",
                f"{ours:.1f} vs {theirs:.1f} queries/s: {ours / theirs:.2f}x")


def _build(name: str, record: dict) -> dict:
    limits, build = TARGETS["build"], record.get("build", {})
    if not build:
        return _row(name, None, "not measured")
    peak = build.get("peak_mb") or 0
    if build.get("status") != "ok":
        done = ", ".join(f"{s['stage']} {s['seconds']:.0f} s" for s in build.get("stages", [])
                         if s["stage"] != "start")
        return _row(name, "missed", f"the build {build.get('status')} after "
                    f"{build.get('wall_seconds', 0):.0f} s (finished stages: {done or 'none'}); "
                    f"peak so far {peak / 1024:.2f} GB")
    seconds, bound = build["seconds"], build.get("peak_bound_mb")
    met = seconds <= limits["max_seconds"] and peak <= limits["max_gb"] * 1024
    return _row(name, "met" if met else "missed", f"{seconds:.0f} s, peak {peak / 1024:.2f} GB"
                + (f" (both processes, sampled; their own peaks added: {bound / 1024:.2f} GB)"
                   if bound else ""))


def _search(name: str, record: dict) -> dict:
    timing = (record.get("search") or {}).get("timing") or {}
    if timing.get("p95") is None:
        return _row(name, None, "not measured")
    p95 = timing["p95"]
    return _row(name, "met" if p95 * 1000 <= TARGETS["search"]["max_p95_ms"] else "missed",
                f"p95 {p95 * 1000:.1f} ms over {timing['requests']} requests")
