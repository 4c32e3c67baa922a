"""`sozialgraph synth`: deterministic synthetic data shaped like the real graph, registered
through the entry-point group `sozialgraph.commands` (tools/pyproject.toml). It only parses
options and calls synth.generate; it imports sozialgraph.cli.options for the exit codes."""

from __future__ import annotations

from pathlib import Path

import click

from sozialgraph.cli.options import fail


@click.command("synth")
@click.option("--triples", "-n", required=True, type=float,
              help="About how many triples to write (e.g. 1e6; met within 2 %).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Output folder: empty, missing, or an earlier output of this command.")
def synth_command(triples, seed, out_dir):
    """Write deterministic synthetic data shaped like the real graph (for benchmarks): one
    N-Quads file of named graphs, the synthetic source texts and a manifest.json."""
    from sozialgraph_synth.synth import generate

    if triples != int(triples) or triples < 1:
        fail(f"--triples must be a positive whole number, not {triples:g}")
    try:
        report = generate(int(triples), seed, out_dir)
    except (ValueError, OSError) as error:
        fail(str(error))
    click.echo(f"{report.triples} triples ({report.requested_triples} asked for, seed "
               f"{report.seed}) in {len(report.graphs)} graphs, {report.documents} documents, "
               f"{report.seconds:.1f} s")
    click.echo(f"data:     {report.data_file}")
    click.echo(f"manifest: {report.manifest}")
