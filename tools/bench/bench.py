"""The benchmark behind `sozialgraph bench`, `make bench` and docs/benchmarks.md.

One run, per size: synthetic data (sozialgraph_synth), a measured build of it (phases.py, the
build in a process of its own: build.py), then the same curated queries (queries/*.ttl) against
four peers (servers.py, clients.py):

- sozialgraph: `sozialgraph serve` (gunicorn, the documented production settings) over the
  build;
- oxigraph: the Oxigraph server of the `oxigraph` package (`oxigraph serve-read-only`) over a
  copy of the same store directory (its default graph holds the merge, as ours does);
- rdflib-endpoint: rdflib-endpoint under uvicorn over an rdflib Dataset of the same graphs,
  default graph the union (rdflib_peer.py);
- pyoxigraph: the same store opened read-only in a process of its own that times each query
  plus its JSON serialisation inside (inprocess.py): the floor.

Before anything is timed each query's answer is fetched from every peer and compared with the
in-process answer (answers.py). Then per-query latency and throughput (runner.py). Every loop is
bounded, every server listens on 127.0.0.1 only and is stopped at the end (its process group,
which the benchmark started). Results go to results.json in the work folder and into the
generated regions of the report (report.py, regions.py, tables.py, plot.py), rewritten after
every phase; the targets' numbers are in targets.toml (targets.py), the prose around the
figures is written by hand in docs/benchmarks.md.

This module is the entry point: prepare, run, render. Imports runner, report and environment.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sozialgraph_bench.config import Settings
from sozialgraph_bench.environment import checkout_report, default_report
from sozialgraph_bench.report import template, write_report
from sozialgraph_bench.runner import Bench


def report_path(out: Path | None) -> Path:
    """The report to write: `out`, or the checkout's docs/benchmarks.md. ValueError outside a
    checkout without `out`, or if the report to fill lacks its generated regions."""
    out = Path(out) if out is not None else default_report()
    template(out, checkout_report())
    return out


def prepare(settings: Settings) -> Settings:
    """The settings with the report's path resolved and checked, before anything is measured."""
    return replace(settings, out=report_path(settings.out))


def run(settings: Settings) -> dict:
    """Run the benchmark; write results.json, the report and the plot; return the results."""
    return Bench(prepare(settings)).run()


def render(results_file: Path, out: Path | None = None) -> dict:
    """Write the report (and plot) again from a run's results.json."""
    out = report_path(out)
    results = json.loads(Path(results_file).read_text(encoding="utf-8"))
    write_report(results, out)
    return results
