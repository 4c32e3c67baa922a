"""The synthetic documents: each one's text, its graph and its entry in the sources graph.

Each document is built in memory (its text and its graph), then written: the text to
corpus/<slug>.txt, its graph and its entry in the sources graph to the data file. What a
document states (its measures, funding and quantities) is made by facts.py; every fact cites
the sentence that states it, by a TextQuoteSelector and a TextPositionSelector into the text
exactly as written, as the real graph cites the real corpus. The proportions and words are in
proportions.py. Imports facts, proportions, terms, world and sozialgraph.rdf.namespaces.
"""

from __future__ import annotations

import hashlib

from sozialgraph.rdf.namespaces import EVIDENCE, SOURCE
from sozialgraph_synth import facts
from sozialgraph_synth.proportions import (  # noqa: F401 (the tests read them here)
    CROSS_DOCUMENT,
    DOCUMENT_KINDS,
    FILLER,
    MEASURE_CLASSES,
    NOISE_LINES,
    PERIOD_TYPES,
    QUALIFIERS,
    REGIONS,
    SHARED_EVIDENCE,
    UNITS,
)
from sozialgraph_synth.terms import (
    DCT,
    GERMAN,
    HMSI,
    LAND_HESSEN,
    LANDESREGIERUNG,
    OA,
    RDFS,
    XSD,
    A,
    T,
    iri,
    lit,
    typed,
)
from sozialgraph_synth.world import Concept, GraphWriter, Measure, World

SOURCE_TRIPLES = 16  # triples per document in the sources graph (see Document.finish)
EVIDENCE_TRIPLES = 11  # triples per evidence node with its two selectors


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
    doc = Document(world, f"synth-doc-{index:05d}", kind, level, rng.randint(2016, 2024))
    status_names, status_weights = zip(*statuses)
    states = {"measure": facts.measure, "funding": facts.funding, "quantity": facts.quantity}
    while doc.triples() + SOURCE_TRIPLES < budget or not doc.measures:
        fact = choose.pick(f"fact-{kind}", list(states), mix)
        status = choose.pick(f"status-{kind}", status_names, status_weights)
        states["measure" if not doc.measures else fact](doc, status)
    doc.finish(sources)
    world.count("documents", kind)


class Document:
    """One synthetic source document: its text, its graph and its entry in the sources graph."""

    def __init__(self, world: World, slug: str, kind: str, level: str, year: int):
        self.world, self.rng, self.choose = world, world.rng, world.choose
        self.slug, self.kind, self.level, self.year = slug, kind, level, year
        self.source = iri(str(SOURCE[slug]))
        self.evidence_base = str(EVIDENCE[slug + "/"])
        self.blank = "_:" + slug.replace("-", "")  # blank node labels unique across documents
        self.graph: list[str] = []  # the graph, evidence excepted ("s p o")
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
        return len(self.graph) + EVIDENCE_TRIPLES * len(self.evidence)

    def add(self, s: str, p: str, o: str) -> None:
        self.graph.append(f"{s} {p} {o}")

    # -- text --

    def _text(self, piece: str) -> None:
        self.pieces.append(piece)
        self.length += len(piece)

    def sentence(self, slug: str, quote: str, lead: str = "", line: bool = False) -> str:
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
        evidence = iri(self.evidence_base + slug)
        self.evidence.append((evidence, start, start + len(quote)))
        return evidence

    # -- what the facts draw on --

    def _concepts(self, key: str, pools: list[list[Concept]], weights: list[float]
                  ) -> list[Concept]:
        chosen: list[Concept] = []
        for _ in range(self.rng.randint(1, 2)):
            concept = self.rng.choice(self.choose.pick(key, pools, weights))
            if concept not in chosen:
                chosen.append(concept)
        return chosen

    def areas(self) -> list[Concept]:
        world = self.world
        return self._concepts("policy-area", [world.real_areas, world.synthetic_areas or
                                              world.real_areas], [1, 1])

    def groups(self) -> list[Concept]:
        world = self.world
        return self._concepts("target-group", [world.refugee_groups, world.real_groups,
                                               world.synthetic_groups or world.real_groups],
                              [0.08, 0.46, 0.46])

    def restate(self, m: Measure) -> None:
        """Describe a measure of an earlier document again: one IRI, this document's words."""
        if m.iri not in self.restated:
            self.restated.add(m.iri)
            self.add(m.iri, A, getattr(T, m.cls))
            self.add(m.iri, RDFS.label, lit(m.label, "de"))
            self.add(m.iri, RDFS.label, lit(m.label_en, "en"))

    def subject_measure(self) -> tuple[Measure, bool]:
        """The measure a funding or count is about, and whether it was introduced here."""
        if self.earlier and self.rng.random() < CROSS_DOCUMENT:
            earlier = self.world.measures[self.level][self.rng.randrange(self.earlier)]
            self.restate(earlier)
            return earlier, False
        return self.rng.choice(self.measures[-10:]), True

    def cite_for_measure(self, m: Measure, evidence: str, here: bool) -> None:
        if not here or self.rng.random() < SHARED_EVIDENCE:
            self.add(m.iri, T.evidence, evidence)

    # -- writing --

    def finish(self, sources: GraphWriter) -> None:
        """Write the text, the document graph (with evidence) and the source's entry."""
        world = self.world
        self._text("\n\n© Synthetische Daten für Lasttests, keine echte Quelle.\n")
        text = "".join(self.pieces)
        file_name = f"{self.slug}.txt"
        (world.out / "corpus" / file_name).write_bytes(text.encode("utf-8"))
        writer = GraphWriter(world.data, self.slug)
        writer.add_triples(self.graph)
        lines = []
        for k, (evidence, start, end) in enumerate(self.evidence):
            quote, position = f"{self.blank}q{k}", f"{self.blank}p{k}"
            lines += [
                f"{evidence} {A} {T.Evidence}", f"{evidence} {OA.hasSource} {self.source}",
                f"{evidence} {OA.hasSelector} {quote}",
                f"{evidence} {OA.hasSelector} {position}",
                f"{quote} {A} {OA.TextQuoteSelector}",
                f"{quote} {OA.exact} {lit(text[start:end])}",
                f"{quote} {OA.prefix} {lit(text[max(0, start - 32):start])}",
                f"{quote} {OA.suffix} {lit(text[end:end + 32])}",
                f"{position} {A} {OA.TextPositionSelector}",
                f"{position} {OA.start} {typed(start, XSD.integer)}",
                f"{position} {OA.end} {typed(end, XSD.integer)}",
            ]
        writer.add_triples(lines)
        world.close(writer)
        world.count("evidence", "nodes", len(self.evidence))
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        where = f"Stadt {self.town.name}" if self.town else "Land Hessen"
        for p, o in (
            (A, T.SourceDocument),
            (RDFS.label, lit(self.title[0], "de")), (RDFS.label, lit(self.title[1], "en")),
            (DCT.title, lit(self.title[0], "de")), (DCT.title, lit(self.title[1], "en")),
            (DCT.description, lit(f"Synthetisches Dokument ({where}) für Lasttests.", "de")),
            (DCT.description, lit("Synthetic document for benchmarks.", "en")),
            (DCT.publisher, self.publisher), (DCT.language, GERMAN),
            (DCT.issued, typed(self.year, XSD.gYear)),
            (T.level, getattr(T, self.level)), (T.documentKind, getattr(T, self.kind)),
            (T.corpusFile, lit(file_name)),
            (T.characterCount, typed(len(text), XSD.integer)),
            (T.sha256, lit(sha)), (RDFS.seeAlso, iri(writer.graph)),
        ):
            sources.add(self.source, p, o)
        world.corpus.append({"file": f"corpus/{file_name}", "source": self.source[1:-1],
                             "sha256": sha, "characters": len(text)})
