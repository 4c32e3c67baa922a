"""`sozialgraph conformance`: every W3C suite against this project and the references, the
counts written into docs/conformance.md's generated regions (the prose stays as written).
Imports click and the harness's modules."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from sozialgraph_w3c import report, suites
from sozialgraph_w3c.run import run_all


@click.command("conformance")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The Markdown file whose generated regions get the counts "
              "(docs/conformance.md).")
@click.option("--work", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the stores and server logs [default: a temporary folder].")
def conformance_command(out, work):
    """Run the W3C SPARQL and SHACL suites (from $SOZIALGRAPH_W3C, else ../shared/w3c beside
    the checkout) through this endpoint, sozialgraph validate, Oxigraph's server and pySHACL,
    and write the counts, policy refusals and failures into OUT. Exit 2 if the suites are
    absent or OUT lacks the regions."""
    missing = suites.missing_reason(*suites.SYNTAX_FOLDERS, suites.PROTOCOL_FOLDER,
                                    *suites.EVALUATION_FOLDERS, suites.SHACL_CORE,
                                    suites.SHACL_SPARQL)
    if missing:
        click.echo(f"error: {missing}", err=True)
        sys.exit(2)
    try:
        report.regions.check(out.read_text(encoding="utf-8"), report.REGIONS, str(out))
    except (OSError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    with tempfile.TemporaryDirectory(prefix="w3c-") as scratch:
        folder = Path(work or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run = run_all(folder)
    report.write(run, out)
    click.echo(f"wrote {out} ({run.seconds:.0f} s)")
