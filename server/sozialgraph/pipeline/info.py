"""What a build records of itself: `build-info.json` in each build directory (its sources,
versions, graph sizes, the validation's verdict, the inference and the stage timings), and the
BuildReport that `build` returns and `sozialgraph build` prints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rdflib.namespace import OWL, RDF, SH

from sozialgraph import __version__
from sozialgraph.inference.owl import InferenceResult
from sozialgraph.pipeline.steps import shown
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.validation.report import ValidationResult

BUILD_INFO = "build-info.json"


@dataclass
class BuildReport:
    store_dir: Path
    build_dir: Path
    graph_counts: dict[str, int]  # graph IRI -> triples, the inferred graph included
    inferred: int
    timings: dict[str, float]  # stage -> seconds
    validation: ValidationResult | None = None
    inconsistencies: list[str] = field(default_factory=list)
    validator_peak_mb: float | None = None  # the validation process's own peak

    @property
    def total(self) -> int:
        return sum(self.graph_counts.values())

    def summary(self) -> str:
        width = max(len(_short(g)) for g in self.graph_counts)
        lines = [f"Built {self.build_dir.name} -> {self.store_dir}"]
        lines += [f"  {_short(g):<{width}}  {n:>8}" for g, n in self.graph_counts.items()]
        lines += [f"  {'total':<{width}}  {self.total:>8}  ({self.inferred} inferred)", "Stages:"]
        lines += [f"  {stage:<9} {seconds:7.2f} s" for stage, seconds in self.timings.items()]
        return "\n".join(lines)


def _short(graph_iri: str) -> str:
    return "sgg:" + graph_iri.removeprefix(str(GRAPH)) if graph_iri.startswith(str(GRAPH)) \
        else graph_iri


def ontology_version(ontology: set) -> str | None:
    """The owl:versionInfo of the ontology (N-Triples term triples), if it states one."""
    graph = ntriples.to_rdflib(ontology)
    for node in graph.subjects(RDF.type, OWL.Ontology):
        version = graph.value(node, OWL.versionInfo)
        if version is not None:
            return str(version)
    return None


def write_build_info(build_dir: Path, *, built_at: datetime, version: str | None,
                     sources: list[Path], counts: dict[str, int],
                     result: ValidationResult | None, validator: str,
                     inference: InferenceResult, timings: dict[str, float]) -> None:
    """Write `build-info.json` into `build_dir`."""
    info = {
        "built_at": built_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "sozialgraph_version": __version__,
        "ontology_version": version,
        "sources": [shown(p) for p in sources],
        "graphs": counts,
        "asserted_triples": sum(counts.values()) - counts[GRAPH_INFERRED],
        "inferred_triples": counts[GRAPH_INFERRED],
        "total_triples": sum(counts.values()),
        "validation": None if result is None else {
            "validator": validator, "conforms": result.conforms,
            "violations": result.count(SH.Violation), "warnings": result.count(SH.Warning),
            "infos": result.count(SH.Info)},
        "inference": {"engine": inference.engine, "dropped_as_trivial": inference.dropped,
                      "inconsistencies": inference.inconsistencies},
        "timings_seconds": timings,
    }
    (build_dir / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
