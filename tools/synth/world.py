"""The generator's state and output: the world every synthetic document speaks about.

`World` holds one random source, the output file, the concepts (vocabularies.py) and actors
(actors.py) written so far, and the measures the documents (documents.py) introduced; a
`GraphWriter` streams one named graph into the shared N-Quads file. tools/synth/synth.py is the
entry point. Imports sozialgraph.rdf.namespaces.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import GRAPH


@dataclass(frozen=True)
class GraphFile:
    graph: str  # the named graph's IRI
    triples: int


class Chooser:
    """Weighted choices that first run through every option once, in the order given."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._seen: dict[str, int] = {}
        self._cumulative: dict[str, list[float]] = {}

    def pick(self, key: str, options: Sequence, weights: Sequence[float]):
        seen = self._seen.get(key, 0)
        if seen < len(options):
            self._seen[key] = seen + 1
            return options[seen]
        cumulative = self._cumulative.get(key)
        if cumulative is None:
            total, cumulative = 0.0, []
            for weight in weights:
                total += weight
                cumulative.append(total)
            self._cumulative[key] = cumulative
        return self.rng.choices(options, cum_weights=cumulative)[0]


class GraphWriter:
    """The triples of one named graph, streamed as N-Quads lines into the shared data file."""

    def __init__(self, handle: IO[str], stem: str):
        self._handle = handle
        self.graph = str(GRAPH[stem])
        self._end = f" <{self.graph}> .\n"
        self.triples = 0

    def add(self, s: str, p: str, o: str) -> None:
        self._handle.write(f"{s} {p} {o}{self._end}")
        self.triples += 1

    def add_triples(self, triples: list[str]) -> None:
        """Write triples given as "subject predicate object" (no graph, no final dot)."""
        end = self._end
        self._handle.write("".join(t + end for t in triples))
        self.triples += len(triples)


@dataclass(slots=True)
class Concept:
    iri: str
    de: str
    en: str
    depth: int
    topic_de: str  # the label of its real ancestor, used to name measures
    topic_en: str


@dataclass(slots=True)
class Measure:
    iri: str
    cls: str
    label: str  # German, with its noun: "Projekt Frühe Hilfen Waldhausen 17"
    label_en: str
    gender: str


@dataclass(slots=True)
class Town:
    iri: str
    name: str
    label: str
    coalition: str | None = None
    government: str | None = None


class World:
    """The generator's state: random source, output, vocabularies, actors, measures so far."""

    def __init__(self, target: int, seed: int, out_dir: Path, data: IO[str]):
        self.target, self.out, self.data = target, out_dir, data
        self.rng = random.Random(seed)
        self.choose = Chooser(self.rng)
        self.graphs: list[GraphFile] = []
        self.written = 0
        self.counts: dict[str, dict[str, int]] = {
            k: {} for k in ("measures", "mentions", "fundings", "quantities", "evidence",
                            "actors", "concepts", "documents")}
        self.measures: dict[str, list[Measure]] = {"StateLevel": [], "MunicipalLevel": []}
        self.corpus: list[dict[str, object]] = []
        self._serial: dict[str, int] = {}
        self._used_names: dict[str, int] = {}
        # the concepts, written by vocabularies.write_vocabularies
        self.real_groups: list[Concept] = []
        self.real_areas: list[Concept] = []
        self.refugee_groups: list[Concept] = []
        self.synthetic_groups: list[Concept] = []
        self.synthetic_areas: list[Concept] = []
        # the actors, written by actors.write_actors
        self.towns: list[Town] = []
        self.coalition_towns: list[Town] = []
        self.ministries: list[tuple[str, str]] = []  # (IRI, how a text names it)
        self.providers: list[str] = []
        self.state_responsible: list[str] = []
        self.state_funders: list[tuple[str, str]] = []
        self.funder_weights: list[float] = []

    def next(self, kind: str) -> int:
        self._serial[kind] = self._serial.get(kind, 0) + 1
        return self._serial[kind]

    def count(self, group: str, key: str, n: int = 1) -> None:
        self.counts[group][key] = self.counts[group].get(key, 0) + n

    def unique(self, name: str) -> str:
        """The name, or the name with a number when it was used before."""
        seen = self._used_names.get(name, 0)
        self._used_names[name] = seen + 1
        return name if seen == 0 else f"{name} {seen + 1}"

    def close(self, writer: GraphWriter) -> None:
        self.graphs.append(GraphFile(writer.graph, writer.triples))
        self.written += writer.triples

    def copy_real(self, writer: GraphWriter, path: Path) -> list[ox.Triple]:
        """Copy a real graph, sorted (the parser's order is no promise), and return it."""
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        writer.add_triples(sorted(f"{t.subject} {t.predicate} {t.object}" for t in triples))
        return triples
