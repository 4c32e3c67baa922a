"""`sozialgraph promote ID`: a reviewed draft becomes the curated graph `graphs/<slug>.ttl` of
its source document (docs/extraction.md, "Review decisions" and "Promotion").

1. What the curator kept: every statement of the draft except those deleted from the file or
   marked `sg:reviewDecision sg:Rejected` (and what only they refer to: their amounts and
   evidence). A kept statement that still refers to a rejected one is refused.
2. Proposed actors and concepts (`sg:proposed true`): `sg:Accepted` ones are added to
   graphs/actors.ttl or graphs/vocabularies.ttl (a slug of their label without the draft's id
   where that is free), `sg:UseClosestMatch` ones are replaced by their `sg:closestMatch`
   everywhere, `sg:Rejected` ones are dropped with every triple that names them. One that a kept
   statement still names without a decision is refused: nothing new enters the shared graphs
   unseen. An `sg:ProposedQuantity` that is kept is refused (its unit is not in the model).
3. The extraction metadata goes: sg:Draft, the sg:Extraction activity and its software agent,
   the mentions, sg:extractionRule, sg:confidence, prov:wasGeneratedBy, sg:proposed,
   sg:closestMatch, sg:amountChange and sg:reviewDecision.
4. The model's rules that drafts do not follow yet are filled in: `sg:statedBy` the source's
   publisher on every funding and quantity without one, `sg:pledgedBy` the publisher on every
   pledged measure (sg:Pledged, or a sg:pledgedChange) without one, and a funding that is an
   increase (sg:increaseOf, or "um X erhöht") is typed sg:Increase as well.
5. The source document goes to graphs/sources.ttl (with rdfs:seeAlso its graph).
6. The checks, on a copy of the project's graphs with the result in place, before anything is
   written: the build's parse and its SHACL validation with the build's policy (violations
   refuse, warnings are reported), and every quote of the new graph verbatim at its offsets of
   the corpus text whose SHA-256 and length the source records. A refusal changes nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

from sozialgraph.corpus import slug_of
from sozialgraph.pipeline.parse import RESERVED_STEMS, parse
from sozialgraph.pipeline.steps import BuildError
from sozialgraph.rdf.namespaces import (
    ACTOR,
    EVIDENCE,
    GRAPH,
    OA,
    POLICY_AREA,
    PREFIXES,
    SG,
    SOURCE,
    TARGET_GROUP,
    bind_all,
)
from sozialgraph.rdf.parse import RDFSyntaxError, read_graph
from sozialgraph.review.draft import DRAFT_ID, measure_classes
from sozialgraph.review.quotes import check_quotes, corpus_text
from sozialgraph.validation.engine import ValidationError
from sozialgraph.validation.engine import validate as run_validation
from sozialgraph.validation.report import ValidationResult

SHARED_STEMS = {"actors", "vocabularies", "sources"}
META_TYPES = (SG.Draft, SG.Extraction, SG.Mention, OA.Annotation, PROV.SoftwareAgent)
DROPPED = (SG.extractionRule, SG.confidence, SG.reviewDecision, SG.proposed, SG.closestMatch,
           SG.amountChange, PROV.wasGeneratedBy)


class PromotionError(Exception):
    """Promotion could not run: no draft, a file that cannot be read (exit 2)."""


class PromotionRefused(Exception):
    """The result would not be right (exit 1): `problems` say why, `report` is the SHACL
    report's text where validation refused."""

    def __init__(self, problems: list[str], report: str = ""):
        super().__init__("; ".join(problems))
        self.problems, self.report = problems, report


@dataclass
class Project:
    ontology: Path
    graphs: Path
    shapes: Path


@dataclass
class Result:
    slug: str
    files: dict[str, str]  # graphs/ file name -> its new content
    summary: list[str] = field(default_factory=list)
    validation: ValidationResult | None = None


def _subjects_of_types(graph: Graph, types) -> set:
    return {s for t in types for s in graph.subjects(RDF.type, t)}


def _n3(term, graph: Graph) -> str:
    if isinstance(term, Literal) and term.datatype == XSD.integer:
        return str(int(term))
    return term.n3(graph.namespace_manager)


def turtle_block(graph: Graph, subject) -> str:
    """The triples of `subject` as one Turtle block in the style of the hand-written files."""
    types = sorted(graph.objects(subject, RDF.type))
    lines = [f"{_n3(subject, graph)} a {' , '.join(_n3(t, graph) for t in types)}"]
    predicates = sorted({p for p in graph.predicates(subject) if p != RDF.type})
    for predicate in predicates:
        values = sorted(graph.objects(subject, predicate), key=lambda o: (str(o.language or "")
                                                                           if isinstance(o, Literal)
                                                                           else "", str(o)))
        lines.append(f"    {_n3(predicate, graph)} {' , '.join(_n3(v, graph) for v in values)}")
    return " ;\n".join(lines) + " .\n"


class Promotion:
    def __init__(self, draft: Graph, project: Project):
        self.draft, self.project = draft, project
        self.problems: list[str] = []
        self.summary: list[str] = []

    # -- what the curator decided -----------------------------------------------------------

    def decisions(self):
        g = self.draft
        drafts = list(g.subjects(RDF.type, SG.Draft))
        if len(drafts) != 1:
            raise PromotionError(f"the file holds {len(drafts)} sg:Draft resources, not one")
        self.document = g.value(drafts[0], PROV.wasDerivedFrom)
        if not (isinstance(self.document, URIRef) and str(self.document).startswith(str(SOURCE))
                and DRAFT_ID.fullmatch(str(self.document)[len(str(SOURCE)):])):
            raise PromotionError("the draft's prov:wasDerivedFrom is not a source document "
                                 "sgs:<slug>")
        self.slug = str(self.document)[len(str(SOURCE)):]
        self.meta = _subjects_of_types(g, META_TYPES) | {
            o for o in g.objects(None, PROV.wasGeneratedBy)}
        self.rejected = set(g.subjects(SG.reviewDecision, SG.Rejected))
        self.proposed = set(g.subjects(SG.proposed, Literal(True)))
        self.accepted = {p for p in self.proposed if (p, SG.reviewDecision, SG.Accepted) in g}
        self.replaced: dict = {}
        for entity in self.proposed:
            if (entity, SG.reviewDecision, SG.UseClosestMatch) in g:
                matches = sorted(g.objects(entity, SG.closestMatch))
                closest = matches[0] if len(matches) == 1 else None
                if len(matches) > 1:
                    self.problems.append(f"{self.name(entity)} has {len(matches)} "
                                         "sg:closestMatch values: keep the one it is")
                elif closest is None:
                    self.problems.append(f"{self.name(entity)} is to be replaced by its closest "
                                         "match, but has no sg:closestMatch: name one")
                else:
                    self.replaced[entity] = closest
        self.increases = set(g.subjects(SG.amountChange, SG.IncreaseBy)) | set(
            g.subjects(SG.increaseOf, None))

    @staticmethod
    def name(term) -> str:
        """`sgs:slug` for an IRI of a project prefix, else the term in N3."""
        text = str(term)
        best = max((ns for ns in PREFIXES.values() if text.startswith(ns)), key=len, default="")
        if isinstance(term, URIRef) and best and "/" not in text[len(best):]:
            prefix = next(p for p, ns in PREFIXES.items() if ns == best)
            return f"{prefix}:{text[len(best):]}"
        return term.n3()

    # -- the graph that remains --------------------------------------------------------------

    def kept(self) -> Graph:
        g, gone = self.draft, self.meta | self.rejected
        dropped_entities = {p for p in self.proposed if p in self.rejected}
        result = bind_all(Graph())
        for s, p, o in g:
            if s in gone or s in self.replaced or p in DROPPED or o in dropped_entities:
                continue
            result.add((s, p, self.replaced.get(o, o)))
        # what still refers to a rejected statement, or to an undecided proposed entity
        statements = {s for s, _, o in result if o in self.rejected and o not in self.proposed}
        for subject in sorted(statements):
            for target in sorted(o for o in result.objects(subject) if o in self.rejected):
                self.problems.append(f"{self.name(subject)} refers to the rejected "
                                     f"{self.name(target)}: reject it too, or point it elsewhere")
        undecided = self.proposed - self.accepted - self.rejected - set(
            self.draft.subjects(SG.reviewDecision, SG.UseClosestMatch))
        for entity in sorted(undecided):
            users = {s for s in result.subjects(None, entity) if s != entity}
            if users:
                label = g.value(entity, RDFS.label) or g.value(entity, SKOS.prefLabel)
                closest = g.value(entity, SG.closestMatch)
                self.problems.append(
                    f"the proposed {self.name(entity)} (\"{label}\") needs a decision: "
                    "sg:reviewDecision sg:Accepted (a new entity), sg:UseClosestMatch ("
                    + (f"its sg:closestMatch {self.name(closest)}" if closest else
                       "after naming an existing one as its sg:closestMatch")
                    + ") or sg:Rejected")
            else:
                result.remove((entity, None, None))  # named by mentions only: not carried over
        for quantity in sorted(result.subjects(RDF.type, SG.ProposedQuantity)):
            self.problems.append(f"{self.name(quantity)} is an sg:ProposedQuantity, whose unit "
                                 "the model lacks: reject it, or make it an sg:Quantity with an "
                                 "sg:unit of sg:QuantityUnit")
        return result

    def complete(self, graph: Graph):
        """sg:statedBy, sg:pledgedBy and sg:Increase where the draft lacks them."""
        publisher = graph.value(self.document, DCTERMS.publisher)
        if publisher is None:
            self.problems.append(f"the source {self.name(self.document)} has no dct:publisher "
                                 "to state its statements")
            return
        added = {"statedBy": 0, "pledgedBy": 0, "Increase": 0}
        for cls in (SG.Funding, SG.Quantity):
            for statement in set(graph.subjects(RDF.type, cls)):
                if graph.value(statement, SG.statedBy) is None:
                    graph.add((statement, SG.statedBy, publisher))
                    added["statedBy"] += 1
        measures = {s for c in measure_classes() for s in graph.subjects(RDF.type, c)}
        for measure in measures:
            pledged = (measure, SG.status, SG.Pledged) in graph or \
                graph.value(measure, SG.pledgedChange) is not None
            if pledged and graph.value(measure, SG.pledgedBy) is None:
                graph.add((measure, SG.pledgedBy, publisher))
                added["pledgedBy"] += 1
        for funding in self.increases:
            if (funding, RDF.type, SG.Funding) in graph and \
                    (funding, RDF.type, SG.Increase) not in graph:
                graph.add((funding, RDF.type, SG.Increase))
                added["Increase"] += 1
        self.summary.append(f"added: sg:statedBy on {added['statedBy']} statements, "
                            f"sg:pledgedBy on {added['pledgedBy']} pledges, sg:Increase on "
                            f"{added['Increase']} increases")

    @staticmethod
    def collect(graph: Graph):
        """Drop blank nodes and evidence that nothing kept refers to any longer."""
        while True:
            referenced = set(graph.objects())
            orphans = {s for s in graph.subjects() if s not in referenced and (
                isinstance(s, BNode) or (s, RDF.type, SG.Evidence) in graph)}
            if not orphans:
                return
            for orphan in orphans:
                graph.remove((orphan, None, None))

    def entity_iri(self, entity, shared: set) -> URIRef:
        """An accepted entity's IRI: its label's slug without the draft's id, where free."""
        labels = list(self.draft.objects(entity, RDFS.label)) + list(
            self.draft.objects(entity, SKOS.prefLabel))
        label = next((x for x in labels if getattr(x, "language", None) == "de"),
                     labels[0] if labels else None)
        for namespace in (ACTOR, TARGET_GROUP, POLICY_AREA):
            if str(entity).startswith(str(namespace)) and label is not None:
                candidate = namespace[slug_of(str(label), 8)]
                if candidate not in shared and (candidate, None, None) not in self.draft:
                    return candidate
        return entity

    # -- the files ---------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        self.decisions()
        graph = self.kept()
        self.complete(graph)
        shared_graphs = {stem: read_graph(self.project.graphs / f"{stem}.ttl")
                         for stem in SHARED_STEMS}
        shared = {s for g in shared_graphs.values() for s in g.subjects()}
        renames = {e: self.entity_iri(e, shared) for e in self.accepted if e not in self.rejected}
        if any(old != new for old, new in renames.items()):
            for s, p, o in list(graph):
                if s in renames or o in renames:
                    graph.remove((s, p, o))
                    graph.add((renames.get(s, s), p, renames.get(o, o)))
        if (self.document, None, None) in shared_graphs["sources"]:
            self.problems.append(f"graphs/sources.ttl has {self.name(self.document)} already")
        if self.problems:
            raise PromotionRefused(self.problems)
        files: dict[str, str] = {}
        moved = {"sources": [self.document], "actors": [], "vocabularies": []}
        for entity in renames.values():
            moved["actors" if str(entity).startswith(str(ACTOR)) else "vocabularies"].append(
                entity)
            if (entity, SKOS.prefLabel, None) in graph:
                for label in list(graph.objects(entity, SKOS.prefLabel)):
                    graph.add((entity, RDFS.label, label))
        graph.add((self.document, RDFS.seeAlso, GRAPH[self.slug]))
        for stem, subjects in moved.items():
            if not subjects:
                continue
            part = bind_all(Graph())
            for subject in subjects:
                for triple in graph.triples((subject, None, None)):
                    part.add(triple)
                graph.remove((subject, None, None))
            blocks = "\n".join(turtle_block(part, s) for s in sorted(subjects))
            note = f"\n# Added by `sozialgraph promote {self.slug}`.\n"
            current = (self.project.graphs / f"{stem}.ttl").read_text(encoding="utf-8")
            files[f"{stem}.ttl"] = current.rstrip("\n") + "\n" + note + blocks
            self.summary.append(f"{stem}.ttl: + {', '.join(self.name(s) for s in subjects)}")
        self.collect(graph)
        graph.bind("ev", str(EVIDENCE[self.slug + "/"]))
        counts = {name: len(set(graph.subjects(RDF.type, cls))) for name, cls in (
            ("fundings", SG.Funding), ("quantities", SG.Quantity), ("pieces of evidence",
                                                                    SG.Evidence))}
        counts["measures"] = len({s for c in measure_classes()
                                  for s in graph.subjects(RDF.type, c)})
        header = (f"# The curated graph of {self.name(self.document)}, promoted from its "
                  f"reviewed draft by `sozialgraph promote` on "
                  f"{datetime.now(UTC).date().isoformat()}\n# (docs/extraction.md). Every "
                  "statement quotes its words with their offsets in the corpus text.\n")
        files[f"{self.slug}.ttl"] = header + graph.serialize(format="turtle")
        self.summary.insert(0, f"{self.slug}.ttl: {len(graph)} triples, " + ", ".join(
            f"{n} {name}" for name, n in counts.items()))
        self.summary.append(f"dropped: {len(self.rejected)} rejected, "
                            f"{len(_subjects_of_types(self.draft, (SG.Mention,)))} mentions, "
                            "the extraction metadata")
        self.graph = graph
        return files


def promote(draft_file: Path, project: Project, *, write: bool = True,
            progress: Callable[[str], None] = lambda _: None) -> Result:
    """Promote the draft in `draft_file` into `project`'s graphs (see the module doc)."""
    try:
        draft = read_graph(draft_file)
    except (RDFSyntaxError, OSError) as error:
        raise PromotionError(str(error)) from None
    promotion = Promotion(draft, project)
    try:
        files = promotion.files()
    except (RDFSyntaxError, OSError) as error:
        raise PromotionError(str(error)) from None
    slug = promotion.slug
    if slug in RESERVED_STEMS | SHARED_STEMS:
        raise PromotionRefused([f"the source slug {slug!r} names a graph that is reserved"])
    target = project.graphs / f"{slug}.ttl"
    if target.exists():
        raise PromotionRefused([f"graphs/{slug}.ttl exists already: a document is promoted "
                                "once (remove it and its sources.ttl entry to promote again)"])
    sources_text = files.get("sources.ttl")
    sources = Graph().parse(data=sources_text, format="turtle")
    problems = check_quotes(promotion.graph, sources, corpus_text)
    if problems:
        raise PromotionRefused(problems)
    result = Result(slug, files, promotion.summary)
    with tempfile.TemporaryDirectory(prefix="sozialgraph-promote-") as staging:
        graphs = Path(staging) / "graphs"
        shutil.copytree(project.graphs, graphs, ignore=shutil.ignore_patterns("drafts"))
        for name, content in files.items():
            (graphs / name).write_text(content, encoding="utf-8")
        try:
            parsed = parse(project.ontology, sorted(graphs.glob("*.ttl")),
                           sorted(project.shapes.glob("*.ttl")), progress)
            result.validation = run_validation(parsed.asserted, parsed.shapes,
                                               allow_warnings=True)
        except (RDFSyntaxError, BuildError) as error:
            message = str(error).replace(str(graphs), "graphs")
            raise PromotionRefused([f"the result does not parse: {message}"]) from None
        except ValidationError as error:
            raise PromotionError(f"validation could not run: {error}") from None
    if not result.validation.conforms:
        raise PromotionRefused(["the result violates the shapes (report above)"],
                               result.validation.text())
    if write:
        _write(project.graphs, files)
    return result


def _write(folder: Path, files: dict[str, str]) -> None:
    """Each file written aside and renamed into place (a reader sees the old or the new)."""
    for name, content in files.items():
        aside = folder / f".{name}.promote"
        aside.write_text(content, encoding="utf-8")
        os.replace(aside, folder / name)
