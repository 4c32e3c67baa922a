"""`sozialgraph anchor`: the Turtle evidence block for a verbatim quote of a corpus document
(the algorithm, the batch file and the source lookup are sozialgraph.corpus's)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sozialgraph import settings as config
from sozialgraph.cli.options import FAILED, fail
from sozialgraph.corpus import (
    EVIDENCE_ID,
    Quote,
    UnknownSource,
    document_text,
    evidence_blocks,
    find_source,
    read_batch,
    slug_of,
)
from sozialgraph.rdf.parse import RDFSyntaxError


@click.command("anchor")
@click.argument("source")
@click.argument("quote", required=False)
@click.option("--occurrence", type=click.IntRange(min=1),
              help="Which occurrence to anchor (1-based) when the quote occurs more than once.")
@click.option("--id", "evidence_id", help="Evidence slug [default: from the quote's words].")
@click.option("--batch", type=click.File(encoding="utf-8"),
              help="File of lines `id<TAB>quote[<TAB>occurrence]` (instead of QUOTE).")
@click.option("--prefix", help="Write the evidence IRI as PREFIX:id (a prefix bound to the "
              "document's evidence namespace) instead of sge:<source>\\/<id>.")
@click.option("--sources", "sources_file", type=click.Path(path_type=Path, dir_okay=False),
              default=config.GRAPHS_DIR / "sources.ttl", show_default=True,
              help="Sources graph mapping source slugs to corpus files.")
def anchor_command(source, quote, occurrence, evidence_id, batch, prefix, sources_file):
    """Print the Turtle evidence block for a verbatim QUOTE of SOURCE.

    SOURCE is a source slug (e.g. hmsi-bilanz, looked up in graphs/sources.ttl) or a corpus
    file name. Offsets count characters of the corpus file as stored, end exclusive. Exit 1 if
    the quote is missing or ambiguous (the offsets are listed), 2 if the source is unknown.
    """
    if (quote is None) == (batch is None):
        fail("give either QUOTE or --batch FILE")
    if evidence_id and not EVIDENCE_ID.fullmatch(evidence_id):
        fail(f"--id must be a lower-case ASCII slug with hyphens: {evidence_id!r}")
    try:
        slug, file_name = find_source(source, sources_file)
    except (RDFSyntaxError, UnknownSource) as error:
        fail(str(error))
    try:
        text = document_text(file_name)
    except OSError as error:
        fail(f"cannot read corpus file {file_name}: {error.strerror or error}")
    try:
        quotes = [Quote(evidence_id or slug_of(quote), quote, occurrence)] if batch is None \
            else read_batch(batch, batch.name)
    except ValueError as error:
        fail(str(error))
    blocks, problems = evidence_blocks(text, slug, quotes, prefix)
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(FAILED)
    click.echo("\n".join(blocks), nl=False)
