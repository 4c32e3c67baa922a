"""Numbers in German policy text: money expressions, counts of things, the words that qualify
them and the periods they are for. Plain functions over a string and character offsets; number
words are read by `text2num` (imported when first needed).

Offsets are Python str indices of the text given, end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

# ---- numbers --------------------------------------------------------------------------------

# Digits with German separators: 1.400 / 250.000 / 4,5 / 2,03 / 19,2 (a dot groups thousands,
# a comma is the decimal mark). A number inside a date, a version or a phone number is refused
# by the boundaries: no digit, dot+digit, slash or § around it.
DIGITS = (r"(?<![\d.,/§-])(?:\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+|\d+)"
          r"(?:,\d+|,-{1,2}|,–)?(?![\d]|[.,/]\d)")
SCALES = {
    "tsd.": 10**3, "tausend": 10**3,
    "mio.": 10**6, "mio": 10**6, "million": 10**6, "millionen": 10**6,
    "mrd.": 10**9, "mrd": 10**9, "milliarde": 10**9, "milliarden": 10**9,
}
SCALE = r"(?:Tsd\.|Tausend|Mio\.?|Millionen|Million|Mrd\.?|Milliarden|Milliarde)"
CURRENCY = r"(?:Euro|EUR|€|TEUR|T€)"  # TEUR, T€: thousands of euros (budget tables)
# Number words are letters only; text2num decides whether they are one. The articles that
# also mean "one" ("eine Million") are read as 1 only before a scale word.
WORD = r"[A-Za-zÄÖÜäöüß]+"
ARTICLE_ONE = {"ein", "eine", "einer", "einem", "einen", "eines"}


def parse_digits(raw: str) -> Decimal:
    """'1.400' -> 1400, '4,5' -> 4.5, '250 000' (no-break or thin space) -> 250000,
    '5.000,-' -> 5000 (German separators)."""
    raw = re.sub(r",[-–]+$", "", raw)
    raw = re.sub(r"[.\u00a0\u202f\u2009]", "", raw)
    return Decimal(raw.replace(",", "."))


@lru_cache(maxsize=4096)
def number_word(word: str) -> int | None:
    """The value of a German number word ('zwölf' -> 12, 'dreiunddreißig' -> 33), else None."""
    lowered = word.lower()
    if lowered in ARTICLE_ONE:
        return 1
    from text_to_num import text2num

    try:
        return int(text2num(lowered, "de"))
    except (ValueError, IndexError, KeyError):
        return None


# ---- qualifiers -----------------------------------------------------------------------------

# Words before a number that qualify it, and the ontology's qualifier individual for each.
QUALIFIERS: tuple[tuple[str, str], ...] = (
    (r"mehr\s+als", "MoreThan"), (r"über", "MoreThan"),
    (r"bis\s+zu", "AtMost"), (r"höchstens", "AtMost"), (r"maximal", "AtMost"),
    (r"mindestens", "AtLeast"), (r"wenigstens", "AtLeast"),
    (r"rund", "About"), (r"etwa", "About"), (r"ca\.", "About"), (r"circa", "About"),
    (r"ungefähr", "About"), (r"annähernd", "About"),
    (r"knapp", "Almost"), (r"fast", "Almost"), (r"nahezu", "Almost"), (r"beinahe", "Almost"),
)
# Words that may stand between the qualifier and the number ("über jährlich 5 Mio." is rare,
# "bis zu jährlich" and "jährlich bis zu" both occur).
_FILLER = r"(?:(?:jährlich|insgesamt|jeweils|zusätzlich(?:e|en)?|weitere(?:n)?|pro\s+Jahr)\s+)?"
QUALIFIER_BEFORE = re.compile(
    r"(?<![\wÄÖÜäöüß])(" + "|".join(p for p, _ in QUALIFIERS) + r")\s+" + _FILLER + r"$",
    re.IGNORECASE)


def qualifier_before(text: str, start: int) -> tuple[str, int]:
    """(qualifier name, start of the qualifying words) for the number at `start`; 'Exact' and
    `start` when no qualifying word stands right before it."""
    window = text[max(0, start - 40):start]
    found = QUALIFIER_BEFORE.search(window)
    if not found:
        return "Exact", start
    words = found.group(1).lower()
    for pattern, name in QUALIFIERS:
        if re.fullmatch(pattern, words, re.IGNORECASE):
            return name, start - len(window) + found.start()
    return "Exact", start


# ---- periods --------------------------------------------------------------------------------

YEAR = r"(?:19|20)\d{2}"
PER_YEAR = re.compile(r"\b(?:jährlich(?:e|en|er|es)?|pro\s+Jahr|je\s+Jahr|jedes\s+Jahr|"
                      r"im\s+Jahr(?!\s+(?:19|20)\d{2})|per\s+annum|p\.\s?a\.|Jahresbudget)",
                      re.IGNORECASE)
LEADING_PERIOD_WORDS = re.compile(r"(?:jährlich|pro\s+Jahr|insgesamt|jeweils)\s*$", re.IGNORECASE)
TOTAL = re.compile(r"\b(?:insgesamt|einmalig(?:e|en)?|Gesamtsumme|gesamt)\b", re.IGNORECASE)
EACH = re.compile(r"\bjeweils\b", re.IGNORECASE)
DOUBLE_BUDGET = re.compile(r"Doppelhaushalt(?:es|s)?\s+(" + YEAR + r"/\d{2}(?:\d{2})?)")
RANGE = re.compile(r"(?:von\s+|zwischen\s+|in\s+den\s+Jahren\s+)?(" + YEAR + r")\s*(?:bis|und|-|–)\s*("
                   + YEAR + r")\b")
SLASH_RANGE = re.compile(r"(?<![\d/])(" + YEAR + r")/(\d{2}|" + YEAR + r")(?![\d/])")
SINCE = re.compile(r"\b(?:seit|ab)\s+(?:dem\s+Jahr\s+|Anfang\s+|Ende\s+)?(" + YEAR + r")\b",
                   re.IGNORECASE)
UNTIL = re.compile(r"\bbis\s+(?:zum\s+Jahr\s+|Ende\s+|einschließlich\s+)?(" + YEAR + r")\b",
                   re.IGNORECASE)
IN_YEAR = re.compile(r"\b(?:im\s+Jahr(?:e)?|im\s+Haushalt(?:sjahr)?|für(?:\s+das\s+Jahr)?|in|Anfang|Ende|"
                     r"Herbst|Frühjahr|Sommer|Winter)\s+(" + YEAR + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """What a passage says about the time of an amount or count."""

    periodicity: str = "PeriodicityNotStated"  # PerYear, Total, PeriodicityNotStated
    period_type: str | None = None  # InYear, YearRange, SinceYear, UntilYear
    start: int | None = None
    end: int | None = None
    budget: str | None = None  # "2018/19", as the text names a double budget
    words: tuple[tuple[int, int], ...] = ()  # spans of the words that gave it
    relative: str | None = None  # "im vergangenen Jahr", the words of a relative year


def _full_year(first: str, second: str) -> int:
    return int(second) if len(second) == 4 else int(first[:2] + second)


RELATIVE = re.compile(r"\b(?:(?P<past>im\s+(?:vergangenen|letzten|vorigen|abgelaufenen)\s+Jahr)|"
                      r"(?P<this>(?:in\s+diesem|im\s+laufenden)\s+Jahr)|"
                      r"(?P<next>im\s+(?:kommenden|nächsten)\s+Jahr))\b", re.IGNORECASE)
# A period word right after a figure is that figure's ("250.000 Euro jährlich und 4,7 Mio.").
TRAILING_WORD = re.compile(r"\s*(?:jährlich|pro\s+Jahr|insgesamt|jeweils)\b", re.IGNORECASE)


def period_of(text: str, after: tuple[int, int], before: tuple[int, int],
              wide: tuple[int, int], shared_periodicity: bool = True,
              as_of_year: int | None = None) -> Period:
    """The period of an amount or count: what the words after it (up to the next figure) say,
    else the words before it (from the previous figure), else the sentence `wide` for what it
    says of all its figures (a double budget, "seit", "bis"; "jährlich" only when
    `shared_periodicity`, i.e. the sentence has no other figure the word could belong to).
    A relative year ("im vergangenen Jahr") becomes a year only with `as_of_year`."""
    words: list[tuple[int, int]] = []
    budget = None
    sentence = text[wide[0]:wide[1]]
    for found in DOUBLE_BUDGET.finditer(sentence):
        budget = found.group(1)
        words.append((wide[0] + found.start(), wide[0] + found.end()))
    budget_spans = [(wide[0] + m.start(1), wide[0] + m.end(1)) for m in
                    DOUBLE_BUDGET.finditer(sentence)]
    if before[0] > wide[0]:  # skip the previous figure's own trailing period word
        trailing = TRAILING_WORD.match(text, before[0], before[1])
        if trailing:
            before = (trailing.end(), before[1])

    def search(span):
        part = text[span[0]:span[1]]
        for pattern, kind in ((RANGE, "YearRange"), (SLASH_RANGE, "YearRange"),
                              (SINCE, "SinceYear"), (UNTIL, "UntilYear"), (IN_YEAR, "InYear")):
            for found in pattern.finditer(part):
                where = (span[0] + found.start(), span[0] + found.end())
                if any(b[0] <= where[0] < b[1] or where[0] <= b[0] < where[1]
                       for b in budget_spans) and kind != "InYear":
                    continue  # the double budget's own years are not the amount's period
                if kind == "YearRange":
                    first, last = int(found.group(1)), _full_year(found.group(1), found.group(2))
                    if last <= first:
                        continue
                    return kind, first, last, where, None
                year = int(found.group(1))
                if kind == "InYear" and any(b[0] <= where[0] + len(found.group(0)) - 4 < b[1]
                                            for b in budget_spans):
                    continue
                return (kind, year if kind != "UntilYear" else None,
                        year if kind != "SinceYear" else None, where, None)
        relative = RELATIVE.search(part)
        if relative and as_of_year is not None:
            year = as_of_year + {"past": -1, "this": 0, "next": 1}[relative.lastgroup]
            return ("InYear", year, year, (span[0] + relative.start(), span[0] + relative.end()),
                    relative.group(0))
        return None

    found = search(after) or search(before) or search(wide)
    period_type = start = end = relative = None
    if found:
        period_type, start, end, where, relative = found
        words.append(where)
    periodicity = "PeriodicityNotStated"
    scopes = (after, before, wide) if shared_periodicity else (after, before)
    for offset, stop in scopes:
        scope = text[offset:stop]
        per_year = PER_YEAR.search(scope)
        each = EACH.search(scope)
        total = TOTAL.search(scope)
        if per_year:
            periodicity = "PerYear"
            words.append((offset + per_year.start(), offset + per_year.end()))
        elif each and period_type == "YearRange":
            periodicity = "PerYear"
            words.append((offset + each.start(), offset + each.end()))
        elif total and period_type is not None:
            periodicity = "Total"
            words.append((offset + total.start(), offset + total.end()))
        if periodicity != "PeriodicityNotStated":
            break
    if periodicity == "PeriodicityNotStated" and period_type in ("SinceYear", "UntilYear",
                                                                   "YearRange", "InYear"):
        # a sum over a period the text names ("seit 2020 … 110 Millionen", "für 2018")
        periodicity = "Total"
    return Period(periodicity, period_type, start, end, budget, tuple(words), relative)


# ---- money ----------------------------------------------------------------------------------

MONEY = re.compile(
    r"(?:(?P<digits>" + DIGITS + r")|(?P<word>(?<![\wÄÖÜäöüß])" + WORD + r"))"
    r"\s*(?P<scale>" + SCALE + r")?\s*(?P<currency>" + CURRENCY + r")(?![\wÄÖÜäöüß])"
    r"|(?P<pre>€|EUR)\s*(?P<pdigits>" + DIGITS + r")\s*(?P<pscale>" + SCALE + r")?")


@dataclass(frozen=True)
class Money:
    value: Decimal
    start: int  # of the figure (qualifying words not included)
    end: int
    qualifier: str
    qualifier_start: int
    change: str | None  # "IncreaseBy" ("um X erhöht"), "RaisedTo" ("auf X aufgestockt")
    rule: str


# An increase: "um X erhöht", "Erhöhung um X"; a new level: "auf X erhöht/aufgestockt".
_RISE = r"(?:erhöh|aufgestockt|aufstock|Aufstockung|angehoben|anheb|steiger|gesteigert|Anstieg|anstieg)"
INCREASE_BEFORE = re.compile(r"\bum\s+$")
LEVEL_BEFORE = re.compile(r"\bauf\s+$")


def find_money(text: str) -> list[Money]:
    """Every money expression of `text`, in order."""
    found = []
    for match in MONEY.finditer(text):
        if match.group("pre"):
            raw, scale_word, rule = match.group("pdigits"), match.group("pscale"), "money-prefix-currency"
            start, end = match.start("pdigits"), match.end()
            value = parse_digits(raw)
            start = match.start()
        elif match.group("digits"):
            raw, scale_word, rule = match.group("digits"), match.group("scale"), "money-digits"
            value, start, end = parse_digits(raw), match.start(), match.end()
        else:
            scale_word = match.group("scale")
            word_value = number_word(match.group("word"))
            if word_value is None or (scale_word is None and match.group("word").lower()
                                      in ARTICLE_ONE):
                continue
            value, start, end, rule = Decimal(word_value), match.start(), match.end(), \
                "money-number-word"
        if scale_word:
            value *= SCALES[scale_word.lower()]
            rule += "-scaled"
        if (match.group("currency") or "").startswith("T"):
            value *= 1000
            rule += "-thousands"
        if value <= 0:
            continue
        qualifier, qualifier_start = qualifier_before(text, start)
        change = None
        before = text[max(0, qualifier_start - 8):qualifier_start]
        sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
        sentence_end = min(i for i in (text.find(". ", end), text.find("\n", end), len(text))
                           if i >= 0)
        rises = re.search(_RISE, text[sentence_start:sentence_end], re.IGNORECASE)
        if INCREASE_BEFORE.search(before) and rises:
            change = "IncreaseBy"
        elif LEVEL_BEFORE.search(before) and rises:
            change = "RaisedTo"
        if change is None and found and found[-1].change and re.fullmatch(
                r"[^.;!?]{0,40}\bund\s*", text[found[-1].end:qualifier_start]):
            change = found[-1].change  # "um 2 Mio. Euro für 2018 und 4 Mio. Euro für 2019"
        if value == value.to_integral():
            value = Decimal(int(value))
        found.append(Money(value, start, end, qualifier, qualifier_start, change, rule))
    return found


# ---- counts ---------------------------------------------------------------------------------

# What a count counts, by the end of the noun (German compounds put the head last):
# (regular expression for the noun's ending, unit name). Units the ontology's enumeration lacks
# (houses, rooms, posts) are proposed: see sozialgraph.extract.draft.
UNITS: tuple[tuple[str, str], ...] = (
    (r"ausbildungspl(?:atz|ätze|ätzen)", "UnitTrainingPlace"),
    (r"pl(?:atz|ätze|ätzen)", "UnitPlace"),
    (r"bett(?:en)?", "UnitPlace"),
    (r"(?:zentrum|zentren|center|centern)", "UnitCentre"),
    (r"(?:beratungs|anlauf|fach|koordinierungs|service)stellen?", "UnitCentre"),
    (r"projekt(?:e|en)?", "UnitProject"),
    (r"(?:quartier(?:e|en)?|stadtteil(?:e|en)?)", "UnitNeighbourhood"),
    (r"landkreis(?:e|en)?", "UnitDistrict"),
    (r"(?:kreisfreie(?:n)?\s+)?städte(?:n)?", "UnitCity"),
    (r"(?:lernclips?|clips?|videos?|lernvideos?)", "UnitVideo"),
    (r"(?:haus|häuser|häusern)", "House"),
    (r"(?:zimmer|zimmern|raum|räume|räumen)", "Room"),
    (r"(?:stelle|stellen|planstellen?|personalstellen?)", "Post"),
)
PROPOSED_UNITS = {"House": ("Haus", "house"), "Room": ("Raum", "room"),
                  "Post": ("Stelle", "post")}
# Between the number and the counted noun: adjectives, "weitere", "neue", "zusätzliche" …, up
# to three words, lower-case (a capitalised word is a noun, and the count's noun if any).
_BETWEEN = r"(?:(?:[a-zäöüß][\wäöüß-]*|und|oder)\s+){0,4}?"
NUMBER = re.compile(r"(?P<digits>" + DIGITS + r")|(?<![\wÄÖÜäöüß])(?P<word>" + WORD + r")")
COUNTED = re.compile(r"\s+(?P<between>" + _BETWEEN + r")"
                     r"(?P<noun>kreisfreie(?:n)?\s+Städte(?:n)?|[A-ZÄÖÜ][\wÄÖÜäöüß-]*)")
# A number that is a year, a date, a paragraph, a phone number or an ordinal is no count.
NOT_A_COUNT_BEFORE = re.compile(r"(?:§+|Art\.|Artikel|Abs\.|Absatz|Nr\.|Nummer|SGB|Tel\.?|"
                                r"Telefon|Fax|Seite|S\.|Jahr(?:e|en)?|Kapitel)\s*$", re.IGNORECASE)
MONTHS = re.compile(r"(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|"
                    r"November|Dezember)\b")


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int  # of the counted noun
    noun: str
    unit: str
    qualifier: str
    qualifier_start: int
    rule: str


def unit_of(noun: str) -> str | None:
    """The unit a noun counts, by its (compound) ending; None if it is no countable thing."""
    lowered = noun.lower()
    for pattern, unit in UNITS:
        if re.fullmatch(r"(?:[\wäöüß-]*?)" + pattern, lowered):
            return unit
    return None


def find_counts(text: str, money: list[Money] = ()) -> list[Count]:
    """Every count of things of `text`: a number and the countable noun it counts."""
    taken = [(m.start, m.end) for m in money]
    found = []
    for number in NUMBER.finditer(text):
        start = number.start()
        if any(a <= start < b for a, b in taken):
            continue
        match = COUNTED.match(text, number.end())
        if not match:
            continue
        if number.group("digits"):
            raw = number.group("digits")
            if "," in raw or raw.startswith("0"):
                continue  # no count has a decimal part; a leading 0 is a phone number or code
            value, rule = int(parse_digits(raw)), "count-digits"
            if re.fullmatch(r"(?:19|20)\d{2}", raw) and match.group("between"):
                continue  # "2021 neue Plätze" reads as a year before a phrase
        else:
            word = number.group("word")
            if word.lower() in ARTICLE_ONE:
                continue  # "ein Projekt" is an article, not a count
            value_or_none = number_word(word)
            if value_or_none is None:
                continue
            value, rule = value_or_none, "count-number-word"
        if value <= 0 or NOT_A_COUNT_BEFORE.search(text[max(0, start - 12):start]):
            continue
        if MONTHS.match(match.group("noun")):
            continue
        unit = unit_of(match.group("noun"))
        if unit is None:
            continue
        qualifier, qualifier_start = qualifier_before(text, start)
        found.append(Count(value, start, match.end("noun"), match.group("noun"), unit,
                           qualifier, qualifier_start, rule))
    return found
