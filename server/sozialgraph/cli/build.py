"""`sozialgraph build` and `sozialgraph validate`: the pipeline and the SHACL check, from the
command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sozialgraph import settings as config
from sozialgraph.cli.options import FAILED, OK, fail, store_option
from sozialgraph.pipeline.build import VALIDATORS, BuildError, ValidationFailed, build
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.parse import RDFSyntaxError
from sozialgraph.validation.engine import ValidationError, load_shapes
from sozialgraph.validation.engine import validate as run_validation
from sozialgraph.validation.report import render_json, render_text, render_turtle


@click.command("build")
@store_option
@click.option("--ontology", type=click.Path(path_type=Path, dir_okay=False),
              help="Ontology file [default: ontology/sozialgraph.ttl].")
@click.option("--graphs", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of data graphs, one named graph per *.ttl [default: graphs/].")
@click.option("--shapes", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of SHACL shapes, *.ttl [default: shapes/].")
@click.option("--validator", type=click.Choice(VALIDATORS), default="turbo", show_default=True,
              help="SHACL engine: pyshacl-turbo (fast; `validate` and the validation service "
                   "use it too), or pySHACL, the reference it is proven against.")
@click.option("-q", "--quiet", is_flag=True, help="Print the summary only.")
def build_command(store, ontology, graphs, shapes, validator, quiet):
    """Parse, validate, infer and write the store, then swap it in.

    A syntax error (exit 2) or a SHACL violation (exit 1, the report is printed) stops the build
    and leaves the existing store as it was.
    """
    progress = (lambda _: None) if quiet else (lambda line: click.echo(line, err=True))
    try:
        report = build(store, ontology_file=ontology, graphs_dir=graphs, shapes_dir=shapes,
                       validator=validator, progress=progress)
    except ValidationFailed as failure:
        click.echo(failure.result.text(), err=True)
        fail("build stopped: the data violates the shapes; the store is unchanged", FAILED)
    except (BuildError, RDFSyntaxError, OSError) as error:
        fail(f"build stopped: {error}")
    click.echo(report.summary())


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--shapes", "shape_files", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Shapes file (repeatable) [default: the project's shapes/*.ttl].")
@click.option("--ontology", type=click.Path(path_type=Path, dir_okay=False),
              help="Ontology file [default: ontology/sozialgraph.ttl].")
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True, help="Report format.")
@click.option("--allow-warnings", is_flag=True, help="The build's policy: results of severity "
              "Warning or Info are reported but do not fail (exit 0). Without it the verdict is "
              "SHACL's: any result means the data do not conform.")
def validate_command(files, shape_files, ontology, fmt, allow_warnings):
    """Validate RDF files (default: the project's graphs) against the SHACL shapes.

    FILES may be Turtle, TriG, N-Triples, N-Quads, RDF/XML or JSON-LD. The ontology is added to
    the data, as the build does. Exit 0 conforms, 1 does not (any result; with --allow-warnings
    only violations), 2 could not load or run.
    """
    data_files = list(files) or sorted(config.GRAPHS_DIR.glob("*.ttl"))
    try:
        data = set().union(*(ntriples.read(p) for p in data_files))
        shapes = load_shapes(list(shape_files) if shape_files else None)
        ontology_triples = ntriples.read(ontology or config.ONTOLOGY_DIR / "sozialgraph.ttl")
        result = run_validation(data, shapes, ontology_triples, allow_warnings=allow_warnings)
    except (RDFSyntaxError, ValidationError, OSError) as error:
        fail(str(error))
    render = {"text": render_text, "turtle": render_turtle, "json": render_json}[fmt]
    click.echo(render(result.report), nl=False)
    sys.exit(OK if result.conforms else FAILED)
