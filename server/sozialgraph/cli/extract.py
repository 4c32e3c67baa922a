"""`sozialgraph extract`: a draft graph from a German policy text (sozialgraph.extract), or with
--evaluate the leave-one-out comparison with the curated graphs."""

from __future__ import annotations

from pathlib import Path

import click

from sozialgraph import settings as config
from sozialgraph.cli.options import fail
from sozialgraph.corpus import EVIDENCE_ID, read_text, slug_of

KINDS = ("balance-report", "self-description", "information-page", "coalition-agreement")


@click.command("extract")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "draft_id", help="The draft's id (a slug) [default: from the file name].")
@click.option("--level", default="land", show_default=True,
              help="Whose document: 'land' (Hessen) or the name of a city ('kassel').")
@click.option("--kind", type=click.Choice(KINDS), default="information-page", show_default=True,
              help="What the document is; in a coalition agreement intentions are pledges.")
@click.option("--date", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              help="The document's date (sg:asOfDate), YYYY-MM-DD.")
@click.option("--out", help="Output Turtle file, '-' for stdout [default: ID.ttl in the drafts "
              "folder, $SOZIALGRAPH_DRAFTS or graphs/drafts/]; with --evaluate the report "
              "[default: docs/extraction-quality.md].")
@click.option("--evaluate", is_flag=True, help="Instead: leave-one-out over the corpus against "
              "the curated graphs; prints the table and writes docs/extraction-quality.md.")
def extract_command(file, draft_id, level, kind, as_of, out, evaluate):
    """Write a draft graph of the German text FILE: money, counts, actors, target groups,
    policy areas, measures and their status, each with its exact words (offsets over the
    file's characters) and the rule and confidence that found it."""
    try:
        from sozialgraph.extract import Options, extract
    except ImportError as error:  # pragma: no cover
        fail(str(error))
    if evaluate:
        from sozialgraph.extract.evaluate import evaluate_corpus, write_report

        table = evaluate_corpus()
        report = config.DATA_ROOT / "docs" / "extraction-quality.md"
        click.echo(write_report(table, report if out is None else Path(out)))
        return
    if file is None:
        fail("give FILE (or --evaluate)")
    draft_id = draft_id or slug_of(file.stem, 12)
    if not EVIDENCE_ID.fullmatch(draft_id):
        fail(f"--id must be a lower-case ASCII slug with hyphens: {draft_id!r}")
    try:
        text = read_text(file)
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {file}: {error}")
    options = Options(draft_id, file.name, level, kind, as_of.date() if as_of else None)
    try:
        graph = extract(text, options)
    except RuntimeError as error:
        fail(str(error))
    turtle = graph.serialize(format="turtle")
    if out == "-":
        click.echo(turtle, nl=False)
        return
    drafts = config.resolve()["DRAFTS_PATH"]  # $SOZIALGRAPH_DRAFTS, else graphs/drafts
    target = Path(out) if out else (Path(drafts) if drafts else config.GRAPHS_DIR / "drafts") \
        / f"{draft_id}.ttl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(turtle, encoding="utf-8")
    click.echo(f"{target}: {len(graph)} triples", err=True)
