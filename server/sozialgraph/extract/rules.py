"""The extraction rules put together: money and counts with their periods, each figure linked to
its measure and funder, the clause that carries a statement, and `extract_findings`, which
runs every rule (mentions, measures, figures) over an analysed text. Every rule is about
German policy language in general; none names a document's measures or sentences.
"""

from __future__ import annotations

import re
from collections import Counter

from sozialgraph.extract import numbers
from sozialgraph.extract.findings import Figure, Findings, Measure, Mention
from sozialgraph.extract.lexicon import PUBLIC, Lexicon
from sozialgraph.extract.measures import LEADING_CLAUSE, find_measures
from sozialgraph.extract.mentions import find_mentions
from sozialgraph.extract.nlp import Analysis, Sentence
from sozialgraph.extract.status import status_of
from sozialgraph.rdf.namespaces import SG

# ---- money and counts ----------------------------------------------------------------------

FOR_WHAT = re.compile(r"\s*(?:jährlich\s+|pro\s+Jahr\s+|jeweils\s+)?(?:für|zur|zum|in)\s+"
                      r"(?:den|die|das|der|dem)?\s*(?P<what>[^,.;:\n–]{3,80})")


def find_figures(analysis: Analysis, coalition: bool, as_of_year: int | None = None
                 ) -> list[Figure]:
    text = analysis.text
    money = numbers.find_money(text)
    counts = numbers.find_counts(text, money)
    raw = [("money", m.qualifier_start, m.end, m) for m in money] + \
          [("count", c.qualifier_start, c.end, c) for c in counts]
    raw.sort(key=lambda r: r[1])
    figures = []
    for position, (kind, start, end, item) in enumerate(raw):
        sentence = analysis.sentence_at(start)
        index = analysis.sentences.index(sentence)
        same = [r for r in raw if sentence.start <= r[1] < sentence.end]
        mine = same.index((kind, start, end, item))
        near_start = same[mine - 1][2] if mine > 0 else sentence.start
        near_end = same[mine + 1][1] if mine + 1 < len(same) else sentence.end
        while True:  # words right before the next figure are that figure's ("…, jährlich 5 €")
            trail = numbers.LEADING_PERIOD_WORDS.search(text, end, near_end)
            if not trail or mine + 1 >= len(same):
                break
            near_end = trail.start()
        period = numbers.period_of(text, (end, near_end), (near_start, start),
                                   (sentence.start, sentence.end),
                                   shared_periodicity=len(same) == 1, as_of_year=as_of_year)
        status = status_of(sentence, text, coalition)
        if kind == "money":
            confidence = 0.9 if item.rule.startswith("money-digits") else 0.8
            figures.append(Figure("money", start, end, item.value, item.qualifier, period, index,
                                  item.rule, confidence, status, change=item.change))
        else:
            confidence = 0.8 if item.rule == "count-digits" else 0.7
            figures.append(Figure("count", start, end, item.value, item.qualifier, period, index,
                                  item.rule, confidence, status, unit=item.unit, noun=item.noun))
    return figures


def link(findings: Findings, lexicon: Lexicon):
    """Give each figure its measure (named in its sentence, else the paragraph's or heading's
    latest, else an implicit measure made from its "für …" phrase) and each amount its funder
    (a public actor its sentence names; None: the document's own actor, see draft)."""
    analysis = findings.analysis
    by_sentence: dict[int, list[int]] = {}
    for number, measure in enumerate(findings.measures):
        for sentence in measure.sentences:
            by_sentence.setdefault(sentence, []).append(number)
    for figure in findings.figures:
        candidates = by_sentence.get(figure.sentence, [])
        sentence = analysis.sentences[figure.sentence]
        what = FOR_WHAT.match(findings.text, figure.end, sentence.end)
        if what and re.match(r"\d", what.group("what")):
            what = None  # "für 2018" is a period, not a purpose
        if candidates:
            figure.measure = min(candidates, key=lambda n: _distance(findings, n, figure))
        elif what:
            figure.measure = _implicit_measure(findings, figure)
        else:
            line = sentence.line
            earlier = [n for s in range(figure.sentence - 1, -1, -1)
                       if analysis.sentences[s].line >= line - 2
                       for n in by_sentence.get(s, [])]
            if earlier:
                figure.measure = earlier[0]
                findings.measures[earlier[0]].sentences.append(figure.sentence)
            else:
                figure.measure = _implicit_measure(findings, figure)
        public = [m for m in findings.mentions if m.kind == "actor" and m.sentence ==
                  figure.sentence and (m.iri is not None and lexicon.is_public(m.iri) or
                                       m.proposal is not None and m.proposal.cls in PUBLIC)]
        if figure.kind == "money":
            figure.funder = public[0] if public else None


def _distance(findings: Findings, number: int, figure: Figure) -> int:
    measure = findings.measures[number]
    return abs(measure.start - figure.start)


def _implicit_measure(findings: Findings, figure: Figure) -> int:
    text, analysis = findings.text, findings.analysis
    sentence = analysis.sentences[figure.sentence]
    what = FOR_WHAT.match(text, figure.end, sentence.end)
    if what and not re.match(r"\d", what.group("what")):
        words = what.group("what").split()[:8]
        label = " ".join(words)
    else:
        words = text[sentence.start:sentence.end].split()[:8]
        label = " ".join(words)
    label = label.strip(" ,;:–-\"„“")
    measure = Measure(label, SG.Measure, "implicit:" + label.lower(), figure.start, figure.end,
                      [figure.sentence], "measure-implicit-from-figure", 0.3,
                      status_of(sentence, text, False), implicit=True)
    for number, existing in enumerate(findings.measures):
        if existing.key == measure.key:
            return number
    findings.measures.append(measure)
    return len(findings.measures) - 1


SUBORDINATE = r"(?:die|der|das|dem|den|deren|dessen|denen|welche[rsnm]?|dass|damit|sodass|" \
              r"wobei|wovon|womit|weil|da|um|indem|während|wenn|ob|obwohl|sofern)"
TRAILING_CLAUSE = re.compile(r",\s+" + SUBORDINATE + r"\b[^,]*$|\s+[–—]\s+[a-zäöüß][^–—]*$")


def statement_span(text: str, sentence: Sentence, keep: tuple[int, int]) -> tuple[int, int]:
    """The shortest span of the sentence that still carries a figure at `keep` (its qualifier,
    value and unit or currency, with what it is for and the verb): the sentence less a leading
    subordinate clause ("Um alle gut unterzubringen, …") and a final one or a dash's tail
    ("… gestellt – so viel wie nie zuvor") that do not hold the figure."""
    start, end = sentence.start, sentence.end
    leading = LEADING_CLAUSE.match(text, start, end)
    if leading and leading.end() <= keep[0]:
        start = leading.end()
    trailing = TRAILING_CLAUSE.search(text, start, end)
    if trailing and trailing.start() >= keep[1]:
        kept = text[start:trailing.start()]
        if sum(kept.count(q) for q in "„»") <= sum(kept.count(q) for q in "“«") \
                and kept.count('"') % 2 == 0:  # never cut inside a quoted name
            end = trailing.start()
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    return start, end


def context_areas(findings: Findings, sentences: list[int]) -> list[Mention]:
    """Policy areas of the measure's paragraph or the headings before it, for a measure whose
    own sentences name none."""
    analysis = findings.analysis
    lines = {analysis.sentences[s].line for s in sentences}
    first = min(sentences)
    nearby = [m for m in findings.mentions if m.kind == "policy-area"
              and (analysis.sentences[m.sentence].line in lines or
                   first - 3 <= m.sentence < first)]
    return nearby


def dominant(mentions: list[Mention], kind: str):
    counts = Counter(m.ref for m in mentions if m.kind == kind and m.iri is not None)
    return counts.most_common(1)[0][0] if counts else None


def extract_findings(analysis: Analysis, lexicon: Lexicon, coalition: bool,
                     as_of_year: int | None = None) -> Findings:
    """Everything the rules find in an analysed text, linked."""
    findings = Findings(analysis)
    findings.mentions = find_mentions(analysis, lexicon)
    findings.measures = find_measures(analysis, findings.mentions, coalition)
    findings.figures = find_figures(analysis, coalition, as_of_year)
    link(findings, lexicon)
    return findings
