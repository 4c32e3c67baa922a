"""Every sentence accounted for (issue 9): each corpus document is split into sentences (its
lines, headings and list items included, then somajo's German sentences within a line), and every
sentence either overlaps an evidence quote of the graph or stands in
tests/fixtures/corpus-exclusions.tsv with its reason. Everything listed there must still be such
a sentence, so the list cannot go stale; it is reviewed and short (titles, navigation, images,
metadata and context only)."""

from __future__ import annotations

import csv
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from projectdata import corpus_present, select
from somajo import SoMaJo

from sozialgraph.corpus import document_text

EXCLUSIONS = Path(__file__).parent / "fixtures" / "corpus-exclusions.tsv"
REASONS = {"title", "navigation", "image", "metadata", "context"}

pytestmark = pytest.mark.skipif(not corpus_present(), reason="corpus folder not present")


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every sentence, offsets in characters of the file as stored."""
    splitter = SoMaJo("de_CMC", split_camel_case=False, character_offsets=True)
    found, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            for sentence in splitter.tokenize_text([line], parallel=1):
                tokens = list(sentence)
                first, last = tokens[0].character_offset[0], tokens[-1].character_offset[1]
                found.append((start + first, start + last, line[first:last]))
        start += len(line) + 1
    return found


@cache
def evidence_spans() -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for row in select("""
            PREFIX oa: <http://www.w3.org/ns/oa#>
            PREFIX sg: <https://w3id.org/sozialgraph/ontology#>
            SELECT ?file ?start ?end WHERE {
              ?evidence oa:hasSource/sg:corpusFile ?file ;
                        oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ;
                                         oa:end ?end ] }"""):
        spans.setdefault(str(row["file"]), []).append((int(row["start"]), int(row["end"])))
    return spans


@cache
def exclusions() -> dict[tuple[str, str], str]:
    lines = [line for line in EXCLUSIONS.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    listed = {}
    for number, (file, reason, sentence) in enumerate(csv.reader(lines, delimiter="\t",
                                                                 quoting=csv.QUOTE_NONE), 1):
        assert reason in REASONS, f"line {number}: unknown reason {reason!r}"
        assert (file, sentence) not in listed, f"line {number}: listed twice"
        listed[file, sentence] = reason
    return listed


def uncovered(file: str) -> list[tuple[int, str]]:
    spans = evidence_spans()[file]
    return [(start, sentence) for start, end, sentence in sentences(document_text(file))
            if not any(a < end and start < b for a, b in spans)]


def test_every_sentence_is_quoted_or_excluded_with_its_reason():
    missing = [f"{file} @{start}: {sentence}" for file in sorted(evidence_spans())
               for start, sentence in uncovered(file) if (file, sentence) not in exclusions()]
    assert not missing, "sentences neither quoted nor excluded:\n" + "\n".join(missing)


def test_every_exclusion_is_an_uncovered_sentence():
    found = {(file, sentence) for file in evidence_spans() for _, sentence in uncovered(file)}
    stale = [f"{file}: {sentence}" for file, sentence in exclusions()
             if (file, sentence) not in found]
    assert not stale, "excluded, but quoted by evidence or no sentence of the file:\n" + \
        "\n".join(stale)


def test_the_exclusions_are_few_and_mostly_not_content():
    """Reviewed: at most a quarter of the sentences, and context (sentences with words of their
    own) at most a fifth of the list."""
    total = sum(len(sentences(document_text(file))) for file in evidence_spans())
    reasons = Counter(exclusions().values())
    assert sum(reasons.values()) <= total // 4, (total, reasons)
    assert reasons["context"] <= sum(reasons.values()) // 5, reasons


def test_the_splitter_sees_headings_and_list_items_as_sentences():
    text = "Titel\n\n- erster Punkt\n- zweiter Punkt\nEin Satz. Noch ein Satz."
    assert [s for _, _, s in sentences(text)] == [
        "Titel", "- erster Punkt", "- zweiter Punkt", "Ein Satz.", "Noch ein Satz."]
