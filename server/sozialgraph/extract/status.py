"""The status a sentence's verbs give a measure or a statement (docs/extraction.md, Status)."""

from __future__ import annotations

import re

from sozialgraph.extract.nlp import Sentence

PLANNED_WORDS = re.compile(r"\b(?:vorgesehen|geplant|in\s+Vorbereitung|in\s+Planung|"
                           r"beabsichtigt)\b", re.IGNORECASE)
FUTURE_WORDS = re.compile(r"\b(?:will|wollen|soll|sollen|möchten|künftig|zukünftig|werden\s+wir|"
                          r"wir\s+werden|planen)\b", re.IGNORECASE)
# A running measure that a text says goes on ("weiterhin", "Fortführung", "bleibt"): in a
# coalition agreement that is not a new pledge (docs/model.md, continuations).
CONTINUATION = re.compile(r"\b(?:weiterhin|weiter|Fortführung|fortführen|fortgeführt|"
                          r"weitergeführt|weiterführen|bleibt|bleiben)\b", re.IGNORECASE)
MODAL = re.compile(r"\b(?:soll|sollen|will|wollen|möchten|muss|müssen|werden\s+wir|wir\s+werden)\b",
                   re.IGNORECASE)
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
    if coalition:  # "soll weiter unterstützt werden" is still a pledge
        return "Ongoing" if CONTINUATION.search(words) and not MODAL.search(words) \
            else "Pledged"
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
