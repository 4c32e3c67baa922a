"""What the extraction rules find: money and counts (figures), mentions of actors and concepts,
measure candidates and proposals for new actors and concepts, each with its words (character
offsets of the text), rule name and confidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from sozialgraph.extract import numbers
from sozialgraph.extract.nlp import Analysis


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
