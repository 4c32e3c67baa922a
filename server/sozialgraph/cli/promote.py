"""`sozialgraph promote ID`: a reviewed draft becomes a curated graph in graphs/ (its
source in graphs/sources.ttl, accepted new actors and concepts in actors.ttl and
vocabularies.ttl), after the build's checks; sozialgraph.review.promote says what it keeps."""

from __future__ import annotations

from pathlib import Path

import click

from sozialgraph import settings as config
from sozialgraph.cli.options import FAILED, fail, setting_option
from sozialgraph.review.draft import draft_file, drafts_folder, valid_id
from sozialgraph.review.promote import Project, PromotionError, PromotionRefused, promote


@click.command("promote")
@click.argument("draft_id", metavar="ID")
@setting_option("DRAFTS_PATH", "drafts", type=click.Path(path_type=Path, file_okay=False))
@click.option("--ontology", type=click.Path(path_type=Path, dir_okay=False),
              help="Ontology file [default: ontology/sozialgraph.ttl].")
@click.option("--graphs", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of the curated graphs to promote into [default: graphs/].")
@click.option("--shapes", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of SHACL shapes [default: shapes/].")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
def promote_command(draft_id, drafts, ontology, graphs, shapes, dry_run):
    """Turn the reviewed draft ID (ID.ttl in the drafts folder) into graphs/<slug>.ttl.

    Keeps the statements not marked `sg:reviewDecision sg:Rejected` (or deleted), drops the
    extraction metadata, adds accepted proposed actors and concepts to the shared graphs,
    the source to graphs/sources.ttl, and sg:statedBy, sg:pledgedBy and sg:Increase where
    the model asks for them. Then the build's parse and SHACL validation (violations refuse,
    warnings do not) and the quote check against the corpus text run on the result. Exit 0
    promoted, 1 refused (nothing changed), 2 could not run.
    """
    if not valid_id(draft_id):
        fail(f"the draft id must be a lower-case slug (a-z, 0-9, hyphens): {draft_id!r}")
    folder = drafts_folder(drafts)
    path = draft_file(folder, draft_id)
    if path is None:
        fail(f"no draft {draft_id}.ttl in the drafts folder {folder}")
    project = Project(Path(ontology or config.ONTOLOGY_DIR / "sozialgraph.ttl"),
                      Path(graphs or config.GRAPHS_DIR), Path(shapes or config.SHAPES_DIR))
    try:
        result = promote(path, project, write=not dry_run)
    except PromotionError as error:
        fail(str(error))
    except PromotionRefused as refusal:
        if refusal.report:  # the violations (warnings do not refuse, and would drown them)
            blocks = refusal.report.strip().split("\n\n")
            click.echo("\n\n".join(b for b in blocks if b.startswith(("Conforms", "Violation")))
                       + "\n", err=True)
        for problem in refusal.problems:
            click.echo(f"  {problem}", err=True)
        fail(f"promotion of {draft_id} refused ({len(refusal.problems)} problem"
             f"{'s' if len(refusal.problems) != 1 else ''}); nothing was changed", FAILED)
    for line in result.summary:
        click.echo(line)
    warnings = len(result.validation.results) if result.validation else 0
    click.echo(f"checks: parse, SHACL ({warnings} warnings or infos), quotes at their offsets: "
               "passed")
    if dry_run:
        click.echo("dry run: nothing written")
    else:
        click.echo(f"next: sozialgraph build, then the graph is served as "
                   f"<https://w3id.org/sozialgraph/graph/{result.slug}>")
