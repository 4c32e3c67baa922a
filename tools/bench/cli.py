"""`sozialgraph bench`: the benchmark against Oxigraph's server, rdflib-endpoint and
pyoxigraph, registered through the entry-point group `sozialgraph.commands`
(tools/pyproject.toml); the shipped package never imports it. It only parses options and calls
bench (run, render) and config; it imports sozialgraph.cli.options for the exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sozialgraph.cli.options import FAILED, fail


@click.command("bench")
@click.option("--sizes", default="1e5,1e6", show_default=True,
              help="Comma-separated triple counts of synthetic data.")
@click.option("--clients", default="1,4,8", show_default=True,
              help="Comma-separated client thread counts for the throughput runs.")
@click.option("--requests", default=400, show_default=True, type=click.IntRange(min=1),
              help="Requests per throughput run (one peer, one client count).")
@click.option("--repetitions", default=20, show_default=True, type=click.IntRange(min=1),
              help="Timed requests per query and peer for the latency figures.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Markdown report; the plot is written beside it as .svg. Its prose is kept, "
              "its generated regions are replaced [default: docs/benchmarks.md of the checkout].")
@click.option("--work", "work_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Keep data, stores and logs here [default: a temporary folder, removed].")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--peers", default="sozialgraph,oxigraph,rdflib-endpoint,pyoxigraph",
              show_default=True,
              help="Comma-separated peers to measure.")
@click.option("--build-timeout", default=1800.0, show_default=True, type=float,
              help="Seconds the measured build may take per size.")
@click.option("--smoke", is_flag=True, help="A tiny run that proves the harness end to end "
              "(one small size, few clients and requests); the figures mean nothing.")
@click.option("--render", "results_file", type=click.Path(path_type=Path, dir_okay=False,
                                                          exists=True),
              help="Only write the report again from a run's results.json (in --work).")
def bench_command(sizes, clients, requests, repetitions, out, work_dir, seed, peers,
                  build_timeout, smoke, results_file):
    """Benchmark this endpoint against Oxigraph's server, rdflib-endpoint and pyoxigraph in
    process on synthetic data: answers compared, per-query latency, throughput, build stages.
    Writes a Markdown report (and an SVG plot) into the generated regions of the report, keeping
    the prose around them. Needs the developer tools: pip install -e ./tools."""
    from sozialgraph_bench import bench
    from sozialgraph_bench.config import PEERS, Settings, parse_ints, parse_sizes

    try:
        if results_file is not None:
            out = bench.report_path(out)
            bench.render(results_file, out)
            click.echo(f"report: {out}")
            return
        chosen = tuple(p.strip() for p in peers.split(",") if p.strip())
        unknown = [p for p in chosen if p not in PEERS]
        if unknown:
            raise ValueError(f"unknown peers {unknown}; known: {', '.join(PEERS)}")
        options = {"peers": chosen, "out": out, "work_dir": work_dir, "seed": seed}
        if smoke:
            settings = Settings.for_smoke(**options)
        else:
            settings = Settings(sizes=parse_sizes(sizes), clients=parse_ints(clients),
                                requests=requests, repetitions=repetitions,
                                build_timeout=build_timeout, **options)
        settings = bench.prepare(settings)
    except ValueError as error:
        fail(str(error))
    results = bench.run(settings)
    click.echo(f"report: {settings.out}")
    mismatches = sum(len(r.get("mismatches", [])) for r in results["sizes"].values())
    if mismatches:
        click.echo(f"warning: {mismatches} answers differed between peers (see the report)",
                   err=True)
        sys.exit(FAILED)
