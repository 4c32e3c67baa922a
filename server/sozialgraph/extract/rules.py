"""The extraction rules: from an analysed text and a lexicon to findings (money, counts, actor
and concept mentions, measure candidates, each with its words, rule name and confidence).
Every rule is about German policy language in general; none names a document's measures.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rdflib import URIRef

from sozialgraph.extract import numbers
from sozialgraph.extract.lexicon import POLICY_AREAS, PUBLIC, TARGET_GROUPS, Lexicon
from sozialgraph.extract.nlp import Analysis, Sentence, Token, lemmas
from sozialgraph.rdf.namespaces import SG

# ---- what the findings are --------------------------------------------------------------------


@dataclass
class Proposal:
    """An actor, concept or unit the shared graphs do not have, proposed for review."""

    kind: str  # "actor", "target-group", "policy-area", "unit"
    label: str
    cls: URIRef  # the actor's class, or the concept's scheme
    closest: URIRef | None = None


@dataclass
class Mention:
    """Words of the text that name an actor or a concept (existing, or proposed)."""

    kind: str  # "actor", "target-group", "policy-area"
    start: int
    end: int
    sentence: int
    rule: str
    confidence: float
    iri: URIRef | None = None
    proposal: Proposal | None = None

    @property
    def ref(self):
        return self.iri if self.iri is not None else self.proposal.label


@dataclass
class Measure:
    label: str
    cls: URIRef
    key: str
    start: int  # of the name in its first mention
    end: int
    sentences: list[int]
    rule: str
    confidence: float
    status: str = "Ongoing"
    implicit: bool = False


@dataclass
class Figure:
    """A money amount or a count, with what its sentence says about it."""

    kind: str  # "money" or "count"
    start: int  # of the qualifier (if any) or the figure
    end: int
    value: object  # Decimal for money, int for counts
    qualifier: str
    period: numbers.Period
    sentence: int
    rule: str
    confidence: float
    status: str
    unit: str | None = None
    noun: str | None = None
    change: str | None = None
    measure: int | None = None  # index into Findings.measures
    funder: Mention | None = None


@dataclass
class Findings:
    analysis: Analysis
    figures: list[Figure] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.analysis.text


# ---- status ------------------------------------------------------------------------------------

PLANNED_WORDS = re.compile(r"\b(?:vorgesehen|geplant|in\s+Vorbereitung|in\s+Planung|"
                           r"beabsichtigt)\b", re.IGNORECASE)
FUTURE_WORDS = re.compile(r"\b(?:will|wollen|soll|sollen|möchten|künftig|zukünftig|werden\s+wir|"
                          r"wir\s+werden|planen)\b", re.IGNORECASE)
# A running measure that a text says goes on ("weiterhin", "Fortführung", "bleibt"): in a
# coalition agreement that is not a new pledge (docs/model.md, continuations).
CONTINUATION = re.compile(r"\b(?:weiterhin|weiter|Fortführung|fortführen|fortgeführt|"
                          r"weitergeführt|weiterführen|bleibt|bleiben)\b", re.IGNORECASE)
PAST_AUXILIARIES = {"wurde", "wurden", "worden", "war", "waren", "hatte", "hatten"}
PERFECT_AUXILIARIES = {"hat", "haben", "ist", "sind"}
PARTICIPLE = re.compile(r"^(?:ge\w{3,}(?:t|en)|\w{3,}iert|\w+ge\w{3,}(?:t|en))$")
# Participles of a change that happens once (against "gefördert", which goes on).
EVENT = re.compile(r"(?:erhöht|aufgestockt|angehoben|eingerichtet|geschaffen|bereitgestellt|"
                   r"eingeführt|ausgebaut|beschlossen|errichtet|gegründet|verdoppelt)")
PASSIVE_PRESENT = re.compile(r"\b(?:wird|werden)\b", re.IGNORECASE)
DETERMINERS = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einen",
               "einem", "mit", "von", "zur", "zum", "für", "und"}


def _finite_past(tokens) -> bool:
    """A lexical verb in the simple past ("gründete", "stellten"), not a participle used as an
    adjective ("der vergüteten Ausbildung", "vernetzte Angebote")."""
    for number, token in enumerate(tokens):
        low, lemma = token.text.lower(), token.lemma.lower()
        if not (token.text.islower() and low.endswith(("te", "ten")) and lemma.endswith("en")
                and lemma != low and low.startswith(lemma[:-2]) and len(lemma) > 4):
            continue
        after = tokens[number + 1].text if number + 1 < len(tokens) else "."
        before = tokens[number - 1].text.lower() if number else ""
        if after[:1].isupper() or before in DETERMINERS or (
                _is_adjective_form(after) and after.lower() not in DETERMINERS):
            continue
        return True
    return False


def _is_adjective_form(word: str) -> bool:
    return word[:1].islower() and word.endswith(("e", "en", "er", "es", "em")) and len(word) > 3


def status_of(sentence: Sentence, text: str, coalition: bool) -> str:
    """The status a sentence's verbs give: Planned (or Pledged in a coalition agreement) for
    intentions and the future, Done for perfect and past, Ongoing for the present and for
    what goes on. In a coalition agreement every point is a pledge unless it continues."""
    words = text[sentence.start:sentence.end]
    lowered = [t.text.lower() for t in sentence.tokens]
    if coalition:
        return "Ongoing" if CONTINUATION.search(words) else "Pledged"
    participle = any(PARTICIPLE.match(w) for w in lowered)
    if PLANNED_WORDS.search(words):
        return "Planned"
    if FUTURE_WORDS.search(words) or (PASSIVE_PRESENT.search(words) and not participle
                                      and not any(w.endswith("t") for w in lowered[-2:])):
        return "Planned"
    if PASSIVE_PRESENT.search(words) and any(EVENT.fullmatch(w) for w in lowered):
        return "Planned"  # "wird um 15.000 Euro erhöht": a change that is to happen
    if any(w in PAST_AUXILIARIES for w in lowered):
        return "Done"
    if any(w in PERFECT_AUXILIARIES for w in lowered) and (
            participle or any(w.endswith("t") and w.isalpha() for w in lowered[-2:])):
        return "Done"
    if _finite_past(sentence.tokens):
        return "Done"
    return "Ongoing"


# ---- actors and concepts ---------------------------------------------------------------------


def _match_labels(sentence: Sentence, index: int, labels, kind_of, rule: str,
                  taken: list[tuple[int, int]]) -> list[Mention]:
    """Mentions of `labels` in a sentence, longest first, never overlapping."""
    found, keys = [], [t.key for t in sentence.tokens]
    for label in labels:
        size = len(label.keys)
        for i in range(len(keys) - size + 1):
            if tuple(keys[i:i + size]) != label.keys:
                continue
            if label.needs_article and (i == 0 or sentence.tokens[i - 1].text.lower() not in
                                        ("der", "die", "das", "des", "dem", "den")):
                continue
            following = sentence.tokens[i + size] if i + size < len(sentence.tokens) else None
            if label.needs_article and following is not None and following.text[:1].isupper():
                continue  # "die Stadt Marburg" names another city than "die Stadt"
            start, end = sentence.tokens[i].start, sentence.tokens[i + size - 1].end
            if any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            confidence = 0.7 if label.variant else 0.9 if size > 1 or len(label.text) > 5 else 0.7
            found.append(Mention(kind_of(label.iri), start, end, index, rule, confidence,
                                 iri=label.iri))
    return found


def _compound_concepts(sentence: Sentence, index: int, lexicon: Lexicon, labels, kind_of,
                       taken: list[tuple[int, int]]) -> list[Mention]:
    """Concepts named as a part of a German compound: "Frauenhäuser" -> women,
    "Kinderarmut" -> children and poverty."""
    found = []
    singles = [lab for lab in labels if len(lab.keys) == 1 and len(lab.text) >= 5
               and " " not in lab.text]
    for token in sentence.tokens:
        if any(a < token.end and token.start < b for a, b in taken) or not token.text[:1].isupper():
            continue
        word = token.text.lower().replace("-", "")
        for label in singles:
            part = label.text.lower()
            if len(word) - len(part) < 4:
                continue
            if word.startswith(part) or word.endswith(part) or \
                    word.startswith(label.keys[0]) and len(label.keys[0]) >= 5:
                found.append(Mention(kind_of(label.iri), token.start, token.end, index,
                                     "concept-compound-part", 0.55, iri=label.iri))
    return found


MINISTERIAL = {SG.Ministry, SG.Government}
# Organisations the shared actors may lack, by the form of their names.
# A capitalised name, ending where a scraped page glued the next word on ("PflegeÖffnet").
_NAME = r"[A-ZÄÖÜ](?:[a-zäöüß0-9]|[A-ZÄÖÜ](?![a-zäöüß])|-[A-ZÄÖÜa-zäöüß0-9])+"
ORGANISATION_PATTERNS: tuple[tuple[str, URIRef, str], ...] = (
    (r"(?:Hessische[sn]?\s+)?Ministerium\s+(?:für|der|des)\s+" + _NAME +
     r"(?:(?:,\s*|\s+und\s+)" + _NAME + r")*", SG.Ministry, "actor-pattern-ministry"),
    (r"Regierungspräsidium\s+" + _NAME, SG.Agency, "actor-pattern-regierungspraesidium"),
    (r"(?:Landesamt|Amt|Bundesamt|Landesamtes|Amtes)\s+für\s+" + _NAME +
     r"(?:\s+und\s+" + _NAME + r")*", SG.Agency, "actor-pattern-agency"),
    (r"(?:Stadt|Gemeinde|Universitätsstadt|Wissenschaftsstadt)\s+(?!und\b)" + _NAME,
     SG.Municipality, "actor-pattern-municipality"),
    (r"(?:Landkreis|Landkreises|Kreis|Kreises)\s+" + _NAME + r"|" + _NAME + r"-Kreis(?:es)?\b",
     SG.District, "actor-pattern-district"),
    (r"(?:Caritasverband|Diakonie|Diakonisches\s+Werk|Arbeiterwohlfahrt|AWO|"
     r"Deutsche[sn]?\s+Rote[sn]?\s+Kreuz|DRK|Paritätische[rn]?(?:\s+Wohlfahrtsverband)?|"
     r"Jüdische[rn]?\s+Wohlfahrtsverband|Volkssolidarität)(?:\s+" + _NAME + r")?",
     SG.WelfareAssociation, "actor-pattern-welfare"),
    (r"(?:[A-ZÄÖÜ][a-zäöüß-]+(?:verein|verband|stiftung)\b|(?:Verein|Verband|Stiftung)\s+"
     r"(?:für|der|zur|zum)\s+" + _NAME + r")(?:\s+" + _NAME + r")?(?:\s+e\.\s?V\.)?",
     SG.Association, "actor-pattern-association"),
)
PERSON_GROUP = re.compile(r"\b(?:Menschen|Kinder[n]?|Frauen|Familien|Jugendliche[n]?|Eltern|"
                          r"Männer[n]?|Personen)\s+(?:mit|ohne|in|aus)\s+(?:einer\s+|einem\s+)?"
                          + _NAME)
POLICY_WORD = re.compile(r"\b" + _NAME + r"politik\b")


def _organisations(text: str, analysis: Analysis, lexicon: Lexicon,
                   taken: list[tuple[int, int]]) -> list[Mention]:
    """Organisations named by the form of their names; one whose words are an existing
    actor's label is that actor, the others are proposed."""
    found = []
    known = {label.keys: label.iri for label in lexicon.actors}
    for pattern, cls, rule in ORGANISATION_PATTERNS:
        for match in re.finditer(pattern, text):
            start, end = match.start(), match.end()
            name = match.group(0)
            if any(a < end and start < b for a, b in taken) or name.endswith("verbände"):
                continue
            taken.append((start, end))
            sentence = analysis.sentences.index(analysis.sentence_at(start))
            keys = tuple(t.key for t in lemmas(name))
            if keys in known:
                found.append(Mention("actor", start, end, sentence, "actor-label", 0.9,
                                     iri=known[keys]))
                continue
            proposal = Proposal("actor", name, cls, lexicon.closest_actor(name, cls))
            found.append(Mention("actor", start, end, sentence, rule, 0.6, proposal=proposal))
    return found


def _proposed(text: str, analysis: Analysis, lexicon: Lexicon,
              taken: list[tuple[int, int]]) -> list[Mention]:
    found = []
    for pattern, scheme, kind, rule in ((PERSON_GROUP, TARGET_GROUPS, "target-group",
                                         "concept-proposed-person-group"),
                                        (POLICY_WORD, POLICY_AREAS, "policy-area",
                                         "concept-proposed-policy")):
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if any(a <= start and end <= b for a, b in taken):
                continue
            taken.append((start, end))
            sentence = analysis.sentences.index(analysis.sentence_at(start))
            name = match.group(0)
            proposal = Proposal(kind, name, scheme, lexicon.closest_concept(name, scheme))
            found.append(Mention(kind, start, end, sentence, rule, 0.4, proposal=proposal))
    return found


def find_mentions(analysis: Analysis, lexicon: Lexicon) -> list[Mention]:
    def actor(_iri):
        return "actor"

    def concept(iri):
        return "policy-area" if lexicon.scheme_of.get(iri) == POLICY_AREAS else "target-group"

    mentions, actor_taken = [], []
    # names of several words first, then organisations by the form of their names, then the
    # one-word names ("Landkreis Kassel" is not "Kassel"; "Landesamt für …" may be a label's)
    long_labels = [lab for lab in lexicon.actors if len(lab.keys) > 1]
    for index, sentence in enumerate(analysis.sentences):
        mentions += _match_labels(sentence, index, long_labels, actor, "actor-label",
                                  actor_taken)
    mentions += _organisations(analysis.text, analysis, lexicon, actor_taken)
    schemes = {POLICY_AREAS: [], TARGET_GROUPS: []}  # a word may name a group and an area
    for index, sentence in enumerate(analysis.sentences):
        mentions += _match_labels(sentence, index, lexicon.actors, actor, "actor-label",
                                  actor_taken)
        ministries = [(m.start, m.end) for m in mentions if m.kind == "actor" and (
            m.iri is not None and lexicon.actor_types.get(m.iri, set()) & MINISTERIAL or
            m.proposal is not None and m.proposal.cls in MINISTERIAL)]
        for scheme, taken in schemes.items():
            # a ministry's portfolio in its name is not what the sentence is about ("… für
            # Soziales und Integration"); a commissioner's group is ("… für Menschen mit …")
            taken[:] = sorted(set(taken) | set(ministries))
            labels = [lab for lab in lexicon.concepts if lexicon.scheme_of[lab.iri] == scheme]
            mentions += _match_labels(sentence, index, labels, concept, "concept-label", taken)
            mentions += _compound_concepts(sentence, index, lexicon, labels, concept, taken)
    concept_taken = schemes[POLICY_AREAS] + schemes[TARGET_GROUPS]
    mentions += _proposed(analysis.text, analysis, lexicon, actor_taken + concept_taken)
    return sorted(mentions, key=lambda m: (m.start, m.end))


# ---- measures ----------------------------------------------------------------------------------

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


def _is_adjective(token: Token) -> bool:
    low = token.text.lower()
    return (token.text[:1].islower() and low not in LINKERS and len(low) > 3
            and low.endswith(("e", "en", "er", "es", "em")) and low.isalpha())


def find_measures(analysis: Analysis, mentions: list[Mention], coalition: bool
                  ) -> list[Measure]:
    text, measures, by_key = analysis.text, [], {}
    quotes = [(m.start(), m.end(), m.group(1)) for m in QUOTE.finditer(text)]
    concept_words = {(m.start, m.end) for m in mentions if m.kind != "actor" and m.iri}
    actor_spans = [(m.start, m.end) for m in mentions if m.kind == "actor"]

    def add(label, cls, key, start, end, sentence, rule, confidence):
        label = label.strip(" ,;:–-")
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
        words = text[sentence.start:sentence.end].split()
        label = " ".join(words[:10]) + (" …" if len(words) > 10 else "")
        add(label, SG.Measure, "sentence:" + str(index), sentence.start, sentence.end, index,
            "measure-action-sentence", 0.3)
    for measure in measures:  # the status of the first full sentence that names it
        first_full = next((i for i in sorted(measure.sentences) if full(i)), None)
        if first_full is not None:
            measure.status = status_of(analysis.sentences[first_full], text, coalition)
    return measures


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


def link(findings: Findings, lexicon: Lexicon, default_actor: URIRef, level_public=True):
    """Give each figure its measure (named in its sentence, else the paragraph's or heading's
    latest, else an implicit measure made from its "für …" phrase) and its funder (a public
    actor its sentence names, else the document's own actor)."""
    analysis, text = findings.analysis, findings.text
    by_sentence: dict[int, list[int]] = {}
    for number, measure in enumerate(findings.measures):
        for sentence in measure.sentences:
            by_sentence.setdefault(sentence, []).append(number)
    for figure in findings.figures:
        candidates = by_sentence.get(figure.sentence, [])
        if candidates:
            figure.measure = min(candidates, key=lambda n: _distance(findings, n, figure))
        else:
            line = analysis.sentences[figure.sentence].line
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
    del text


def _distance(findings: Findings, number: int, figure: Figure) -> int:
    measure = findings.measures[number]
    return abs(measure.start - figure.start)


def _implicit_measure(findings: Findings, figure: Figure) -> int:
    text, analysis = findings.text, findings.analysis
    sentence = analysis.sentences[figure.sentence]
    what = FOR_WHAT.match(text, figure.end, sentence.end)
    if what:
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
LEADING_CLAUSE = re.compile(r"(?:Um|Damit|Wenn|Während|Da|Weil|Obwohl|Sofern|Nachdem)\b[^,]*,\s*")
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


def concepts_for(findings: Findings, sentences: list[int], kind: str) -> list[Mention]:
    return [m for m in findings.mentions if m.kind == kind and m.sentence in sentences]


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
                     default_actor: URIRef, as_of_year: int | None = None) -> Findings:
    findings = Findings(analysis)
    findings.mentions = find_mentions(analysis, lexicon)
    findings.measures = find_measures(analysis, findings.mentions, coalition)
    findings.figures = find_figures(analysis, coalition, as_of_year)
    link(findings, lexicon, default_actor)
    return findings
