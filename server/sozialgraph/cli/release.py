"""`sozialgraph release X.Y.Z`: a citable release of the current build (sozialgraph.release)."""

from __future__ import annotations

from pathlib import Path

import click

from sozialgraph import settings as config
from sozialgraph.cli.options import fail, setting_option, store_option
from sozialgraph.rdf.parse import RDFSyntaxError
from sozialgraph.release.catalogue import folder
from sozialgraph.release.write import ReleaseError, make_release


@click.command("release")
@click.argument("version")
@store_option
@setting_option("RELEASES_PATH", "dist", type=click.Path(path_type=Path, file_okay=False))
@click.option("--previous", default="auto", show_default=True,
              help="The release to compare with: a version, `auto` (the latest older one in the "
                   "releases folder) or `none` (a first release).")
@click.option("--issued", metavar="YYYY-MM-DD", help="Release date [default: today].")
@click.option("--ontology", type=click.Path(path_type=Path, dir_okay=False),
              help="Ontology file the store was built from [default: ontology/sozialgraph.ttl].")
@click.option("--shapes", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of SHACL shapes, *.ttl [default: shapes/].")
def release_command(version, store, dist, previous, issued, ontology, shapes):
    """Write release VERSION (X.Y.Z) of the built store to the releases folder.

    The release holds the dataset as TriG and N-Quads, every graph as Turtle, the ontology and
    the shapes, SHA-256 checksums, a DCAT and VoID description with version IRIs and the previous
    version, a changelog against the previous release and CITATION.cff. Build first: a store
    built from another ontology is refused. An existing release is never overwritten (exit 2).
    """
    if issued is not None:
        try:
            from datetime import date
            date.fromisoformat(issued)
        except ValueError:
            fail(f"--issued must be a date YYYY-MM-DD, not {issued!r}")
    shape_files = sorted(Path(shapes or config.SHAPES_DIR).glob("*.ttl"))
    try:
        manifest = make_release(version, Path(store), Path(dist),
                                ontology or config.ONTOLOGY_DIR / "sozialgraph.ttl",
                                shape_files, None if previous == "none" else previous, issued)
    except (ReleaseError, RDFSyntaxError, ValueError, FileNotFoundError, OSError) as error:
        fail(str(error))
    summary = manifest["summary"]
    since = f" since {manifest['previous']}" if manifest["previous"] else " (first release)"
    click.echo(f"released {manifest['version']} in {folder(Path(dist), manifest['version'])}: "
               f"{len(manifest['files'])} files, {summary['triples']} quads{since}: "
               f"{summary['added']} entities added, {summary['changed']} changed, "
               f"{summary['withdrawn']} withdrawn; {summary['triples_added']} triples added, "
               f"{summary['triples_removed']} removed")
