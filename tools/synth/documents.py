"""The synthetic documents: their texts, and the measures, funding and quantities they state.

Each document is built in memory (its text and its graph), then written: the text to
corpus/<slug>.txt, its graph and its entry in the sources graph to the data file. Every fact
cites the sentence that states it, by a TextQuoteSelector and a TextPositionSelector into the
text exactly as written, as the real graph cites the real corpus.
"""

from __future__ import annotations

import hashlib
import math

from sozialgraph.rdf.namespaces import EVIDENCE, FUNDING, MEASURE, QUANTITY, SOURCE
from sozialgraph_synth.proportions import (
    AIM,
    AIMS,
    ALT_LABEL,
    ARTICLES,
    COMMENT,
    CROSS_DOCUMENT,
    DOCUMENT_KINDS,
    DURATION,
    FILLER,
    IMPLEMENTER,
    INCREASE_SHARE,
    MEASURE_CLASSES,
    NOISE_LINES,
    NUMBER_WORDS,
    PART_OF,
    PERIOD_TYPES,
    PERIODICITIES,
    PROGRAMME_CLASSES,
    QUALIFIERS,
    QUANTITY_YEAR,
    REMENTION,
    SHARED_EVIDENCE,
    START_YEAR,
    SUPPORTED,
    UNITS,
    capital,
    de_number,
    money_text,
)
from sozialgraph_synth.world import (
    DCT,
    GERMAN,
    HMSI,
    LAND_HESSEN,
    LANDESREGIERUNG,
    OA,
    RDFS,
    REGIONS,
    SCHEMA,
    SKOS,
    XSD,
    A,
    Concept,
    GraphWriter,
    Measure,
    T,
    World,
    _iri,
    _lit,
    _typed,
)

# ---- documents ----------------------------------------------------------------------------------


def write_documents(world: World, document_count: int) -> None:
    """Write the documents and the sources graph, sharing out what is left of the triple
    budget evenly: the last document stops within one fact of the requested total."""
    sources = GraphWriter(world.data, "synth-sources")
    for index in range(1, document_count + 1):
        left = world.target - world.written - sources.triples
        _write_document(world, sources, index, left / (document_count - index + 1))
    world.close(sources)


def _write_document(world: World, sources: GraphWriter, index: int, budget: float) -> None:
    rng, choose = world.rng, world.choose
    kind = choose.pick("kind", list(DOCUMENT_KINDS), [k[1] for k in DOCUMENT_KINDS.values()])
    level, _, mix, statuses = DOCUMENT_KINDS[kind]
    doc = _Document(world, f"synth-doc-{index:05d}", kind, level, rng.randint(2016, 2024))
    status_names, status_weights = zip(*statuses)
    facts = {"measure": doc.measure, "funding": doc.funding, "quantity": doc.quantity}
    while doc.triples() + _SOURCE_TRIPLES < budget or not doc.measures:
        fact = choose.pick(f"fact-{kind}", list(facts), mix)
        status = choose.pick(f"status-{kind}", status_names, status_weights)
        facts["measure" if not doc.measures else fact](status)
    doc.finish(sources)
    world.count("documents", kind)


_SOURCE_TRIPLES = 16  # triples per document in the sources graph (see _Document.finish)
_EVIDENCE_TRIPLES = 11  # triples per evidence node with its two selectors


class _Document:
    """One synthetic source document: its text, its graph and its entry in the sources graph."""

    def __init__(self, world: World, slug: str, kind: str, level: str, year: int):
        self.world, self.rng, self.choose = world, world.rng, world.choose
        self.slug, self.kind, self.level, self.year = slug, kind, level, year
        self.source = _iri(str(SOURCE[slug]))
        self.evidence_base = str(EVIDENCE[slug + "/"])
        self.blank = "_:" + slug.replace("-", "")  # blank node labels unique across documents
        self.triples_: list[str] = []  # the graph, evidence excepted ("s p o")
        self.evidence: list[tuple[str, int, int]] = []  # (evidence IRI, start, end)
        self.pieces: list[str] = []
        self.length = 0  # characters of text so far
        self.in_paragraph = 0
        self.measures: list[Measure] = []  # introduced here
        self.restated: set[str] = set()  # earlier measures this document describes again
        self.earlier = len(world.measures[level])  # measures of earlier documents at this level
        rng = self.rng
        if level == "MunicipalLevel":
            self.town = self.choose.pick("coalition", world.coalition_towns,
                                         [1] * len(world.coalition_towns))
            self.jurisdiction, self.publisher = self.town.iri, self.town.coalition
            name = self.town.name
            self.title = (f"Koalitionsvertrag {name} {year} – Soziales und Gesundheit",
                          f"Coalition agreement {name} {year} – social affairs and health")
        else:
            self.town = None
            self.jurisdiction = LAND_HESSEN
            self.publisher, name = rng.choice([(HMSI, "Ministerium für Soziales und Integration"),
                                               (LANDESREGIERUNG, "Hessische Landesregierung")])
            topic = rng.choice(world.real_areas)
            self.title = {
                "BalanceReport": (f"Bilanz {year} – {name}", f"Balance {year} – {name}"),
                "SelfDescription": (f"{name} – Aufgaben und Ziele", f"{name} – tasks and aims"),
                "InformationPage": (f"Informationsportal Hessen – {topic.de}",
                                    f"Hessen information portal – {topic.en}"),
            }[kind]
        self._text(f"{self.title[0]}\n\n")
        if rng.random() < 0.5:
            self._text(f"{rng.choice(NOISE_LINES)}\n\n")

    def triples(self) -> int:
        return len(self.triples_) + _EVIDENCE_TRIPLES * len(self.evidence)

    def _add(self, s: str, p: str, o: str) -> None:
        self.triples_.append(f"{s} {p} {o}")

    # -- text --

    def _text(self, piece: str) -> None:
        self.pieces.append(piece)
        self.length += len(piece)

    def _evidence(self, slug: str, quote: str, lead: str = "", line: bool = False) -> str:
        """Write a sentence (or a list line) whose quoted span is `quote`; return the evidence."""
        rng = self.rng
        if line or self.in_paragraph >= rng.randint(2, 5):
            self._text("\n\n" if self.in_paragraph else "")
            if rng.random() < 0.15:
                self._text(f"{rng.choice(NOISE_LINES)}\n\n")
            if rng.random() < 0.4:
                self._text(f"{rng.choice(self.world.real_areas).de} – {rng.choice(REGIONS)}\n\n")
            self.in_paragraph = 0
        elif self.in_paragraph:
            self._text(" ")
        if not line and rng.random() < 0.3:
            self._text(rng.choice(FILLER).format(t=rng.choice(self.world.real_areas).de) + " ")
        self._text(lead)
        start = self.length
        self._text(quote if line else quote + ".")
        self.in_paragraph = 0 if line else self.in_paragraph + 1
        if line:
            self._text("\n\n")
        iri = _iri(self.evidence_base + slug)
        self.evidence.append((iri, start, start + len(quote)))
        return iri

    # -- facts --

    def _concepts(self, key: str, pools: list[list[Concept]], weights: list[float]
                  ) -> list[Concept]:
        chosen: list[Concept] = []
        for _ in range(self.rng.randint(1, 2)):
            concept = self.rng.choice(self.choose.pick(key, pools, weights))
            if concept not in chosen:
                chosen.append(concept)
        return chosen

    def _areas(self) -> list[Concept]:
        world = self.world
        return self._concepts("policy-area", [world.real_areas, world.synthetic_areas or
                                              world.real_areas], [1, 1])

    def _groups(self) -> list[Concept]:
        world = self.world
        return self._concepts("target-group", [world.refugee_groups, world.real_groups,
                                               world.synthetic_groups or world.real_groups],
                              [0.08, 0.46, 0.46])

    def _earlier_measure(self) -> Measure | None:
        if self.earlier and self.rng.random() < CROSS_DOCUMENT:
            return self.world.measures[self.level][self.rng.randrange(self.earlier)]
        return None

    def _restate(self, m: Measure) -> None:
        """Describe a measure of an earlier document again: one IRI, this document's words."""
        if m.iri not in self.restated:
            self.restated.add(m.iri)
            self._add(m.iri, A, getattr(T, m.cls))
            self._add(m.iri, RDFS.label, _lit(m.label, "de"))
            self._add(m.iri, RDFS.label, _lit(m.label_en, "en"))

    def measure(self, status: str) -> None:
        world, rng, add = self.world, self.rng, self._add
        if self.earlier and rng.random() < REMENTION:
            m = world.measures[self.level][rng.randrange(self.earlier)]
            self._restate(m)
            quote = f"Auch {ARTICLES['nom'][m.gender]} {m.label} wird weitergeführt"
            add(m.iri, T.evidence, self._evidence(f"mention-{world.next('mention')}", quote))
            world.count("mentions", "restated")
            return
        cls, noun, gender, noun_en, _ = self.choose.pick(
            "measure-class", MEASURE_CLASSES, [c[-1] for c in MEASURE_CLASSES])
        areas, groups = self._areas(), self._groups()
        n = world.next("measure")
        place = self.town.name if self.town else rng.choice(REGIONS)
        topic = areas[0]
        m = Measure(_iri(str(MEASURE[f"synth-{n}"])), cls,
                     f"{noun} {topic.topic_de} {place} {n}",
                     f"{noun_en} {topic.topic_en} {place} {n}", gender)
        iri = m.iri
        add(iri, A, getattr(T, cls))
        add(iri, RDFS.label, _lit(m.label, "de"))
        add(iri, RDFS.label, _lit(m.label_en, "en"))
        if rng.random() < ALT_LABEL:
            add(iri, SKOS.altLabel, _lit(f"{topic.topic_de} {place}", "de"))
        add(iri, T.level, getattr(T, self.level))
        add(iri, T.jurisdiction, self.jurisdiction)
        add(iri, T.status, getattr(T, status))
        if self.town:
            responsible = (self.town.coalition if status == "Pledged"
                           else self.town.government or self.town.iri)
        else:
            responsible = rng.choice(world.state_responsible)
        add(iri, T.responsibleActor, responsible)
        for concept in areas:
            add(iri, T.policyArea, concept.iri)
        for concept in groups:
            add(iri, T.targetGroup, concept.iri)
        if rng.random() < AIM:
            aim_de, aim_en = rng.choice(AIMS)
            add(iri, T.aim, _lit(aim_de.format(t=topic.topic_de), "de"))
            add(iri, T.aim, _lit(aim_en.format(t=topic.topic_en), "en"))
        if rng.random() < COMMENT:
            add(iri, RDFS.comment, _lit(f"Synthetische Maßnahme, Dokument {self.slug}.", "de"))
        programmes = [p for p in self.measures[-30:] if p.cls in PROGRAMME_CLASSES]
        if cls not in PROGRAMME_CLASSES and programmes and rng.random() < PART_OF:
            add(iri, T.partOf, rng.choice(programmes).iri)  # earlier in the text: no cycles
        if cls == "Agreement":
            count = min(len(world.providers), rng.randint(2, 4))
            for partner in rng.sample(world.providers, count):
                add(iri, T.partner, partner)
        elif rng.random() < IMPLEMENTER:
            add(iri, T.implementingActor, rng.choice(world.providers))
        if rng.random() < SUPPORTED:
            add(iri, T.supportedActor, rng.choice(world.towns).iri)
        if rng.random() < START_YEAR:
            add(iri, T.startYear, _typed(rng.randint(2010, self.year), XSD.gYear))
        if rng.random() < DURATION:
            add(iri, T.duration, _typed(f"P{rng.randint(1, 5)}Y", XSD.duration))
        add(iri, T.evidence, self._evidence(f"measure-{n}", *self._measure_quote(status, m)))
        self.measures.append(m)
        world.measures[self.level].append(m)
        world.count("measures", cls)

    def _measure_quote(self, status: str, m: Measure) -> tuple[str, str, bool]:
        rng = self.rng
        acc = f"{ARTICLES['acc'][m.gender]} {m.label}"
        nom = f"{ARTICLES['nom'][m.gender]} {m.label}"
        if status == "Pledged" and rng.random() < 0.4:  # a line of the agreement's overview
            return f"{m.label} {rng.choice(['ausbauen', 'stärken', 'weiterentwickeln'])}", "", True
        subject = "Die Stadt" if self.town else rng.choice(["Die Landesregierung", "Das Land"])
        return rng.choice({
            "Done": [f"{subject} hat {acc} eingeführt",
                     f"{capital(nom)} wurde {self.year} erfolgreich umgesetzt"],
            "Ongoing": [f"{subject} setzt {acc} um",
                        f"{capital(nom)} wird fortgeführt und weiter ausgebaut"],
            "Planned": [f"{capital(nom)} ist in Vorbereitung",
                        f"Für {self.year + 1} ist {nom} vorgesehen"],
            "Pledged": [f"Wir wollen {acc} schaffen", f"Wir setzen uns für {acc} ein"],
        }[status]), "", False

    def _subject_measure(self) -> tuple[Measure, bool]:
        """The measure a funding or count is about, and whether it was introduced here."""
        earlier = self._earlier_measure()
        if earlier:
            self._restate(earlier)
            return earlier, False
        return self.rng.choice(self.measures[-10:]), True

    def _cite_for_measure(self, m: Measure, evidence: str, here: bool) -> None:
        if not here or self.rng.random() < SHARED_EVIDENCE:
            self._add(m.iri, T.evidence, evidence)

    def funding(self, status: str) -> None:
        world, rng, choose = self.world, self.rng, self.choose
        m, here = self._subject_measure()
        if self.town:
            funder = ((self.town.iri, f"Die {self.town.label}") if rng.random() < 0.9
                      else world.state_funders[0])
        else:
            funder = choose.pick("state-funder", world.state_funders, world.funder_weights)
        periodicity = choose.pick("periodicity", *zip(*PERIODICITIES))
        period = choose.pick("period-type", *zip(*PERIOD_TYPES))
        qualifier, qualifier_text, _, _ = choose.pick("qualifier", QUALIFIERS,
                                                           [q[2] for q in QUALIFIERS])
        value = self._amount()
        year = rng.randint(2014, 2026)
        start, end, budget, when = {
            "InYear": (year, year, None, rng.choice([f" im Jahr {year}", f" {year}"])),
            "YearRange": (year, year + rng.randint(1, 4), None, ""),
            "DoubleBudget": (year, year + 1, f"{year}/{(year + 1) % 100:02d}", ""),
            "SinceYear": (year, None, None, f" seit {year}"),
            "UntilYear": (None, year, None, f" bis {year}"),
            None: (None, None, None, ""),
        }[period]
        if period == "YearRange":
            when = f" von {start} bis {end}"
        elif period == "DoubleBudget":
            when = f" im Doppelhaushalt {budget}"
        n = world.next("funding")
        how_often = "jährlich" if periodicity == "PerYear" else "insgesamt"
        acc = f"{ARTICLES['acc'][m.gender]} {m.label}"
        money = f"{qualifier_text}{self._money(value)}"
        if rng.random() < 0.25:  # a caption, as under the ministry's graphics
            quote, lead = f"{capital(how_often)}{when} {money} für {acc}", "Grafik: "
        else:
            quote, lead = f"{funder[1]} fördert {acc}{when} {how_often} mit {money}", ""
        iri = _iri(str(FUNDING[f"synth-{n}"]))
        evidence = self._evidence(f"funding-{n}", quote, lead)
        self._funding(iri, (f"Förderung: {m.label}", f"Funding: {m.label_en}"), funder[0], m,
                      value, qualifier, periodicity, period, start, end, budget, status, evidence)
        for concept in self._areas()[:1]:
            self._add(iri, T.policyArea, concept.iri)
        if rng.random() < 0.9:
            for concept in self._groups():
                self._add(iri, T.targetGroup, concept.iri)
        if rng.random() < 0.15:
            self._add(iri, T.recipient, rng.choice(world.providers))
        self._cite_for_measure(m, evidence, here)
        world.count("fundings", periodicity)
        first = "increase" not in world.counts["fundings"]
        if self.level == "StateLevel" and (first or rng.random() < INCREASE_SHARE):
            self._increases(iri, funder[0], m, status)

    def _funding(self, iri: str, labels: tuple[str, str], funder: str, m: Measure, value: int,
                 qualifier: str, periodicity: str, period: str | None, start: int | None,
                 end: int | None, budget: str | None, status: str, evidence: str) -> None:
        add = self._add
        amount = f"{self.blank}a{len(self.triples_)}"
        for p, o in ((A, T.Funding), (RDFS.label, _lit(labels[0], "de")),
                     (RDFS.label, _lit(labels[1], "en")), (T.funder, funder),
                     (T.fundedMeasure, m.iri), (T.amount, amount),
                     (T.periodicity, getattr(T, periodicity)), (T.status, getattr(T, status)),
                     (T.sourceDocument, self.source), (T.evidence, evidence)):
            add(iri, p, o)
        add(amount, A, T.MonetaryAmount)
        add(amount, SCHEMA.value, _typed(f"{value}.0", XSD.decimal))
        add(amount, SCHEMA.currency, _lit("EUR"))
        add(amount, T.qualifier, getattr(T, qualifier))
        self._period(iri, period, start, end)
        if budget:
            add(iri, T.budgetPeriod, _lit(budget))

    def _period(self, iri: str, period: str | None, start: int | None, end: int | None) -> None:
        if period:
            self._add(iri, T.periodType, getattr(T, period))
        if start is not None:
            self._add(iri, T.periodStart, _typed(start, XSD.gYear))
        if end is not None:
            self._add(iri, T.periodEnd, _typed(end, XSD.gYear))

    def _increases(self, base: str, funder: str, m: Measure, status: str) -> None:
        """One or two increases of a funding in a double budget, one per year, as in the corpus."""
        first = self.rng.randint(2016, 2024)
        budget = f"{first}/{(first + 1) % 100:02d}"
        acc = f"{ARTICLES['acc'][m.gender]} {m.label}"
        for year in [first, first + 1][: self.rng.randint(1, 2)]:
            value, n = self._amount(), self.world.next("funding")
            iri = _iri(str(FUNDING[f"synth-{n}"]))
            quote = (f"Für {acc} ist im Doppelhaushalt {budget} eine Erhöhung um "
                     f"{self._money(value)} für {year} vorgesehen")
            evidence = self._evidence(f"funding-{n}", quote)
            self._funding(iri, (f"Erhöhung {year}: {m.label}", f"Increase {year}: {m.label_en}"),
                          funder, m, value, "Exact", "Total", "InYear", year, year, budget,
                          status, evidence)
            self._add(iri, T.increaseOf, base)
            self.world.count("fundings", "increase")

    def _amount(self) -> int:
        """Log-uniform from 10,000 to 1.6 billion euros, two or three significant digits."""
        exponent = self.rng.uniform(4.0, 9.2)
        magnitude = 10 ** (math.floor(exponent) - (2 if self.rng.random() < 0.3 else 1))
        return max(1, round(10**exponent / magnitude)) * magnitude

    def _money(self, value: int) -> str:
        space = "\u00a0" if self.rng.random() < 0.05 else " "  # the corpus has some no-break spaces
        return f"{money_text(value)}{space}Euro"

    def quantity(self, status: str) -> None:
        world, rng, add = self.world, self.rng, self._add
        m, here = self._subject_measure()
        unit, singular, plural, plural_en, (low, high), _ = self.choose.pick(
            "unit", UNITS, [u[-1] for u in UNITS])
        qualifier, qualifier_text, _, _ = self.choose.pick("count-qualifier", QUALIFIERS,
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
        iri = _iri(str(QUANTITY[f"synth-{n}"]))
        evidence = self._evidence(f"quantity-{n}", quote)
        for p, o in ((A, T.Quantity), (RDFS.label, _lit(f"{value} {plural}: {m.label}", "de")),
                     (RDFS.label, _lit(f"{value} {plural_en}: {m.label_en}", "en")),
                     (T.quantifiedMeasure, m.iri), (SCHEMA.value, _typed(value, XSD.integer)),
                     (T.unit, getattr(T, unit)), (T.qualifier, getattr(T, qualifier)),
                     (T.status, getattr(T, status)), (T.sourceDocument, self.source),
                     (T.evidence, evidence)):
            add(iri, p, o)
        if year:
            self._period(iri, "InYear", year, year)
        self._cite_for_measure(m, evidence, here)
        world.count("quantities", unit)

    # -- writing --

    def finish(self, sources: GraphWriter) -> None:
        """Write the text, the document graph (with evidence) and the source's entry."""
        world = self.world
        self._text("\n\n© Synthetische Daten für Lasttests, keine echte Quelle.\n")
        text = "".join(self.pieces)
        file_name = f"{self.slug}.txt"
        (world.out / "corpus" / file_name).write_bytes(text.encode("utf-8"))
        writer = GraphWriter(world.data, self.slug)
        writer.add_triples(self.triples_)
        lines = []
        for k, (iri, start, end) in enumerate(self.evidence):
            quote, position = f"{self.blank}q{k}", f"{self.blank}p{k}"
            lines += [
                f"{iri} {A} {T.Evidence}", f"{iri} {OA.hasSource} {self.source}",
                f"{iri} {OA.hasSelector} {quote}", f"{iri} {OA.hasSelector} {position}",
                f"{quote} {A} {OA.TextQuoteSelector}",
                f"{quote} {OA.exact} {_lit(text[start:end])}",
                f"{quote} {OA.prefix} {_lit(text[max(0, start - 32):start])}",
                f"{quote} {OA.suffix} {_lit(text[end:end + 32])}",
                f"{position} {A} {OA.TextPositionSelector}",
                f"{position} {OA.start} {_typed(start, XSD.integer)}",
                f"{position} {OA.end} {_typed(end, XSD.integer)}",
            ]
        writer.add_triples(lines)
        world.close(writer)
        world.count("evidence", "nodes", len(self.evidence))
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        where = f"Stadt {self.town.name}" if self.town else "Land Hessen"
        for p, o in (
            (A, T.SourceDocument),
            (RDFS.label, _lit(self.title[0], "de")), (RDFS.label, _lit(self.title[1], "en")),
            (DCT.title, _lit(self.title[0], "de")), (DCT.title, _lit(self.title[1], "en")),
            (DCT.description, _lit(f"Synthetisches Dokument ({where}) für Lasttests.", "de")),
            (DCT.description, _lit("Synthetic document for benchmarks.", "en")),
            (DCT.publisher, self.publisher), (DCT.language, GERMAN),
            (DCT.issued, _typed(self.year, XSD.gYear)),
            (T.level, getattr(T, self.level)), (T.documentKind, getattr(T, self.kind)),
            (T.corpusFile, _lit(file_name)),
            (T.characterCount, _typed(len(text), XSD.integer)),
            (T.sha256, _lit(sha)), (RDFS.seeAlso, _iri(writer.graph)),
        ):
            sources.add(self.source, p, o)
        world.corpus.append({"file": f"corpus/{file_name}", "source": self.source[1:-1],
                           "sha256": sha, "characters": len(text)})


