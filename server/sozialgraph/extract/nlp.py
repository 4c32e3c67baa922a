"""The German language tools, loaded once and only when extraction runs: spaCy's blank German
pipeline with the lookup lemmatizer of `spacy-lookups-data` (no model download), and somajo's
sentence splitter. Everything else in the package works on the `Analysis` built here.

Offsets are Python str indices of the analysed text (Unicode code points), end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MISSING = ("sozialgraph extract needs the `extract` extra: pip install 'sozialgraph[extract]' "
           "(spaCy, spacy-lookups-data, somajo, text2num)")


@dataclass(frozen=True)
class Token:
    text: str
    lemma: str
    start: int
    end: int

    @property
    def key(self) -> str:
        """The token's lemma, lower-cased and stripped of inflection endings: what labels and
        text are compared by ("Hessischen" and "Hessisches" -> "hessisch")."""
        return stem(self.lemma.rstrip("-"))  # "Gehörlosen-" (und Taubblinden-Geld)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    line: int  # index of the text line (paragraph, heading or list item) it stands in
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Analysis:
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def tokens(self) -> list[Token]:
        return [t for s in self.sentences for t in s.tokens]

    def sentence_at(self, offset: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        return min(self.sentences, key=lambda s: abs(s.start - offset))


_FEMININE = re.compile(r"(?<=.....)(?:innen|in)$")
_ENDINGS = re.compile(r"(?<=...)(?:en|em|er|es|e|n|s)$")
# Link hints that web pages put into running text ("BeauftragteÖffnet sich in einem neuen
# Fenster für …"): not words of the sentence, so names are recognised across them.
BOILERPLATE = re.compile(r"Öffnet sich in einem neuen Fenster|Öffnet in einem neuen Fenster|"
                         r"Externer Link|\(Link ist extern\)|Link öffnet in neuem Fenster")
# Words glued together by the same scraping ("FrauenhäuserÖffnet"): split where a lower-case
# letter is followed by an upper-case one.
GLUED = re.compile(r"(?<=[a-zäöüß])(?=[A-ZÄÖÜ][a-zäöüß])")


def stem(word: str) -> str:
    """Lower case without the inflection endings of German adjectives and nouns (the lookup
    table does not reduce every adjective form), at least three letters kept."""
    lowered = word.lower()
    if len(lowered) >= 4 and lowered.isalpha():
        lowered = _FEMININE.sub("", lowered)  # "Arbeitnehmerinnen" is "Arbeitnehmer" too
        return _ENDINGS.sub("", lowered)
    return lowered


@lru_cache(maxsize=1)
def _spacy():
    try:
        import spacy
    except ImportError as error:  # pragma: no cover - depends on the install
        raise RuntimeError(MISSING) from error
    nlp = spacy.blank("de")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def _splitter():
    try:
        from somajo import SoMaJo
    except ImportError as error:  # pragma: no cover
        raise RuntimeError(MISSING) from error
    return SoMaJo("de_CMC", split_camel_case=False, character_offsets=True)


@lru_cache(maxsize=1)
def _table():
    return _spacy().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


def lemma_of(word: str) -> str:
    """The word's lemma from the lookup table; a capitalised adjective ("Ältere" at the start
    of a label or sentence) is looked up in lower case when its own form is not listed."""
    table = _table()
    return table.get(word) or table.get(word.lower()) or word


@lru_cache(maxsize=8192)
def lemmas(text: str) -> list[Token]:
    """The tokens of a short text (a label) with their lemmas."""
    return [Token(t.text, lemma_of(t.text), t.idx, t.idx + len(t.text))
            for t in _spacy()(text) if not t.is_space]


def _unglue(token: Token) -> list[Token]:
    cuts = [m.start() for m in GLUED.finditer(token.text)]
    if not cuts:
        return [token]
    pieces, begin = [], 0
    for cut in cuts + [len(token.text)]:
        piece = token.text[begin:cut]
        lemma = lemma_of(piece)
        pieces.append(Token(piece, lemma, token.start + begin, token.start + cut))
        begin = cut
    return pieces


def sentence_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, line index) of every sentence: the text's lines first (headings and list
    items are sentences of their own), then somajo's sentences within a line."""
    spans, offset = [], 0
    splitter = _splitter()
    for number, line in enumerate(text.split("\n")):
        if line.strip():
            for sentence in splitter.tokenize_text([line], parallel=1):
                tokens = list(sentence)
                first = tokens[0].character_offset[0]
                last = tokens[-1].character_offset[1]
                spans.append((offset + first, offset + last, number))
        offset += len(line) + 1
    return spans


def analyse(text: str) -> Analysis:
    """Sentences and lemmatised tokens of `text`."""
    doc = _spacy()(text)
    noise = [(m.start(), m.end()) for m in BOILERPLATE.finditer(text)]
    tokens = [piece for t in doc if not t.is_space
              for piece in _unglue(Token(t.text, lemma_of(t.text), t.idx, t.idx + len(t.text)))
              if not any(a <= piece.start < b for a, b in noise)]
    sentences, index = [], 0
    for start, end, line in sentence_spans(text):
        while index < len(tokens) and tokens[index].end <= start:
            index += 1
        mine = []
        while index < len(tokens) and tokens[index].start < end:
            mine.append(tokens[index])
            index += 1
        sentences.append(Sentence(start, end, line, tuple(mine)))
    return Analysis(text, tuple(sentences))
