"""The one analysis of text that the index, the queries and the highlighter share.

A word is a run of letters and digits; a word that glues two words together in the source
("FrauenhäuserÖffnet", a link text run into the sentence) also counts as its parts. Each word is
case-folded (so ß is ss), stemmed by Snowball's German stemmer, which also reads ae, oe and ue as
umlauts ("Gefluechtete" and "Geflüchtete" are one stem), then folded to ASCII (the stem of
"Frauenhäuser" is "frauenhaus"). English words get Snowball's English stemmer as well, so that
"refugees" finds "refugee". Matching inside compounds uses character trigrams of the stems: a
query word is found inside a longer word when its trigrams follow each other there ("Frau" in
"Frauenhäuser", "Pflege" in "Pflegequalifizierungszentrum").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+")
_GLUED = re.compile(r"(?<=[a-zäöüß])(?=[A-ZÄÖÜ][a-zäöüß])")  # "FrauenhäuserÖffnet"
GRAM = 3
# A query stem is looked for inside longer words from this length on: "Frau", "Kita" are, "alt"
# (of "Älteren") and "rat" are not, since they hide in too many words ("Verwaltung", "Beratung").
INSIDE = 4
# Words too common to narrow a search; dropped from queries that have other words.
STOPWORDS = frozenset("""
    aber als am an auch auf aus bei bis das dass de dem den der des die ein eine einem einen einer
    eines en es für fuer im in ist mit nach oder sich sie so und um von vom vor wie wir zu zum zur
    a an and are as at be by for from in into is it of on or the to with
""".split())

_german = Stemmer.Stemmer("german")
_english = Stemmer.Stemmer("english")


def ascii_fold(text: str) -> str:
    """Diacritics off: 'é' -> 'e', 'ä' -> 'a' (after stemming, which has read the umlauts)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, str]:
    """(German stem, English stem) of one word, case-folded and ASCII-folded."""
    folded = word.casefold()
    return ascii_fold(_german.stemWord(folded)), ascii_fold(_english.stemWord(folded))


def grams(stem: str) -> list[str]:
    """The character trigrams of a stem, in order ('frau' -> ['fra', 'rau'])."""
    return [stem[i:i + GRAM] for i in range(len(stem) - GRAM + 1)]


@dataclass(frozen=True)
class Word:
    start: int  # character offsets in the text analysed
    end: int
    german: str  # the German stem
    english: str  # the English stem


def words(text: str, whole: bool = True) -> Iterator[Word]:
    """The words of `text` with their offsets; glued words also as their parts (and only as
    their parts when not `whole`)."""
    for match in _WORD.finditer(text):
        word = match.group()
        parts = _GLUED.split(word)
        if whole or len(parts) == 1:
            german, english = stems(word)
            yield Word(match.start(), match.end(), german, english)
        if len(parts) > 1:
            offset = match.start()
            for part in parts:
                german, english = stems(part)
                yield Word(offset, offset + len(part), german, english)
                offset += len(part)


def index_terms(text: str) -> tuple[list[str], list[str]]:
    """(stem terms, gram terms) of a text for the index. Stems: each word's German and English
    stem. Grams: each German stem's trigrams in order, words separated by a gap term so that a
    query's trigrams never match across two words."""
    stem_terms: list[str] = []
    gram_terms: list[str] = []
    for word in _WORD.findall(text):
        word_stems, word_grams = _word_terms(word)
        stem_terms.extend(word_stems)
        gram_terms.extend(word_grams)
    return stem_terms, gram_terms


@lru_cache(maxsize=262144)
def _word_terms(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The index terms of one word as `words` reads it (and its parts when glued)."""
    stem_terms: list[str] = []
    gram_terms: list[str] = []
    parts = _GLUED.split(word)
    for piece in [word, *parts] if len(parts) > 1 else [word]:
        german, english = stems(piece)
        stem_terms.append(german)
        if english != german:
            stem_terms.append(english)
        gram_terms.extend(grams(german))
        gram_terms.append("|")
    return tuple(stem_terms), tuple(gram_terms)


@dataclass(frozen=True)
class QueryWord:
    text: str  # as typed
    german: str
    english: str

    @property
    def grams(self) -> list[str]:
        """The trigrams that find the word inside compounds (none for short stems)."""
        return grams(self.german) if len(self.german) >= INSIDE else []


def query_words(text: str) -> list[QueryWord]:
    """The words of a query that count: no one-letter words, and no stopwords unless the query
    has nothing else."""
    found = [QueryWord(text[w.start:w.end], w.german, w.english) for w in words(text)
             if w.end - w.start > 1]
    unique = list({(w.german, w.english): w for w in found}.values())
    meaningful = [w for w in unique if w.text.casefold() not in STOPWORDS]
    return meaningful or unique


def matches(word: Word, query: list[QueryWord]) -> bool:
    """Whether a word of a text is a match of the query (the highlighter's rule, the index's
    rule): the same stem, or a query stem of INSIDE letters or more inside the word's stem."""
    for q in query:
        if word.german == q.german or word.english == q.english:
            return True
        if len(q.german) >= INSIDE and q.german in word.german:
            return True
    return False


def highlight(text: str, query: list[QueryWord]) -> list[tuple[int, int]]:
    """The spans of `text` (start, end) that match the query, merged, in order."""
    spans: list[tuple[int, int]] = []
    for word in words(text, whole=False):
        if matches(word, query):
            if spans and word.start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], word.end))
            else:
                spans.append((word.start, word.end))
    return spans
