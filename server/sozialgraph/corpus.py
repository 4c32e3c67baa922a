"""The corpus: reading source texts exactly as stored, and anchoring evidence quotes in them.

Offsets count Unicode code points of the file as stored (no newline translation), end exclusive,
as the Web Annotation TextPositionSelector defines them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


def occurrences(text: str, exact: str) -> int:
    count, start = 0, text.find(exact)
    while start >= 0:
        count, start = count + 1, text.find(exact, start + 1)
    return count
