"""Leave-one-out evaluation of the extractor against the curated document graphs
(`sozialgraph extract --evaluate`).

For each corpus document the draft is compared with its curated graph. The extractor reads no
curated document graph at all, only the shared actors and vocabularies, so "leave one out"
means: the held-out document's graph is never seen. The second run also takes out of the
shared graphs every label that only the held-out document contains (labels that document
introduced), so that a document does not profit from words added for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef

from sozialgraph import settings
from sozialgraph.corpus import document_text
from sozialgraph.rdf.namespaces import ACTOR, OA, POLICY_AREA, SCHEMA, SG, SOURCE, TARGET_GROUP

KINDS = {SG.BalanceReport: "balance-report", SG.SelfDescription: "self-description",
         SG.InformationPage: "information-page", SG.CoalitionAgreement: "coalition-agreement"}
ROWS = ("money (value)", "money (value, qualifier, period)", "counts (value)",
        "counts (value, qualifier)", "actors", "target groups", "policy areas",
        "measures (evidence overlap)", "status (of matched measures)")


@dataclass
class Score:
    found: int = 0  # predictions that are right
    predicted: int = 0
    recalled: int = 0  # gold items found
    gold: int = 0

    def add(self, other: "Score"):
        self.found += other.found
        self.predicted += other.predicted
        self.recalled += other.recalled
        self.gold += other.gold

    @property
    def precision(self) -> float | None:
        return self.found / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.gold if self.gold else None


def _statements(graph: Graph, cls: URIRef) -> list[tuple]:
    """(value, qualifier, periodicity, period type, start, end) of each statement of `cls`."""
    rows = []
    for subject in graph.subjects(RDF.type, cls):
        amount = graph.value(subject, SG.amount)
        holder = amount if amount is not None else subject
        value = graph.value(holder, SCHEMA.value)
        if value is None:
            continue
        rows.append((Decimal(str(value.toPython())), graph.value(holder, SG.qualifier),
                     graph.value(subject, SG.periodicity), graph.value(subject, SG.periodType),
                     str(graph.value(subject, SG.periodStart)),
                     str(graph.value(subject, SG.periodEnd))))
    return rows


def _match(predicted: list, gold: list) -> Score:
    return Score(sum(1 for p in predicted if p in gold), len(predicted),
                 sum(1 for g in gold if g in predicted), len(gold))


def _spans(graph: Graph, subject) -> list[tuple[int, int]]:
    spans = []
    for evidence in graph.objects(subject, SG.evidence):
        for selector in graph.objects(evidence, OA.hasSelector):
            start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
            if start is not None:
                spans.append((int(start), int(end)))
    return spans


def _measures(graph: Graph) -> dict[URIRef, tuple[list, set]]:
    """measure -> (evidence spans, statuses): every resource with a level and a status."""
    return {m: (_spans(graph, m), set(graph.objects(m, SG.status)))
            for m in set(graph.subjects(SG.level, None)) & set(graph.subjects(SG.status, None))
            if (m, RDF.type, SG.SourceDocument) not in graph}


def _overlap(a: list, b: list) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _in(namespace, iri) -> bool:
    return isinstance(iri, URIRef) and str(iri).startswith(str(namespace))


def compare(draft: Graph, gold: Graph) -> dict[str, Score]:
    scores = {}
    money_p, money_g = _statements(draft, SG.Funding), _statements(gold, SG.Funding)
    scores[ROWS[0]] = _match([r[0] for r in money_p], [r[0] for r in money_g])
    scores[ROWS[1]] = _match(money_p, money_g)
    count_p = _statements(draft, SG.Quantity) + _statements(draft, SG.ProposedQuantity)
    count_g = _statements(gold, SG.Quantity)
    scores[ROWS[2]] = _match([r[0] for r in count_p], [r[0] for r in count_g])
    scores[ROWS[3]] = _match([r[:2] for r in count_p], [r[:2] for r in count_g])
    bodies = set(draft.objects(None, OA.hasBody))
    used = {o for _, p, o in gold if p != RDF.type}
    for row, space in ((ROWS[4], ACTOR), (ROWS[5], TARGET_GROUP), (ROWS[6], POLICY_AREA)):
        predicted = sorted(b for b in bodies if _in(space, b))
        wanted = sorted(o for o in used if _in(space, o))
        scores[row] = _match(predicted, wanted)
    mine, theirs = _measures(draft), _measures(gold)
    best = {}
    for measure, (spans, _) in theirs.items():
        overlaps = [(_overlap(spans, s), m) for m, (s, _) in mine.items()]
        top = max(overlaps, default=(0, None))
        if top[0] > 0:
            best[measure] = top[1]
    matched_mine = {m for m, (s, _) in mine.items()
                    if any(_overlap(s, t) > 0 for t, _ in theirs.values())}
    scores[ROWS[7]] = Score(len(matched_mine), len(mine), len(best), len(theirs))
    right = [g for g, m in best.items() if theirs[g][1] & mine[m][1]]
    scores[ROWS[8]] = Score(len(right), len(best), len(right), len(theirs))
    return scores


def introduced_labels(texts: dict[str, str], files: list[Path]) -> dict[str, set]:
    """document slug -> (IRI, label) pairs of actors and concepts whose label occurs in that
    document's text and in no other."""
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    only = defaultdict(set)
    for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
        for subject, label in graph.subject_objects(prop):
            if not isinstance(label, Literal) or label.language not in (None, "de"):
                continue
            holders = [s for s, t in texts.items() if str(label).lower() in t.lower()]
            if len(holders) == 1:
                only[holders[0]].add((str(subject), str(label)))
    return only


def corpus_documents() -> list[tuple]:
    """(slug, file name, level, kind, curated graph, as-of date or None) of each corpus
    document with a curated graph."""
    sources = Graph().parse(settings.GRAPHS_DIR / "sources.ttl", format="turtle")
    documents = []
    for source, file_name in sorted(sources.subject_objects(SG.corpusFile)):
        slug = str(source).removeprefix(str(SOURCE))
        path = settings.GRAPHS_DIR / f"{slug}.ttl"
        if not path.is_file() or not (settings.corpus_dir() / str(file_name)).is_file():
            continue
        gold = Graph().parse(path, format="turtle")
        level = "land"
        if sources.value(source, SG.level) == SG.MunicipalLevel:
            places = [o for o in gold.objects(None, SG.jurisdiction)]
            level = str(places[0]).removeprefix(str(ACTOR)).removeprefix("stadt-") \
                if places else "kassel"
        kind = KINDS.get(sources.value(source, SG.documentKind), "information-page")
        as_of = sources.value(source, SG.asOfDate)
        documents.append((slug, str(file_name), level, kind, gold,
                          as_of.toPython() if as_of is not None else None))
    return documents


def evaluate_corpus() -> dict[str, dict[str, Score]]:
    """{"shared vocabularies" | "without labels only the document introduced": {row: Score}}."""
    from sozialgraph.extract import Options, extract, lexicon_files
    from sozialgraph.extract.lexicon import load

    documents = corpus_documents()
    texts = {document[0]: document_text(document[1]) for document in documents}
    introduced = introduced_labels(texts, lexicon_files()[1:])
    full = load(lexicon_files())
    table = {}
    for setting in ("shared vocabularies", "without labels only the document introduced"):
        totals = {row: Score() for row in ROWS}
        for slug, name, level, kind, gold, as_of in documents:
            lexicon = full if setting == "shared vocabularies" else \
                load(lexicon_files(), exclude=introduced.get(slug, set()))
            draft = extract(texts[slug], Options(slug, name, level, kind, as_of), lexicon)
            for row, score in compare(draft, gold).items():
                totals[row].add(score)
        table[setting] = totals
    return table


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def render(table: dict[str, dict[str, Score]]) -> str:
    lines = ["| kind | setting | precision | recall | right / predicted | found / curated |",
             "|---|---|---|---|---|---|"]
    for row in ROWS:
        for setting, scores in table.items():
            s = scores[row]
            lines.append(f"| {row} | {setting} | {_percent(s.precision)} | "
                         f"{_percent(s.recall)} | {s.found} / {s.predicted} | "
                         f"{s.recalled} / {s.gold} |")
    return "\n".join(lines) + "\n"


HEADER = """# Extraction quality

Written by `sozialgraph extract --evaluate`: leave-one-out over the corpus documents, each
draft compared with its curated graph (micro-averaged over the documents). The extractor reads
only the shared actors and vocabularies, never a document graph. "without labels only the
document introduced" takes out of them every label that occurs in the held-out document's text
and in no other's.

Read the numbers with care: the rules were written while looking at these five documents (and
at the three test texts of other styles in tests/fixtures/extract/), so leaving a document out
holds back only the data the extractor reads, not what its author saw. A new kind of document
will score lower; docs/extraction.md says where the gaps are.

How items are compared: money and counts as statements (a prediction is right when a curated
statement of the document has the same value, or the same value, qualifier, periodicity and
period; a caption that repeats the text counts as a prediction of its own); actors, target
groups and policy areas as the sets of IRIs the draft mentions and the curated graph uses;
measures by overlapping evidence (a curated measure is found when an extracted measure's
evidence overlaps its own; since the extractor's evidence is whole sentences, precision here is
lenient); status on the curated measures matched that way.

"""


def write_report(table: dict[str, dict[str, Score]], path: Path) -> str:
    text = render(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + text, encoding="utf-8")
    return text
