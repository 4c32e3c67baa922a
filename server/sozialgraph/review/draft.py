"""A draft graph as a reviewer reads it: its source and text, its statements (fundings,
quantities, measures) and mentions (actors, target groups, policy areas) with their quotes, and
the entities it proposes with the closest existing ones.

Files: a draft `ID` is `<drafts folder>/ID.ttl` (ID a lower-case slug: nothing else is ever
opened). The text it quotes is the file its source names (`sg:corpusFile`, a plain file name),
looked up in the drafts' texts folder and then in the corpus folder; where both hold a file of
that name, the one whose SHA-256 is the draft's `sg:sha256` wins.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from sozialgraph.corpus import read_text
from sozialgraph.rdf.namespaces import (
    ACTOR,
    OA,
    POLICY_AREA,
    SCHEMA,
    SG,
    TARGET_GROUP,
)
from sozialgraph.rdf.parse import read_graph
from sozialgraph.settings import GRAPHS_DIR, ONTOLOGY_DIR, corpus_dir

DRAFT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")  # a draft id: a slug, nothing that walks paths
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")  # a text's plain file name

# The kinds a statement or mention is shown as: key -> (German, English, symbol). The symbol
# marks each highlight in the text, so that kinds do not rest on colour alone.
KINDS: dict[str, tuple[str, str, str]] = {
    "money": ("Geldbetrag", "money", "€"),
    "count": ("Anzahl", "count", "#"),
    "measure": ("Maßnahme", "measure", "M"),
    "actor": ("Akteur", "actor", "A"),
    "target-group": ("Zielgruppe", "target group", "Z"),
    "policy-area": ("Politikfeld", "policy area", "P"),
    "status": ("Status", "status", "S"),
}
DECISIONS = {SG.Accepted: "accepted", SG.Rejected: "rejected",
             SG.UseClosestMatch: "use-closest-match"}


class DraftError(Exception):
    """A draft that cannot be read (its message names the file by its name only)."""


def valid_id(draft_id: str) -> bool:
    return bool(DRAFT_ID.fullmatch(draft_id))


def drafts_folder(configured: str | Path | None = None) -> Path:
    """The drafts folder: `configured` (the DRAFTS_PATH setting), else graphs/drafts."""
    return Path(configured) if configured else GRAPHS_DIR / "drafts"


def draft_file(folder: Path, draft_id: str) -> Path | None:
    """The file of draft `draft_id` in `folder`, or None (an invalid id is never a path)."""
    if not valid_id(draft_id):
        return None
    path = folder / f"{draft_id}.ttl"
    return path if path.is_file() else None


def draft_ids(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.ttl") if valid_id(p.stem) and p.is_file())


@dataclass
class SourceText:
    text: str | None
    where: str  # "drafts texts folder", "corpus folder", or "" when not found
    matches: bool  # SHA-256 and character count are the draft's


def find_text(file_name: str, sha256: str | None, folders: list[tuple[str, Path]]) -> SourceText:
    """The text named `file_name`, from the first of `folders` ((name, folder) pairs) whose file
    has the draft's SHA-256, else the first found (matches False), else none."""
    if not FILE_NAME.fullmatch(file_name):
        return SourceText(None, "", False)
    found = None
    for name, folder in folders:
        path = folder / file_name
        if not path.is_file():
            continue
        try:
            text = read_text(path)
        except (OSError, UnicodeDecodeError):
            continue
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == sha256:
            return SourceText(text, name, True)
        found = found or SourceText(text, name, False)
    return found or SourceText(None, "", False)


def text_folders(texts: str | Path | None, drafts: Path) -> list[tuple[str, Path]]:
    """Where a draft's text is looked for: the drafts texts folder (DRAFT_TEXTS_PATH, else the
    drafts folder itself), then the corpus folder."""
    return [("drafts texts folder", Path(texts) if texts else drafts),
            ("corpus folder", corpus_dir())]


# ---- the view of a draft -----------------------------------------------------------------------

@dataclass
class Span:
    start: int
    end: int
    exact: str
    evidence: str  # the evidence IRI

    @property
    def key(self) -> str:
        return f"h{self.start}-{self.end}"


@dataclass
class Item:
    """One row of the review table: a statement or a mention."""
    number: int
    kind: str
    iri: str  # the statement, or for a mention the entity it names
    label: str
    value: str = ""
    qualifier: str = ""
    period: str = ""
    status: str = ""
    confidence: str = ""
    rule: str = ""
    spans: list[Span] = field(default_factory=list)
    proposed: bool = False  # a mention of a proposed entity
    decision: str = ""

    @property
    def first(self) -> int:
        return min((s.start for s in self.spans), default=-1)


@dataclass
class Proposed:
    iri: str
    kind: str
    label: str
    cls: str
    closest: str | None
    decision: str
    confidence: str
    rule: str


@dataclass
class Source:
    iri: str
    title: str
    corpus_file: str
    sha256: str | None
    characters: int | None
    publisher: str | None


@dataclass
class Draft:
    id: str
    label: str
    generated: str
    software: str
    source: Source
    items: list[Item]
    proposed: list[Proposed]
    graph: Graph

    def counts(self) -> dict[str, int]:
        found = {kind: 0 for kind in KINDS}
        for item in self.items:
            found[item.kind] += 1
        return found


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    return read_graph(ONTOLOGY_DIR / "sozialgraph.ttl")


@lru_cache(maxsize=1)
def measure_classes() -> frozenset:
    """sg:Measure and its subclasses, from the ontology."""
    return frozenset(_ontology().transitive_subjects(RDFS.subClassOf, SG.Measure))


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, str]:
    """German label (else English) of every term of the ontology, for enumeration values."""
    graph = _ontology()
    labels: dict[str, str] = {}
    for term, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal) and (label.language == "de" or str(term) not in labels):
            labels[str(term)] = str(label)
    return labels


def term_label(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    return ontology_labels().get(str(term), str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1])


def _label(graph: Graph, subject) -> str:
    for prop in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
        labels = list(graph.objects(subject, prop))
        if labels:
            german = [str(x) for x in labels if getattr(x, "language", None) == "de"]
            return (german or [str(labels[0])])[0]
    return str(subject).rsplit("/", 1)[-1]


def _spans(graph: Graph, subject) -> list[Span]:
    spans = []
    for evidence in set(graph.objects(subject, SG.evidence)) | set(graph.objects(subject,
                                                                                 OA.hasTarget)):
        exact = start = end = None
        for selector in graph.objects(evidence, OA.hasSelector):
            if graph.value(selector, OA.exact) is not None:
                exact = str(graph.value(selector, OA.exact))
            if graph.value(selector, OA.start) is not None:
                try:
                    start = int(graph.value(selector, OA.start))
                    end = int(graph.value(selector, OA.end))
                except (TypeError, ValueError):
                    start = end = None
        if exact is not None and start is not None and end is not None:
            spans.append(Span(start, end, exact, str(evidence)))
    return sorted(spans, key=lambda s: (s.start, s.end))


def _money(value) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    shown = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return shown.removesuffix(",00") + " €"


def _period(graph: Graph, subject) -> str:
    parts = []
    periodicity = graph.value(subject, SG.periodicity)
    if periodicity is not None:
        parts.append(term_label(periodicity))
    period_type = graph.value(subject, SG.periodType)
    if period_type is not None:
        start, end = graph.value(subject, SG.periodStart), graph.value(subject, SG.periodEnd)
        years = "–".join(dict.fromkeys(str(y) for y in (start, end) if y is not None))
        parts.append(f"{term_label(period_type)} {years}".strip())
    for prop, shown in ((SG.budgetPeriod, "Haushalt {}"), (SG.relativePeriod, "„{}“")):
        value = graph.value(subject, prop)
        if value is not None:
            parts.append(shown.format(value))
    return "; ".join(parts)


def _common(graph: Graph, subject) -> dict[str, str]:
    confidence = graph.value(subject, SG.confidence)
    return {"confidence": "" if confidence is None else str(confidence),
            "rule": str(graph.value(subject, SG.extractionRule) or ""),
            "decision": DECISIONS.get(graph.value(subject, SG.reviewDecision), "")}


@lru_cache(maxsize=1)
def status_values() -> frozenset[str]:
    """The values of sg:Status (sg:Done, sg:Ongoing, sg:Planned, sg:Pledged), from the ontology."""
    return frozenset(str(s) for s in _ontology().subjects(RDF.type, SG.Status))


def entity_kind(iri: str) -> str | None:
    """The kind of a mention by what it names: an actor, a concept, or a status value (the
    words that give a statement its status, where a draft marks them)."""
    if iri in status_values():
        return "status"
    for namespace, kind in ((ACTOR, "actor"), (TARGET_GROUP, "target-group"),
                            (POLICY_AREA, "policy-area")):
        if iri.startswith(str(namespace)):
            return kind
    return None


def read_draft(path: Path, draft_id: str) -> Draft:
    """The draft in `path` (DraftError if it cannot be read or is no draft)."""
    try:
        graph = read_graph(path)
    except Exception as error:  # RDFSyntaxError, OSError: the file's name only in the message
        message = str(error).replace(str(path), path.name)
        raise DraftError(f"the draft {path.name} cannot be read: {message}") from None
    draft = next(iter(graph.subjects(RDF.type, SG.Draft)), None)
    if draft is None:
        raise DraftError(f"{path.name} is not a draft: it has no sg:Draft")
    document = graph.value(draft, PROV.wasDerivedFrom)
    characters = graph.value(document, SG.characterCount)
    source = Source(str(document), _label(graph, document) if document else "",
                    str(graph.value(document, SG.corpusFile) or ""),
                    str(graph.value(document, SG.sha256) or "") or None,
                    int(characters) if characters is not None else None,
                    str(graph.value(document, DCTERMS.publisher) or "") or None)
    activity = graph.value(draft, PROV.wasGeneratedBy)
    software = graph.value(activity, PROV.wasAssociatedWith) if activity else None
    items: list[Item] = []

    def add(kind: str, iri, label: str, **values):
        items.append(Item(0, kind, str(iri), label, **values))

    for funding in graph.subjects(RDF.type, SG.Funding):
        amount = graph.value(funding, SG.amount)
        add("money", funding, _label(graph, funding),
            value=_money(graph.value(amount, SCHEMA.value)),
            qualifier=term_label(graph.value(amount, SG.qualifier)),
            period=_period(graph, funding), status=term_label(graph.value(funding, SG.status)),
            spans=_spans(graph, funding), **_common(graph, funding))
    for cls in (SG.Quantity, SG.ProposedQuantity):
        for quantity in graph.subjects(RDF.type, cls):
            unit = graph.value(quantity, SG.unit)
            unit_words = term_label(unit) if unit is not None else next(
                (str(u) for u in graph.objects(quantity, SG.proposedUnit)
                 if getattr(u, "language", None) == "de"), "")
            add("count", quantity, _label(graph, quantity),
                value=f"{graph.value(quantity, SCHEMA.value)} {unit_words}".strip(),
                qualifier=term_label(graph.value(quantity, SG.qualifier)),
                period=_period(graph, quantity),
                status=term_label(graph.value(quantity, SG.status)),
                spans=_spans(graph, quantity), **_common(graph, quantity))
    statements = {URIRef(i.iri) for i in items}
    measures = {s for cls in measure_classes() for s in graph.subjects(RDF.type, cls)}
    for measure in measures - statements:
        add("measure", measure, _label(graph, measure), value=term_label(
            graph.value(measure, RDF.type)), status=term_label(graph.value(measure, SG.status)),
            spans=_spans(graph, measure), **_common(graph, measure))
    for mention in graph.subjects(RDF.type, SG.Mention):
        body = graph.value(mention, OA.hasBody)
        kind = entity_kind(str(body)) if body is not None else None
        if kind is None:
            continue
        label = term_label(body) if kind == "status" else _label(graph, body)
        add(kind, body, label, spans=_spans(graph, mention), status=label if kind == "status"
            else "", proposed=(body, SG.proposed, None) in graph, **_common(graph, mention))
    items.sort(key=lambda i: (i.first, list(KINDS).index(i.kind), i.label))
    for number, item in enumerate(items, start=1):
        item.number = number
    proposed = []
    for entity in sorted(set(graph.subjects(SG.proposed, None))):
        kind = entity_kind(str(entity)) or "actor"
        closest = graph.value(entity, SG.closestMatch)
        cls = graph.value(entity, SKOS.inScheme) or graph.value(entity, RDF.type)
        common = _common(graph, entity)
        proposed.append(Proposed(str(entity), kind, _label(graph, entity), term_label(cls),
                                 str(closest) if closest is not None else None,
                                 common["decision"], common["confidence"], common["rule"]))
    return Draft(draft_id, _label(graph, draft), str(graph.value(draft, PROV.generatedAtTime)
                                                    or ""),
                 _label(graph, software) if software is not None else "", source, items,
                 proposed, graph)

