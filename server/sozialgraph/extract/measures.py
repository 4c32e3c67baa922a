"""Measure candidates: quoted names, noun phrases headed by a measure noun (German compounds end
with their head), and sentences that say someone does something without naming a measure.
No rule names a document's measures."""

from __future__ import annotations

import re

from rdflib import URIRef

from sozialgraph.extract.findings import Measure, Mention
from sozialgraph.extract.nlp import Analysis, Token
from sozialgraph.extract.status import status_of
from sozialgraph.rdf.namespaces import SG

# Nouns that head the name of a measure (German compounds end with their head), and the class.
MEASURE_HEADS: tuple[tuple[str, URIRef], ...] = (
    (r"förderprogramm(?:e|s|en)?|fonds", SG.FundingProgramme),
    (r"programm(?:e|s|en)?|initiative(?:n)?|offensive(?:n)?", SG.Programme),
    (r"projekt(?:e|s|es|en)?", SG.Project),
    (r"kampagne(?:n)?", SG.Campaign),
    (r"gesetz(?:e|es|en)?|verordnung(?:en)?|konvention", SG.Law),
    (r"zentrum|zentren|haus|häuser(?:n)?|einrichtung(?:en)?", SG.Facility),
    (r"bündnis(?:se|ses)?|pakt(?:e|s|es)?|netzwerk(?:e|s|en)?|vereinbarung(?:en)?|allianz",
     SG.Agreement),
    (r"strategie(?:n)?|konzept(?:e|s|en)?|plan|ansatz(?:es)?|planung", SG.Strategy),
    (r"bericht(?:e|s|es)?|monitoring|berichterstattung", SG.Report),
    (r"beratung(?:en)?|sprechstunde(?:n)?|sozialarbeit|dienst(?:e|es|en)?|angebot(?:e|s|en)?|"
     r"besuch(?:e|en)?|stützpunkt(?:e|en)?|servicestelle|unterbringung|förderung", SG.Service),
    (r"dialog(?:e|en)?|netz(?:e|en)?", SG.Agreement),
    (r"woche|politik", SG.Strategy),
    (r"geld(?:es|s)?|card|karte|prämie", SG.Benefit),
)
# Heads too general to name a measure alone, without a compound or modifiers ("das Haus").
NEEDS_COMPOUND = {"haus", "häuser", "häusern", "plan", "stelle", "geld", "karte", "einrichtung",
                  "einrichtungen", "planung", "ansatz", "beratung", "dienst", "dienste",
                  "diensten", "angebot", "angebote", "angeboten", "besuch", "besuche", "netz",
                  "netze", "netzen", "unterbringung", "förderung", "woche", "dialog", "dialoge"}
# Heads that name a measure only with an adjective before them ("präventive Suchtpolitik"; a
# bare "Integrationspolitik" is a policy area).
NEEDS_MODIFIER = {"politik", "woche"}
# Verbs of doing something for people: a sentence with one and no named measure is a measure
# candidate of its own (German stems, with the participle's ge- and the infinitive's zu).
ACTION = re.compile(r"(?:ge|zu)?(?:einsetz|eingesetzt|einricht|eingerichtet|ernenn|ernannt|"
                    r"gründ|errichte|etablier|schaff|ausbau|ausgebaut|auszubauen|stärk|"
                    r"unterstütz|förder|entwickel|entwickl|umsetz|umgesetzt|setzt\b|"
                    r"sicherstell|verbesser|gewinn|gewonn|anbiet|angeboten|fortführ|"
                    r"weiterführ|weitergeführt|weiterentwickel|begleit|ausweit|erweiter|"
                    r"einführ|eingeführt|aufbau|aufgebaut|investier|bereitstell|bereitgestellt|"
                    r"finanzier|erhalt|bewahr|absicher|abgesichert|ermöglich)")
QUOTE = re.compile(r"[„\"»«“]([^„\"»«“”\n]{2,80})[“\"«»”]")
LINKERS = {"für", "zur", "zum", "gegen", "der", "des", "von", "im", "in", "mit", "und",
           "zu", "über", "bei", "den", "dem", "die", "das", "eines", "einer"}
STOP_AFTER = {",", ".", ";", ":", "–", "-", "(", ")", "!", "?"}


def _head_class(word: str) -> tuple[URIRef, int, str] | None:
    """(class, letters before the head noun, head) if `word` ends with a measure noun."""
    lowered = word.lower().replace("-", "")
    for pattern, cls in MEASURE_HEADS:
        match = re.fullmatch(r"(?P<prefix>[a-zäöüß]*?)(?P<head>" + pattern + r")", lowered)
        if match:
            return cls, len(match.group("prefix")), match.group("head")
    return None


# Possessive and demonstrative words that look like adjectives ("ihrem Programm").
PRONOUN = re.compile(r"(?:ihr|sein|unser|euer|eur|mein|dein|dies|jen|jed|welch|all|kein|"
                     r"solch|manch)(?:e|en|em|er|es)?")
LEADING_CLAUSE = re.compile(r"(?:Um|Damit|Wenn|Während|Da|Weil|Obwohl|Sofern|Nachdem)\b[^,]*,\s*")


def _is_adjective(token: Token) -> bool:
    low = token.text.lower()
    return (token.text[:1].islower() and low not in LINKERS and len(low) > 3
            and low.endswith(("e", "en", "er", "es", "em")) and low.isalpha()
            and not PRONOUN.fullmatch(low))


def find_measures(analysis: Analysis, mentions: list[Mention], coalition: bool
                  ) -> list[Measure]:
    text, measures, by_key = analysis.text, [], {}
    quotes = [(m.start(), m.end(), m.group(1)) for m in QUOTE.finditer(text)]
    concept_words = {(m.start, m.end) for m in mentions if m.kind != "actor" and m.iri}
    actor_spans = [(m.start, m.end) for m in mentions if m.kind == "actor"]

    def add(label, cls, key, start, end, sentence, rule, confidence):
        label = label.strip(" ,;:–-")
        label = label[:1].upper() + label[1:]
        existing = by_key.get(key)
        if existing is not None:
            if sentence not in existing.sentences:
                existing.sentences.append(sentence)
            return
        status = status_of(analysis.sentences[sentence], text, coalition)
        by_key[key] = Measure(label, cls, key, start, end, [sentence], rule, confidence, status)
        measures.append(by_key[key])

    def full(index):  # a sentence rather than a heading or a list item
        words = text[analysis.sentences[index].start:analysis.sentences[index].end].rstrip()
        return words.endswith((".", "!", "?", ":"))

    for index, sentence in enumerate(analysis.sentences):
        tokens = sentence.tokens
        for i, token in enumerate(tokens):
            head = _head_class(token.text)
            if head is None or not token.text[:1].isupper():
                continue
            if any(a <= token.start < b for a, b in actor_spans):
                continue  # part of an organisation's name ("Landesamt für …")
            cls, prefix, head_noun = head
            first = i
            while first > 0 and _is_adjective(tokens[first - 1]) and i - first < 3:
                first -= 1
            while first > 1 and tokens[first - 1].text in ("und", "oder") \
                    and tokens[first - 2].text.endswith("-"):
                first -= 2  # "Gehörlosen- und Taubblinden-Geld"
            if head_noun in NEEDS_COMPOUND and prefix < 3 and first == i:
                continue
            if head_noun in NEEDS_MODIFIER and first == i:
                continue
            last = i
            quote = next((q for q in quotes if 0 <= q[0] - token.end <= 2), None)
            if quote is not None:
                end = quote[1]
                rule, confidence = "measure-head-and-quoted-name", 0.85
                key = quote[2].lower()
            else:
                j = i + 1
                if j < len(tokens) and tokens[j].text.lower() in ("für", "zur", "zum", "gegen",
                                                                   "der", "des"):
                    k = j + 1
                    while k < len(tokens) and k - j <= 6 and tokens[k].text not in STOP_AFTER \
                            and (tokens[k].text[:1].isupper() or tokens[k].text.lower() in
                                 LINKERS or _is_adjective(tokens[k])):
                        k += 1
                    while k - 1 > j and tokens[k - 1].text.lower() in LINKERS:
                        k -= 1
                    if k - 1 > j:
                        last = k - 1
                end = tokens[last].end
                is_compound = prefix >= 3
                if not (is_compound or first < i or last > i):
                    continue
                rule = "measure-head-noun-phrase"
                confidence = 0.6 if is_compound else 0.5
                key = " ".join(t.key for t in tokens[first:last + 1] if t.text[:1].isupper()) \
                    or token.key
            add(text[tokens[first].start:end], cls, key, tokens[first].start, end, index, rule,
                confidence)
    # Quoted names without a measure noun before them: a candidate of lower confidence, unless
    # the quote is a concept's or a theme's single word ("Kinderarmut").
    for start, end, name in quotes:
        if any(m.start <= start < m.end + 3 for m in measures) or name.lower() in by_key:
            continue
        if " " not in name.strip() and any(a <= start + 1 and end - 1 <= b for a, b in
                                           concept_words):
            continue
        if not re.search(r"[A-ZÄÖÜ]", name):
            continue
        sentence = analysis.sentences.index(analysis.sentence_at(start))
        add(text[start:end], SG.Measure, name.lower(), start, end, sentence,
            "measure-quoted-name", 0.35)
    # Sentences that say someone does something, with no measure named: the sentence's words
    # are the candidate's label (low confidence; the reviewer names it).
    named = {s for m in measures for s in m.sentences}
    for index, sentence in enumerate(analysis.sentences):
        if index in named or len(sentence.tokens) < 2:
            continue
        if not any(ACTION.match(t.text.lower()) for t in sentence.tokens if t.text.islower()):
            continue
        leading = LEADING_CLAUSE.match(text, sentence.start, sentence.end)
        words = text[leading.end() if leading else sentence.start:sentence.end].split()
        label = " ".join(words[:10]) + (" …" if len(words) > 10 else "")
        add(label, SG.Measure, "sentence:" + str(index), sentence.start, sentence.end, index,
            "measure-action-sentence", 0.3)
    for measure in measures:  # the status of the first full sentence that names it
        first_full = next((i for i in sorted(measure.sentences) if full(i)), None)
        if first_full is not None:
            measure.status = status_of(analysis.sentences[first_full], text, coalition)
    return measures
