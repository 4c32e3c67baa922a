"""What a synthetic document states: measures, funding (with increases in a double budget) and
quantities, each with the sentence that states it (Document.sentence). The order of every random
draw is part of the output: same seed, same bytes. Imports proportions, terms, world and
sozialgraph.rdf.namespaces; documents.py (the Document these functions write into) imports it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sozialgraph.rdf.namespaces import FUNDING, MEASURE, QUANTITY
from sozialgraph_synth.proportions import (
    AIM,
    AIMS,
    ALT_LABEL,
    ARTICLES,
    COMMENT,
    DURATION,
    IMPLEMENTER,
    INCREASE_SHARE,
    MEASURE_CLASSES,
    NUMBER_WORDS,
    PART_OF,
    PERIOD_TYPES,
    PERIODICITIES,
    PROGRAMME_CLASSES,
    QUALIFIERS,
    QUANTITY_YEAR,
    REGIONS,
    REMENTION,
    RESTATE_SHARE,
    START_YEAR,
    SUPPORTED,
    UNITS,
    capital,
    de_number,
    money_text,
)
from sozialgraph_synth.terms import RDFS, SCHEMA, SKOS, XSD, A, T, iri, lit, typed
from sozialgraph_synth.world import Measure

if TYPE_CHECKING:
    from sozialgraph_synth.documents import Document


def measure(doc: Document, status: str) -> None:
    """A new measure of the document (or, now and then, one of an earlier document again)."""
    world, rng, add = doc.world, doc.rng, doc.add
    if doc.earlier and rng.random() < REMENTION:
        m = world.measures[doc.level][rng.randrange(doc.earlier)]
        doc.restate(m)
        quote = f"Auch {ARTICLES['nom'][m.gender]} {m.label} wird weitergeführt"
        add(m.iri, T.evidence, doc.sentence(f"mention-{world.next('mention')}", quote))
        world.count("mentions", "restated")
        return
    cls, noun, gender, noun_en, _ = doc.choose.pick(
        "measure-class", MEASURE_CLASSES, [c[-1] for c in MEASURE_CLASSES])
    areas, groups = doc.areas(), doc.groups()
    n = world.next("measure")
    place = doc.town.name if doc.town else rng.choice(REGIONS)
    topic = areas[0]
    m = Measure(iri(str(MEASURE[f"synth-{n}"])), cls, f"{noun} {topic.topic_de} {place} {n}",
                f"{noun_en} {topic.topic_en} {place} {n}", gender)
    subject = m.iri
    add(subject, A, getattr(T, cls))
    add(subject, RDFS.label, lit(m.label, "de"))
    add(subject, RDFS.label, lit(m.label_en, "en"))
    if rng.random() < ALT_LABEL:
        add(subject, SKOS.altLabel, lit(f"{topic.topic_de} {place}", "de"))
    add(subject, T.level, getattr(T, doc.level))
    add(subject, T.jurisdiction, doc.jurisdiction)
    add(subject, T.status, getattr(T, status))
    if doc.town:
        responsible = (doc.town.coalition if status == "Pledged"
                       else doc.town.government or doc.town.iri)
    else:
        responsible = rng.choice(world.state_responsible)
    add(subject, T.responsibleActor, responsible)
    if status == "Pledged":  # who gives the pledge: the coalition, or whoever is responsible
        add(subject, T.pledgedBy, responsible)
    for concept in areas:
        add(subject, T.policyArea, concept.iri)
    for concept in groups:
        add(subject, T.targetGroup, concept.iri)
    if rng.random() < AIM:
        aim_de, aim_en = rng.choice(AIMS)
        add(subject, T.aim, lit(aim_de.format(t=topic.topic_de), "de"))
        add(subject, T.aim, lit(aim_en.format(t=topic.topic_en), "en"))
    if rng.random() < COMMENT:
        add(subject, RDFS.comment, lit(f"Synthetische Maßnahme, Dokument {doc.slug}.", "de"))
    programmes = [p for p in doc.measures[-30:] if p.cls in PROGRAMME_CLASSES]
    if cls not in PROGRAMME_CLASSES and programmes and rng.random() < PART_OF:
        add(subject, T.partOf, rng.choice(programmes).iri)  # earlier in the text: no cycles
    if cls == "Agreement":
        count = min(len(world.providers), rng.randint(2, 4))
        for partner in rng.sample(world.providers, count):
            add(subject, T.partner, partner)
    elif rng.random() < IMPLEMENTER:
        add(subject, T.implementingActor, rng.choice(world.providers))
    if rng.random() < SUPPORTED:
        add(subject, T.supportedActor, rng.choice(world.towns).iri)
    if rng.random() < START_YEAR:
        add(subject, T.startYear, typed(rng.randint(2010, doc.year), XSD.gYear))
    if rng.random() < DURATION:
        add(subject, T.duration, typed(f"P{rng.randint(1, 5)}Y", XSD.duration))
    add(subject, T.evidence, doc.sentence(f"measure-{n}", *_measure_quote(doc, status, m)))
    doc.measures.append(m)
    world.measures[doc.level].append(m)
    world.count("measures", cls)


def _measure_quote(doc: Document, status: str, m: Measure) -> tuple[str, str, bool]:
    rng = doc.rng
    acc = f"{ARTICLES['acc'][m.gender]} {m.label}"
    nom = f"{ARTICLES['nom'][m.gender]} {m.label}"
    if status == "Pledged" and rng.random() < 0.4:  # a line of the agreement's overview
        return f"{m.label} {rng.choice(['ausbauen', 'stärken', 'weiterentwickeln'])}", "", True
    subject = "Die Stadt" if doc.town else rng.choice(["Die Landesregierung", "Das Land"])
    return rng.choice({
        "Done": [f"{subject} hat {acc} eingeführt",
                 f"{capital(nom)} wurde {doc.year} erfolgreich umgesetzt"],
        "Ongoing": [f"{subject} setzt {acc} um",
                    f"{capital(nom)} wird fortgeführt und weiter ausgebaut"],
        "Planned": [f"{capital(nom)} ist in Vorbereitung",
                    f"Für {doc.year + 1} ist {nom} vorgesehen"],
        "Pledged": [f"Wir wollen {acc} schaffen", f"Wir setzen uns für {acc} ein"],
    }[status]), "", False


def funding(doc: Document, status: str) -> None:
    """A funding fact about a measure: funder, amount, periodicity and period, as a sentence."""
    world, rng, choose = doc.world, doc.rng, doc.choose
    m, here = doc.subject_measure()
    if doc.town:
        funder = ((doc.town.iri, f"Die {doc.town.label}") if rng.random() < 0.9
                  else world.state_funders[0])
    else:
        funder = choose.pick("state-funder", world.state_funders, world.funder_weights)
    periodicity = choose.pick("periodicity", *zip(*PERIODICITIES))
    period = choose.pick("period-type", *zip(*PERIOD_TYPES))
    qualifier, qualifier_text, _, _ = choose.pick("qualifier", QUALIFIERS,
                                                  [q[2] for q in QUALIFIERS])
    value = _amount(doc)
    year = rng.randint(2014, 2026)
    start, end, budget, when = {
        "InYear": (year, year, None, rng.choice([f" im Jahr {year}", f" {year}"])),
        "YearRange": (year, year + rng.randint(1, 4), None, ""),
        # an amount "im Doppelhaushalt 2018/19 … für 2018": the year it is for, the budget named
        "DoubleBudget": (year, year, f"{year}/{(year + 1) % 100:02d}", ""),
        "SinceYear": (year, None, None, f" seit {year}"),
        "UntilYear": (None, year, None, f" bis {year}"),
        None: (None, None, None, ""),
    }[period]
    if period == "YearRange":
        when = f" von {start} bis {end}"
    elif period == "DoubleBudget":
        when, period = f" im Doppelhaushalt {budget} für {year}", "InYear"
    n = world.next("funding")
    how_often = "jährlich" if periodicity == "PerYear" else "insgesamt"
    acc = f"{ARTICLES['acc'][m.gender]} {m.label}"
    money = f"{qualifier_text}{_money(doc, value)}"
    if rng.random() < 0.25:  # a caption, as under the ministry's graphics
        quote, lead = f"{capital(how_often)}{when} {money} für {acc}", "Grafik: "
    else:
        quote, lead = f"{funder[1]} fördert {acc}{when} {how_often} mit {money}", ""
    subject = iri(str(FUNDING[f"synth-{n}"]))
    evidence = doc.sentence(f"funding-{n}", quote, lead)
    _funding(doc, subject, (f"Förderung: {m.label}", f"Funding: {m.label_en}"), funder[0], m,
             value, qualifier, periodicity, period, start, end, budget, status, evidence)
    for concept in doc.areas()[:1]:
        doc.add(subject, T.policyArea, concept.iri)
    if rng.random() < 0.9:
        for concept in doc.groups():
            doc.add(subject, T.targetGroup, concept.iri)
    if rng.random() < 0.15:
        doc.add(subject, T.recipient, rng.choice(world.providers))
    doc.cite_for_measure(m, evidence, here)
    world.count("fundings", periodicity)
    first = "increase" not in world.counts["fundings"]
    if doc.level == "StateLevel" and (first or rng.random() < INCREASE_SHARE):
        _increases(doc, subject, funder[0], m, status)
    elif "restatement" not in world.counts["fundings"] or rng.random() < RESTATE_SHARE:
        differs = {"AspectPeriodicity"} | ({"AspectQualifier"} if qualifier != "Exact" else set())
        if period or start is not None or end is not None:
            differs.add("AspectPeriod")
        _restatement(doc, subject, funder[0], m, value, status, differs)


def _restatement(doc: Document, designated: str, funder: str, m: Measure, value: int,
                 status: str, differs: set[str]) -> None:
    """The same funding stated again further down, as a bare figure: exact, no period (as the
    corpus restates the 5 million a year and the childcare billion), linked to the designated
    statement with what differs."""
    n = doc.world.next("funding")
    subject = iri(str(FUNDING[f"synth-{n}"]))
    acc = f"{ARTICLES['acc'][m.gender]} {m.label}"
    evidence = doc.sentence(f"funding-{n}", f"{_money(doc, value)} für {acc}")
    _funding(doc, subject, (f"Förderung, erneut genannt: {m.label}",
                            f"Funding, stated again: {m.label_en}"),
             funder, m, value, "Exact", "PeriodicityNotStated", None, None, None, None, status,
             evidence)
    doc.add(subject, T.restates, designated)
    for aspect in sorted(differs):
        doc.add(subject, T.differsIn, getattr(T, aspect))
    doc.world.count("fundings", "restatement")


def _funding(doc: Document, subject: str, labels: tuple[str, str], funder: str, m: Measure,
             value: int, qualifier: str, periodicity: str, period: str | None,
             start: int | None, end: int | None, budget: str | None, status: str,
             evidence: str) -> None:
    add = doc.add
    amount = f"{doc.blank}a{len(doc.graph)}"
    for p, o in ((A, T.Funding), (RDFS.label, lit(labels[0], "de")),
                 (RDFS.label, lit(labels[1], "en")), (T.funder, funder),
                 (T.fundedMeasure, m.iri), (T.amount, amount),
                 (T.periodicity, getattr(T, periodicity)), (T.status, getattr(T, status)),
                 (T.sourceDocument, doc.source), (T.statedBy, doc.publisher),
                 (T.evidence, evidence)):
        add(subject, p, o)
    add(amount, A, T.MonetaryAmount)
    add(amount, SCHEMA.value, typed(f"{value}.0", XSD.decimal))
    add(amount, SCHEMA.currency, lit("EUR"))
    add(amount, T.qualifier, getattr(T, qualifier))
    _period(doc, subject, period, start, end)
    if budget:
        add(subject, T.budgetPeriod, lit(budget))


def _period(doc: Document, subject: str, period: str | None, start: int | None,
            end: int | None) -> None:
    if period:
        doc.add(subject, T.periodType, getattr(T, period))
    if start is not None:
        doc.add(subject, T.periodStart, typed(start, XSD.gYear))
    if end is not None:
        doc.add(subject, T.periodEnd, typed(end, XSD.gYear))


def _increases(doc: Document, base: str, funder: str, m: Measure, status: str) -> None:
    """One or two increases of a funding in a double budget, one per year, as in the corpus."""
    first = doc.rng.randint(2016, 2024)
    budget = f"{first}/{(first + 1) % 100:02d}"
    acc = f"{ARTICLES['acc'][m.gender]} {m.label}"
    for year in [first, first + 1][: doc.rng.randint(1, 2)]:
        value, n = _amount(doc), doc.world.next("funding")
        subject = iri(str(FUNDING[f"synth-{n}"]))
        quote = (f"Für {acc} ist im Doppelhaushalt {budget} eine Erhöhung um "
                 f"{_money(doc, value)} für {year} vorgesehen")
        evidence = doc.sentence(f"funding-{n}", quote)
        _funding(doc, subject, (f"Erhöhung {year}: {m.label}",
                                f"Increase {year}: {m.label_en}"),
                 funder, m, value, "Exact", "Total", "InYear", year, year, budget, status,
                 evidence)
        doc.add(subject, A, T.Increase)
        doc.add(subject, T.increaseOf, base)
        doc.world.count("fundings", "increase")


def _amount(doc: Document) -> int:
    """Log-uniform from 10,000 to 1.6 billion euros, two or three significant digits."""
    exponent = doc.rng.uniform(4.0, 9.2)
    magnitude = 10 ** (math.floor(exponent) - (2 if doc.rng.random() < 0.3 else 1))
    return max(1, round(10**exponent / magnitude)) * magnitude


def _money(doc: Document, value: int) -> str:
    space = "\u00a0" if doc.rng.random() < 0.05 else " "  # the corpus has some no-break spaces
    return f"{money_text(value)}{space}Euro"


def quantity(doc: Document, status: str) -> None:
    """A count about a measure (places, centres, ...) with its unit, as a sentence."""
    world, rng, add = doc.world, doc.rng, doc.add
    m, here = doc.subject_measure()
    unit, singular, plural, plural_en, (low, high), _ = doc.choose.pick(
        "unit", UNITS, [u[-1] for u in UNITS])
    qualifier, qualifier_text, _, _ = doc.choose.pick("count-qualifier", QUALIFIERS,
                                                      [q[3] for q in QUALIFIERS])
    value = rng.randint(low, high)
    number = NUMBER_WORDS[value] if 2 <= value <= 12 and rng.random() < 0.3 else \
        de_number(value)
    words = f"{qualifier_text}{number} {singular if value == 1 else plural}"
    year = rng.randint(2016, 2026) if rng.random() < QUANTITY_YEAR else None
    dat = f"{ARTICLES['dat'][m.gender]} {m.label}"
    if year:
        quote = f"{year} entstehen mit {dat} {words}"
    else:
        quote = rng.choice([f"{capital(ARTICLES['nom'][m.gender])} {m.label} umfasst {words}",
                            f"Mit {dat} entstehen {words}"])
    n = world.next("quantity")
    subject = iri(str(QUANTITY[f"synth-{n}"]))
    evidence = doc.sentence(f"quantity-{n}", quote)
    for p, o in ((A, T.Quantity), (RDFS.label, lit(f"{value} {plural}: {m.label}", "de")),
                 (RDFS.label, lit(f"{value} {plural_en}: {m.label_en}", "en")),
                 (T.quantifiedMeasure, m.iri), (SCHEMA.value, typed(value, XSD.integer)),
                 (T.unit, getattr(T, unit)), (T.qualifier, getattr(T, qualifier)),
                 (T.status, getattr(T, status)), (T.sourceDocument, doc.source),
                 (T.statedBy, doc.publisher), (T.evidence, evidence)):
        add(subject, p, o)
    if year:
        _period(doc, subject, "InYear", year, year)
    doc.cite_for_measure(m, evidence, here)
    world.count("quantities", unit)
