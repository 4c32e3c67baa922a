"""`sozialgraph anchor`: the Turtle evidence block for a verbatim quote of a corpus document
(the algorithm is sozialgraph.corpus's)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from sozialgraph import settings as config
from sozialgraph.cli.options import FAILED, fail
from sozialgraph.corpus import anchor_one, corpus_sources, document_text, evidence_block, slug_of
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
    if evidence_id and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", evidence_id):
        fail(f"--id must be a lower-case ASCII slug with hyphens: {evidence_id!r}")
    try:
        files = corpus_sources(sources_file)
    except RDFSyntaxError as error:
        fail(str(error))
    if source in files:
        slug, file_name = source, files[source]
    elif (config.corpus_dir() / source).is_file():
        file_name = source
        slug = next((s for s, f in files.items() if f == source), Path(source).stem)
    else:
        known = ", ".join(sorted(files)) or "none"
        fail(f"unknown source {source!r}: not a source slug (known: {known}) nor a file of "
              f"the corpus folder")
    try:
        text = document_text(file_name)
    except OSError as error:
        fail(f"cannot read corpus file {file_name}: {error.strerror or error}")
    if batch is None:
        jobs = [(evidence_id or slug_of(quote), quote, occurrence, "")]
    else:
        jobs = []
        for number, line in enumerate(batch, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) not in (2, 3) or not fields[1]:
                fail(f"{batch.name}:{number}: expected id<TAB>quote[<TAB>occurrence]")
            n = int(fields[2]) if len(fields) == 3 and fields[2].strip() else None
            jobs.append((fields[0], fields[1], n, f"{batch.name}:{number}: "))
    blocks, problems = [], []
    for job_id, job_quote, job_occurrence, where in jobs:
        found, problem = anchor_one(text, job_quote, job_occurrence)
        if problem:
            problems.append(where + problem)
        else:
            blocks.append(evidence_block(slug, job_id, found, prefix))
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(FAILED)
    click.echo("\n".join(blocks), nl=False)
