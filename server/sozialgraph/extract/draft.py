"""The draft graph: findings written in the project's model (docs/model.md) with the extraction
metadata of docs/extraction.md (sg:Draft, PROV, sg:extractionRule, sg:confidence, proposed
entities with sg:proposed and sg:closestMatch, mentions as Web Annotations).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from sozialgraph.corpus import CONTEXT, slug_of
from sozialgraph.extract.findings import Figure, Findings, Mention
from sozialgraph.extract.lexicon import TARGET_GROUPS, Lexicon
from sozialgraph.extract.nlp import lemmas
from sozialgraph.extract.numbers import PROPOSED_UNITS
from sozialgraph.extract.rules import context_areas, dominant, statement_span
from sozialgraph.rdf.namespaces import (
    ACTOR,
    BASE,
    EVIDENCE,
    FUNDING,
    MEASURE,
    OA,
    POLICY_AREA,
    QUANTITY,
    SCHEMA,
    SG,
    SOURCE,
    TARGET_GROUP,
    bind_all,
)

DRAFT = Namespace(BASE + "id/draft/")
SOFTWARE = Namespace(BASE + "id/software/")
KINDS = {"balance-report": SG.BalanceReport, "self-description": SG.SelfDescription,
         "information-page": SG.InformationPage, "coalition-agreement": SG.CoalitionAgreement}
QUALIFIER_WORDS = {"Exact": "", "About": "rund ", "AtMost": "bis zu ", "AtLeast": "mindestens ",
                   "MoreThan": "mehr als ", "Almost": "fast "}
UNIT_WORDS = {"UnitPlace": ("Plätze", "places"), "UnitTrainingPlace": ("Ausbildungsplätze",
              "training places"), "UnitCentre": ("Zentren", "centres"),
              "UnitProject": ("Projekte", "projects"), "UnitNeighbourhood": ("Quartiere",
              "neighbourhoods"), "UnitDistrict": ("Landkreise", "districts"),
              "UnitCity": ("kreisfreie Städte", "district-free cities"),
              "UnitVideo": ("Lernclips", "learning videos")}


@dataclass(frozen=True)
class Source:
    """The document the draft is made from, as the command was told about it."""

    slug: str
    file_name: str
    text: str
    level: URIRef  # sg:StateLevel or sg:MunicipalLevel
    actor: URIRef  # the document's own actor: jurisdiction, default funder, publisher
    kind: str  # a key of KINDS
    as_of: date | None = None

    @property
    def title(self) -> str:
        return next((line.strip() for line in self.text.splitlines() if line.strip()),
                    self.file_name)[:200]


def _money_words(value: Decimal) -> str:
    for size, plural, singular in ((10**9, "Milliarden", "Milliarde"),
                                   (10**6, "Millionen", "Million")):
        if value >= size:
            amount = (value / size).normalize()
            shown = f"{amount:f}".replace(".", ",")
            return f"{shown} {singular if amount == 1 else plural}"
    return f"{int(value):,}".replace(",", ".") if value == int(value) else \
        f"{value:f}".replace(".", ",")


class DraftWriter:
    def __init__(self, source: Source, findings: Findings, lexicon: Lexicon, version: str,
                 started: datetime):
        self.source, self.findings, self.lexicon = source, findings, lexicon
        self.graph = bind_all(Graph())
        self.graph.bind("sgd", str(DRAFT))
        self.id = source.slug
        self.draft = DRAFT[self.id]
        self.activity = DRAFT[f"{self.id}/extraction"]
        self.document = SOURCE[self.id]
        self.version, self.started = version, started
        self.evidence: dict[tuple[int, int], URIRef] = {}
        self.slugs: set[str] = set()
        self.proposed: dict[tuple[str, str], URIRef] = {}

    # -- helpers ----------------------------------------------------------------------------

    def add(self, *triple):
        self.graph.add(triple)

    def slug(self, text: str) -> str:
        base = f"{self.id}-{slug_of(text, 7)}"
        candidate, number = base, 2
        while candidate in self.slugs:
            candidate, number = f"{base}-{number}", number + 1
        self.slugs.add(candidate)
        return candidate

    def evidence_for(self, start: int, end: int) -> URIRef:
        """The evidence resource of the text's characters [start, end) (one per span)."""
        text = self.source.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if (start, end) in self.evidence:
            return self.evidence[(start, end)]
        exact = text[start:end]
        local = slug_of(exact, 6)
        taken = {str(e) for e in self.evidence.values()}
        iri, number = EVIDENCE[f"{self.id}/{local}"], 2
        while str(iri) in taken:
            iri, number = EVIDENCE[f"{self.id}/{local}-{number}"], number + 1
        self.evidence[(start, end)] = iri
        quote, position = BNode(), BNode()
        self.add(iri, RDF.type, SG.Evidence)
        self.add(iri, OA.hasSource, self.document)
        self.add(iri, OA.hasSelector, quote)
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(exact))
        self.add(quote, OA.prefix, Literal(text[max(0, start - CONTEXT):start]))
        self.add(quote, OA.suffix, Literal(text[end:end + CONTEXT]))
        self.add(iri, OA.hasSelector, position)
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(start))
        self.add(position, OA.end, Literal(end))
        return iri

    def sentence_span(self, index: int) -> tuple[int, int]:
        sentence = self.findings.analysis.sentences[index]
        return sentence.start, sentence.end

    def provenance(self, subject, rule: str, confidence: float):
        self.add(subject, SG.extractionRule, Literal(rule))
        self.add(subject, SG.confidence, Literal(Decimal(str(round(confidence, 2))),
                                                 datatype=XSD.decimal))
        self.add(subject, PROV.wasGeneratedBy, self.activity)

    def referent(self, mention: Mention) -> URIRef:
        """The IRI a mention names: an existing actor or concept, or a proposed one (written
        once, with sg:proposed and the closest existing resource)."""
        if mention.iri is not None:
            return mention.iri
        proposal = mention.proposal
        key = (proposal.kind, tuple(t.key for t in lemmas(proposal.label)))
        if key in self.proposed:
            return self.proposed[key]
        if proposal.kind == "actor":
            iri = ACTOR[self.slug(proposal.label)]
            self.add(iri, RDF.type, proposal.cls)
            self.add(iri, RDFS.label, Literal(proposal.label, lang="de"))
        else:
            space = TARGET_GROUP if proposal.cls == TARGET_GROUPS else POLICY_AREA
            iri = space[self.slug(proposal.label)]
            self.add(iri, RDF.type, SKOS.Concept)
            self.add(iri, SKOS.prefLabel, Literal(proposal.label, lang="de"))
            self.add(iri, SKOS.inScheme, proposal.cls)
            self.add(iri, SKOS.topConceptOf, proposal.cls)
        self.add(iri, SG.proposed, Literal(True))
        if proposal.closest is not None:
            self.add(iri, SG.closestMatch, proposal.closest)
        self.provenance(iri, mention.rule, mention.confidence)
        self.proposed[key] = iri
        return iri

    # -- the parts of the draft -------------------------------------------------------------

    def header(self, ended: datetime):
        s, g = self.source, self.add
        g(self.draft, RDF.type, SG.Draft)
        g(self.draft, RDF.type, PROV.Entity)
        g(self.draft, RDFS.label, Literal(f"Entwurf: {s.title}", lang="de"))
        g(self.draft, RDFS.label, Literal(f"Draft: {s.title}", lang="en"))
        g(self.draft, PROV.wasDerivedFrom, self.document)
        g(self.draft, PROV.wasGeneratedBy, self.activity)
        g(self.draft, PROV.generatedAtTime, Literal(ended))
        software = SOFTWARE[f"sozialgraph-{self.version}"]
        g(software, RDF.type, PROV.SoftwareAgent)
        g(software, RDFS.label, Literal(f"sozialgraph extract {self.version}", lang="de"))
        g(software, RDFS.label, Literal(f"sozialgraph extract {self.version}", lang="en"))
        g(software, SCHEMA.softwareVersion, Literal(self.version))
        g(self.activity, RDF.type, SG.Extraction)
        g(self.activity, RDF.type, PROV.Activity)
        g(self.activity, RDFS.label, Literal(f"Extraktion aus {s.file_name}", lang="de"))
        g(self.activity, RDFS.label, Literal(f"Extraction from {s.file_name}", lang="en"))
        g(self.activity, PROV.used, self.document)
        g(self.activity, PROV.wasAssociatedWith, software)
        g(self.activity, PROV.startedAtTime, Literal(self.started))
        g(self.activity, PROV.endedAtTime, Literal(ended))
        doc = self.document
        g(doc, RDF.type, SG.SourceDocument)
        g(doc, RDFS.label, Literal(s.title, lang="de"))
        g(doc, DCTERMS.title, Literal(s.title, lang="de"))
        g(doc, DCTERMS.publisher, s.actor)
        g(doc, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/de"))
        g(doc, SG.level, s.level)
        g(doc, SG.documentKind, KINDS[s.kind])
        g(doc, SG.corpusFile, Literal(s.file_name))
        g(doc, SG.characterCount, Literal(len(s.text)))
        g(doc, SG.sha256, Literal(hashlib.sha256(s.text.encode("utf-8")).hexdigest()))
        if s.as_of is not None:
            g(doc, SG.asOfDate, Literal(s.as_of, datatype=XSD.date))

    def mentions(self):
        for number, mention in enumerate(self.findings.mentions, start=1):
            annotation = DRAFT[f"{self.id}/mention/{number}"]
            self.add(annotation, RDF.type, OA.Annotation)
            self.add(annotation, RDF.type, SG.Mention)
            self.add(annotation, OA.motivatedBy, OA.identifying)
            self.add(annotation, OA.hasBody, self.referent(mention))
            evidence = self.evidence_for(mention.start, mention.end)
            self.add(annotation, OA.hasTarget, evidence)
            self.add(annotation, SG.evidence, evidence)
            self.provenance(annotation, mention.rule, mention.confidence)

    def concepts(self, subject, sentences: list[int], fallback: bool):
        mentions = [m for m in self.findings.mentions if m.sentence in sentences]
        areas = [m for m in mentions if m.kind == "policy-area"]
        for mention in mentions:
            prop = SG.policyArea if mention.kind == "policy-area" else \
                SG.targetGroup if mention.kind == "target-group" else None
            if prop is not None:
                self.add(subject, prop, self.referent(mention))
        if fallback and not areas:
            near = context_areas(self.findings, sentences)
            area = (self.referent(near[-1]) if near else
                    dominant(self.findings.mentions, "policy-area") or self.lexicon.default_area)
            if area is not None:
                self.add(subject, SG.policyArea, area)

    def measures(self) -> list[URIRef]:
        iris = []
        for measure in self.findings.measures:
            iri = MEASURE[self.slug(measure.label)]
            iris.append(iri)
            g = self.add
            g(iri, RDF.type, measure.cls)
            g(iri, RDFS.label, Literal(measure.label, lang="de"))
            g(iri, SG.level, self.source.level)
            g(iri, SG.jurisdiction, self.source.actor)
            g(iri, SG.status, SG[measure.status])
            if measure.status == "Pledged":  # who pledges: the document's author (docs/model.md)
                g(iri, SG.pledgedBy, self.source.actor)
            sentences = sorted(set(measure.sentences))
            actors = [m for m in self.findings.mentions if m.kind == "actor" and
                      m.sentence == sentences[0]]
            responsible = next((self.referent(m) for m in actors if m.iri is None and
                                m.proposal.cls != SG.Association or m.iri is not None and
                                self.lexicon.is_public(m.iri)), self.source.actor)
            g(iri, SG.responsibleActor, responsible)
            for mention in actors:
                if self.referent(mention) != responsible:
                    g(iri, SG.involvedActor, self.referent(mention))
            self.concepts(iri, sentences, fallback=True)
            for sentence in sentences:
                g(iri, SG.evidence, self.evidence_for(*self.sentence_span(sentence)))
            self.provenance(iri, measure.rule, measure.confidence)
        return iris

    def period(self, subject, figure: Figure, is_money: bool):
        p = figure.period
        if is_money or p.periodicity != "PeriodicityNotStated" or p.period_type:
            self.add(subject, SG.periodicity, SG[p.periodicity])
        if p.period_type:
            self.add(subject, SG.periodType, SG[p.period_type])
            if p.start is not None:
                self.add(subject, SG.periodStart, Literal(str(p.start), datatype=XSD.gYear))
            if p.end is not None:
                self.add(subject, SG.periodEnd, Literal(str(p.end), datatype=XSD.gYear))
        if p.budget:
            self.add(subject, SG.budgetPeriod, Literal(p.budget))
        if p.relative:
            self.add(subject, SG.relativePeriod, Literal(p.relative, lang="de"))
            self.add(subject, SG.periodRelativeTo, self.document)

    def figures(self, measures: list[URIRef]):
        last_funding: dict[int, URIRef] = {}
        for figure in self.findings.figures:
            measure = measures[figure.measure]
            label_de = self.findings.measures[figure.measure].label
            sentence = self.findings.analysis.sentences[figure.sentence]
            words = [figure.start, figure.end] + [w for span in figure.period.words for w in span]
            evidence = self.evidence_for(*statement_span(
                self.source.text, sentence, (min(words), max(words))))
            qualifier = QUALIFIER_WORDS[figure.qualifier]
            if figure.kind == "money":
                words = f"{qualifier}{_money_words(figure.value)} Euro"
                iri = FUNDING[self.slug(words + " " + label_de)]
                self.add(iri, RDF.type, SG.Funding)
                self.add(iri, RDFS.label, Literal(f"{words[:1].upper()}{words[1:]}: {label_de}",
                                                  lang="de"))
                funder = self.referent(figure.funder) if figure.funder else self.source.actor
                self.add(iri, SG.funder, funder)
                self.add(iri, SG.fundedMeasure, measure)
                amount = BNode()
                self.add(iri, SG.amount, amount)
                self.add(amount, RDF.type, SG.MonetaryAmount)
                self.add(amount, SCHEMA.value, Literal(Decimal(figure.value).quantize(
                    Decimal("0.1")) if figure.value == int(figure.value) else figure.value,
                    datatype=XSD.decimal))
                self.add(amount, SCHEMA.currency, Literal("EUR"))
                self.add(amount, SG.qualifier, SG[figure.qualifier])
                if figure.change:
                    self.add(iri, SG.amountChange, SG[figure.change])
                    base = last_funding.get(figure.measure)
                    if figure.change == "IncreaseBy":  # its amount is growth (sg:Increase)
                        self.add(iri, RDF.type, SG.Increase)
                        # what it increases, where the draft has it and the increase its year
                        # (sgsh:IncreaseShape asks both)
                        if base is not None and figure.period.start is not None:
                            self.add(iri, SG.increaseOf, base)
                elif figure.measure not in last_funding:
                    last_funding[figure.measure] = iri
                self.period(iri, figure, is_money=True)
            else:
                unit_de = UNIT_WORDS.get(figure.unit, (figure.noun, ""))[0]
                words = f"{qualifier}{figure.value} {unit_de}"
                iri = QUANTITY[self.slug(words + " " + label_de)]
                proposed = figure.unit in PROPOSED_UNITS
                self.add(iri, RDF.type, SG.ProposedQuantity if proposed else SG.Quantity)
                self.add(iri, RDFS.label, Literal(f"{words}: {label_de}", lang="de"))
                self.add(iri, SG.quantifiedMeasure, measure)
                self.add(iri, SCHEMA.value, Literal(int(figure.value)))
                if proposed:
                    german, english = PROPOSED_UNITS[figure.unit]
                    self.add(iri, SG.proposedUnit, Literal(german, lang="de"))
                    self.add(iri, SG.proposedUnit, Literal(english, lang="en"))
                else:
                    self.add(iri, SG.unit, SG[figure.unit])
                self.add(iri, SG.qualifier, SG[figure.qualifier])
                self.period(iri, figure, is_money=False)
            self.add(iri, SG.status, SG[figure.status])
            self.add(iri, SG.sourceDocument, self.document)
            self.add(iri, SG.statedBy, self.source.actor)  # the document's author
            self.add(iri, SG.evidence, evidence)
            self.concepts(iri, [figure.sentence], fallback=False)
            self.provenance(iri, figure.rule, figure.confidence)

    def write(self) -> Graph:
        measures = self.measures()
        self.figures(measures)
        self.mentions()
        self.header(datetime.now(timezone.utc).replace(microsecond=0))
        return self.graph
