"""The changelog between two releases: triples added and removed per named graph, and the
entities (facts, measures, actors, concepts, sources) added, changed or withdrawn, with labels.

Blank nodes have no identity across releases, so they are compared by their canonical form, a
hash of what they say (see `_forms`), never by their labels: a graph's triples are compared
graph by graph, and an entity's description (its triples in the asserted graphs, with the blank
nodes they lead to) on its own. Relabelling a blank node changes nothing; changing anything
about one (an amount's value) changes the triples that mention it, and nothing else.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.store.embedded import GRAPH_INFERRED

SG = "https://w3id.org/sozialgraph/ontology#"
# The kinds of entity a changelog lists, most specific first: an entity counts as the first kind
# any of its types (asserted or inferred) belongs to.
KINDS = (
    (SG + "Funding", "funding"),
    (SG + "Quantity", "quantity"),
    (SG + "Measure", "measure"),
    (SG + "Actor", "actor"),
    ("http://www.w3.org/2004/02/skos/core#Concept", "concept"),
    (SG + "SourceDocument", "source document"),
)
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@dataclass
class Entity:
    iri: str
    kind: str
    label_de: str = ""
    label_en: str = ""

    def as_json(self) -> dict:
        return {"iri": self.iri, "kind": self.kind, "label_de": self.label_de,
                "label_en": self.label_en}


@dataclass
class Snapshot:
    """What a changelog needs of one release: its graphs' canonical triples, and its entities
    with their kinds, labels and canonical descriptions."""

    graphs: dict[str, frozenset]
    entities: dict[str, Entity]
    descriptions: dict[str, frozenset] = field(repr=False)


def snapshot(quads: list[ox.Quad]) -> Snapshot:
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].append(ox.Triple(quad.subject, quad.predicate,
                                                             quad.object))
    everything = [t for triples in by_graph.values() for t in triples]
    form = _forms(everything)  # a blank node is one node across the graphs (amounts are typed
    # in the inferred graph and valued in a document's graph)
    graphs = {name: _written(triples, form) for name, triples in by_graph.items()}
    asserted = [t for name, triples in by_graph.items() if name != GRAPH_INFERRED
                for t in triples]
    entities = _entities(everything)
    about: dict[object, list[ox.Triple]] = defaultdict(list)
    for triple in asserted:
        about[triple.subject].append(triple)
    descriptions = {iri: _written(_closure(ox.NamedNode(iri), about), form) for iri in entities}
    return Snapshot(graphs, entities, descriptions)


def _forms(triples: list[ox.Triple]):
    """The function writing a term in canonical form: a blank node as a hash of what it says
    (its outgoing triples in the whole dataset, recursively). Unlike the labels of a whole-graph
    canonicalisation, which are numbered in order and shift when another blank node changes, a
    blank node's form changes only when something about it changes. Two blank nodes that say
    the same are one (as in the lean graph). A blank node on a cycle of blank nodes is named by
    its position on the cycle; the graphs here have none (amounts and selectors are trees)."""
    outgoing: dict[ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode):
            outgoing[triple.subject].append(triple)
    forms: dict[ox.BlankNode, str] = {}

    def form(term, path=()) -> str:
        if not isinstance(term, ox.BlankNode):
            return str(term)
        if term in forms:
            return forms[term]
        if term in path:
            return f"_:cycle{path.index(term)}"
        parts = sorted({f"{t.predicate} {form(t.object, (*path, term))}"
                        for t in outgoing.get(term, ())})
        digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]
        forms[term] = f"_:h{digest}"
        return forms[term]

    return form


def _written(triples: list[ox.Triple], form) -> frozenset:
    return frozenset(f"{form(t.subject)} {t.predicate} {form(t.object)}" for t in triples)


def _closure(node, about: dict) -> list[ox.Triple]:
    """The triples about `node` and, recursively, about the blank nodes they lead to."""
    found, todo, seen = [], [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for triple in about.get(current, ()):
            found.append(triple)
            if isinstance(triple.object, ox.BlankNode):
                todo.append(triple.object)
    return found


def _entities(triples: list[ox.Triple]) -> dict[str, Entity]:
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    sub_class = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    parents: dict[str, set[str]] = defaultdict(set)
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[tuple[str, str], str] = {}
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
            types[t.subject.value].add(t.object.value)
        elif t.predicate.value == sub_class and isinstance(t.object, ox.NamedNode):
            parents[t.subject.value].add(t.object.value)
        elif t.predicate == RDFS_LABEL and isinstance(t.object, ox.Literal):
            labels.setdefault((t.subject.value, t.object.language or ""), t.object.value)

    def ancestors(cls: str) -> set[str]:
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(parents.get(current, ()))
        return seen

    entities = {}
    for iri, classes in types.items():
        reachable = set().union(*(ancestors(c) for c in classes))
        kind = next((name for cls, name in KINDS if cls in reachable), None)
        if kind is not None:
            entities[iri] = Entity(iri, kind, labels.get((iri, "de"), ""),
                                   labels.get((iri, "en"), ""))
    return entities


def changelog(old: Snapshot | None, new: Snapshot) -> dict:
    """The changelog of `new` against `old` (None: the first release), as plain data."""
    before = old or Snapshot({}, {}, {})
    graphs = {}
    for name in sorted(set(before.graphs) | set(new.graphs)):
        was, now = before.graphs.get(name, frozenset()), new.graphs.get(name, frozenset())
        graphs[name] = {"name": name.removeprefix(str(GRAPH)), "added": len(now - was),
                        "removed": len(was - now), "triples": len(now)}
    added = [new.entities[i] for i in sorted(set(new.entities) - set(before.entities))]
    withdrawn = [before.entities[i] for i in sorted(set(before.entities) - set(new.entities))]
    changed = [new.entities[i] for i in sorted(set(new.entities) & set(before.entities))
               if new.descriptions[i] != before.descriptions[i]]
    return {
        "graphs": graphs,
        "added": [e.as_json() for e in added],
        "changed": [e.as_json() for e in changed],
        "withdrawn": [e.as_json() for e in withdrawn],
        "triples_added": sum(g["added"] for g in graphs.values()),
        "triples_removed": sum(g["removed"] for g in graphs.values()),
    }


def markdown(version: str, previous: str | None, log: dict) -> str:
    """The changelog as Markdown (CHANGELOG.md of the release)."""
    lines = [f"# Sozialgraph {version}", ""]
    if previous is None:
        lines += ["The first release.", ""]
    else:
        lines += [f"Changes since {previous}: {log['triples_added']} triples added, "
                  f"{log['triples_removed']} removed.", ""]
    lines += ["## Graphs", "", "| graph | triples | added | removed |", "|---|---:|---:|---:|"]
    lines += [f"| {g['name']} | {g['triples']} | {g['added']} | {g['removed']} |"
              for g in log["graphs"].values()]
    for key, title in (("added", "Added"), ("changed", "Changed"), ("withdrawn", "Withdrawn")):
        lines += ["", f"## {title} ({len(log[key])})", ""]
        lines += [f"- {e['kind']}: {e['label_de'] or e['iri']}"
                  + (f" / {e['label_en']}" if e["label_en"] else "") + f" <{e['iri']}>"
                  for e in log[key]] or ["(none)"]
    return "\n".join(lines) + "\n"
