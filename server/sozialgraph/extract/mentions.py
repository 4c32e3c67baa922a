"""Mentions of actors and concepts: the shared graphs' labels (by lemma, and as parts of German
compounds), organisations proposed by the form of their names, target groups and policy areas
proposed by pattern."""

from __future__ import annotations

import re

from rdflib import URIRef

from sozialgraph.extract.findings import Mention, Proposal
from sozialgraph.extract.lexicon import POLICY_AREAS, TARGET_GROUPS, Lexicon
from sozialgraph.extract.nlp import Analysis, Sentence, lemmas
from sozialgraph.rdf.namespaces import SG


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
            if any(a < end and start < b for a, b in taken) or name.endswith("verbände") \
                    or "\n" in name:  # a name does not run on into the next line
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
            if any(a <= start and end <= b for a, b in taken) or "\n" in match.group(0):
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
