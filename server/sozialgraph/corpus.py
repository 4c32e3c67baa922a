"""The corpus: reading source texts exactly as stored, and anchoring evidence quotes in them
(`sozialgraph anchor` prints the evidence blocks; its command only parses the options). It may
import `sozialgraph.rdf` and `sozialgraph.settings`.

Offsets count Unicode code points of the file as stored (no newline translation), end exclusive,
as the Web Annotation TextPositionSelector defines them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Literal

from sozialgraph.rdf.namespaces import SG, SOURCE
from sozialgraph.rdf.parse import read_graph
from sozialgraph.settings import corpus_dir

CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector


def read_text(path: Path) -> str:
    """The file's characters exactly as stored: UTF-8, no newline translation."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


@lru_cache(maxsize=32)
def document_text(file_name: str) -> str:
    """A corpus document's text, read from the configured corpus folder."""
    return read_text(corpus_dir() / file_name)


@dataclass(frozen=True)
class Anchor:
    """A quote located in a document: the TextQuoteSelector and TextPositionSelector values."""

    exact: str
    start: int
    end: int
    prefix: str
    suffix: str


class QuoteNotFound(ValueError):
    pass


def anchor(text: str, exact: str, occurrence: int = 1) -> Anchor:
    """Locate the n-th occurrence (1-based) of `exact` in `text`.

    >>> a = anchor("ab Euro cd Euro", "Euro", occurrence=2)
    >>> (a.start, a.end, a.prefix)
    (11, 15, 'ab Euro cd ')
    """
    start = -1
    for _ in range(occurrence):
        start = text.find(exact, start + 1)
        if start < 0:
            raise QuoteNotFound(f"quote not found (occurrence {occurrence}): {exact!r}")
    end = start + len(exact)
    return Anchor(
        exact=exact,
        start=start,
        end=end,
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


# ---- evidence blocks (sozialgraph anchor) ---------------------------------------------------

EVIDENCE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # an evidence slug: lower-case ASCII, hyphens


class UnknownSource(LookupError):
    pass


@dataclass(frozen=True)
class Quote:
    """A quote to anchor: its evidence id, its words, which occurrence (None: the only one), and
    where it was given (`file:line: `, or empty), to begin messages with."""

    evidence_id: str
    text: str
    occurrence: int | None = None
    where: str = ""


def corpus_sources(sources_file: Path) -> dict[str, str]:
    """source slug -> corpus file name, from graphs/sources.ttl (empty if it is missing)."""
    if not sources_file.is_file():
        return {}
    graph = read_graph(sources_file)
    return {str(s).removeprefix(str(SOURCE)): str(f)
            for s, f in graph.subject_objects(SG.corpusFile) if str(s).startswith(str(SOURCE))}


def find_source(source: str, sources_file: Path) -> tuple[str, str]:
    """(source slug, corpus file name) of `source`: a slug of the sources graph, or the name of
    a file of the corpus folder (its slug from the sources graph, else the file's stem)."""
    files = corpus_sources(sources_file)
    if source in files:
        return source, files[source]
    if (corpus_dir() / source).is_file():
        return next((s for s, f in files.items() if f == source), Path(source).stem), source
    known = ", ".join(sorted(files)) or "none"
    raise UnknownSource(f"unknown source {source!r}: not a source slug (known: {known}) nor a "
                        "file of the corpus folder")


def read_batch(lines: Iterable[str], name: str) -> list[Quote]:
    """The quotes of a batch file, one per line `id<TAB>quote[<TAB>occurrence]` (empty lines and
    lines starting with # are skipped); ValueError naming `name:line` for a malformed line."""
    quotes = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{name}:{number}: "
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) not in (2, 3) or not fields[1]:
            raise ValueError(where + "expected id<TAB>quote[<TAB>occurrence]")
        if not EVIDENCE_ID.fullmatch(fields[0]):
            raise ValueError(where + "the id must be a lower-case ASCII slug with hyphens: "
                             f"{fields[0]!r}")
        occurrence = fields[2].strip() if len(fields) == 3 else ""
        if occurrence and not (re.fullmatch(r"[0-9]+", occurrence) and int(occurrence) >= 1):
            raise ValueError(where + f"the occurrence must be a number from 1: {occurrence!r}")
        quotes.append(Quote(fields[0], fields[1], int(occurrence) if occurrence else None, where))
    return quotes


def slug_of(text: str, words: int = 6) -> str:
    """A readable ASCII slug of the first words of `text` (umlauts transliterated)."""
    text = text.lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_)
    text = unicodedata.normalize("NFKD", text)  # é -> e + combining accent, dropped below
    parts = re.findall(r"[a-z0-9]+", text.encode("ascii", "ignore").decode())
    return "-".join(parts[:words])[:60].strip("-") or "quote"


def evidence_blocks(text: str, source_slug: str, quotes: Iterable[Quote],
                    prefix: str | None = None) -> tuple[list[str], list[str]]:
    """The Turtle evidence blocks of the quotes anchored in `text`, and a message for each quote
    that could not be anchored (missing, or ambiguous without an occurrence)."""
    blocks, problems = [], []
    for quote in quotes:
        found, problem = _anchor_one(text, quote.text, quote.occurrence)
        if problem:
            problems.append(quote.where + problem)
        else:
            blocks.append(evidence_block(source_slug, quote.evidence_id, found, prefix))
    return blocks, problems


def evidence_block(source_slug: str, evidence_id: str, found: Anchor,
                   prefix: str | None = None) -> str:
    """The Turtle evidence block of docs/model.md for an anchored quote."""
    local = f"{source_slug}/{evidence_id}".replace("/", "\\/")  # '/' is escaped in a local name
    subject = f"{prefix}:{evidence_id}" if prefix else f"sge:{local}"
    return (
        f"{subject} a sg:Evidence ;\n"
        f"    oa:hasSource sgs:{source_slug} ;\n"
        f"    oa:hasSelector [ a oa:TextQuoteSelector ;\n"
        f"                     oa:exact {Literal(found.exact).n3()} ;\n"
        f"                     oa:prefix {Literal(found.prefix).n3()} ; "
        f"oa:suffix {Literal(found.suffix).n3()} ] ,\n"
        f"                   [ a oa:TextPositionSelector ; oa:start {found.start} ; "
        f"oa:end {found.end} ] .\n")


def _anchor_one(text: str, quote: str, occurrence: int | None
                ) -> tuple[Anchor, None] | tuple[None, str]:
    """The anchor of `quote`, or a message saying why there is none."""
    starts, at = [], text.find(quote)
    while at >= 0 and quote:
        starts.append(at)
        at = text.find(quote, at + 1)
    if not starts:
        return None, f"quote not found: {quote!r}"
    if occurrence is None and len(starts) > 1:
        where = ", ".join(f"{s} (line {text.count(chr(10), 0, s) + 1})" for s in starts)
        return None, (f"the quote occurs {len(starts)} times, at offsets {where}; choose one "
                      f"with --occurrence N (1..{len(starts)}) or quote more words: {quote!r}")
    try:
        return anchor(text, quote, occurrence or 1), None
    except QuoteNotFound:
        return None, f"there is no occurrence {occurrence} (only {len(starts)}): {quote!r}"
