"""The build, read top to bottom as the data flow: parse -> entail -> infer -> write -> validate
-> swap, one module per step in this package.

    ontology/sozialgraph.ttl -> graph sgg:ontology
    graphs/<stem>.ttl        -> graph sgg:<stem>
    shapes/*.ttl             -> used for validation only
    OWL 2 RL closure         -> graph sgg:inferred

Oxigraph parses every file; the build holds triples as N-Triples term strings (sozialgraph.rdf.ntriples),
never as rdflib terms, so that 10^6 triples build in about a minute (docs/benchmarks.md). The
OWL 2 RL rules run on those strings (sozialgraph.inference.owl.infer_ntriples); SHACL validation
(pyshacl-turbo by default, pySHACL on request: `validator`) runs in a worker process
(sozialgraph.validation.worker), on the other core, alongside inference and the writing of the new
store into a partial directory.

A syntax error stops the build with `file:line: message` before anything is written; a SHACL
violation stops it with the report (warnings and infos do not), and the partial store is removed:
nothing is swapped in unless validation passed.

The store is written into a new directory `<store>.builds/<UTC timestamp>` and then `<store>`
is made a symbolic link to it, by renaming a fresh link over the old one (atomic: a reader opens
either the old build or the new one). The previous build is kept, so that a server still reading
it is not disturbed until it restarts; older builds are removed. A `<store>` that is a real
directory was not made by this pipeline and is never replaced. Each build directory holds
`build-info.json` beside the store's own files.

The store holds one named graph per source, the inferred graph, and in its default graph the
merge of the asserted graphs (sozialgraph.store.embedded explains why).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF, SH

from sozialgraph import __version__
from sozialgraph import settings as config
from sozialgraph.pipeline.infer import infer
from sozialgraph.pipeline.parse import parse
from sozialgraph.pipeline.steps import BuildError, ValidationFailed, shown, stage
from sozialgraph.pipeline.swap import (
    build_paths,
    builds_root,
    check_target,
    locked,
    prune_builds,
    swap_in,
)
from sozialgraph.pipeline.validate import VALIDATORS, Validation
from sozialgraph.pipeline.write import write_store
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.store.embedded import GRAPH_INFERRED, GRAPH_ONTOLOGY
from sozialgraph.validation.report import ValidationResult

__all__ = ["BUILD_INFO", "VALIDATORS", "BuildError", "BuildReport", "ValidationFailed", "build",
           "builds_root"]

BUILD_INFO = "build-info.json"


@dataclass
class BuildReport:
    store_dir: Path
    build_dir: Path
    built_at: str
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


def _silent(_: str) -> None:
    pass


def build(store_dir: str | Path, *, ontology_file: Path | None = None,
          graphs_dir: Path | None = None, shapes_dir: Path | None = None,
          validator: str = "turbo", progress: Callable[[str], None] = _silent) -> BuildReport:
    """Build the store at `store_dir` from the ontology, graphs and shapes (default: project's).

    validator: "turbo" (pyshacl-turbo, the default: the same report, much sooner at scale) or
    "pyshacl" (the reference, as `sozialgraph validate` and the validation service use it).
    """
    if validator not in VALIDATORS:
        raise BuildError(f"unknown validator {validator!r} (known: {', '.join(VALIDATORS)})")
    store_dir = Path(store_dir).absolute()
    ontology_file = Path(ontology_file or config.ONTOLOGY_DIR / "sozialgraph.ttl")
    graph_files = sorted(Path(graphs_dir or config.GRAPHS_DIR).glob("*.ttl"))
    shape_files = sorted(Path(shapes_dir or config.SHAPES_DIR).glob("*.ttl"))
    check_target(store_dir)
    timings: dict[str, float] = {}

    with stage("parse", timings, progress):
        sources = parse(ontology_file, graph_files, shape_files, progress)
    ontology, graphs, shapes, asserted = (sources.ontology, sources.graphs, sources.shapes,
                                          sources.asserted)
    del sources

    # Validation runs in a process of its own, on the other core, while this one infers and
    # writes the new store aside; nothing is swapped in unless it passes.
    checking = None
    try:
        with stage("entail", timings, progress):
            checking = Validation(builds_root(store_dir), asserted, shape_files, validator)
            checking.entail(asserted, shapes, progress)
        with stage("infer", timings, progress):
            inference = infer(asserted, progress)
        all_graphs = {GRAPH_ONTOLOGY: ontology, **graphs, GRAPH_INFERRED: inference.triples}
        counts = {iri: len(graph) for iri, graph in all_graphs.items()}
        built_at = datetime.now(UTC)
        with locked(builds_root(store_dir)):
            partial, final = build_paths(store_dir, built_at)
            try:
                with stage("write", timings, progress):
                    quads = sum(counts.values()) + len(asserted)

                    def release() -> None:  # the triples are in the dump: free them first
                        nonlocal graphs, asserted, all_graphs
                        graphs = asserted = all_graphs = inference.triples = None

                    write_store(partial, all_graphs, asserted, release)
                    progress(f"  {quads} quads written aside (the named graphs and their merge "
                             "in the default graph)")
                with stage("validate", timings, progress):
                    result, seconds, peak_mb = checking.result()
                    timings["validator"] = seconds  # its own time, in parallel from the start
                    if result is None:
                        progress("  warning: no shapes found, validation skipped")
                    else:
                        progress(f"  {result.count(SH.Violation)} violations, "
                                 f"{result.count(SH.Warning)} warnings, "
                                 f"{result.count(SH.Info)} infos ({checking.engine}: "
                                 f"{seconds:.1f} s and {peak_mb:.0f} MB in its own process, "
                                 "alongside inference and writing)")
                        if not result.conforms:
                            raise ValidationFailed(result)
                info = _build_info(built_at, ontology, ontology_file, graph_files,
                                   shape_files, counts, result, inference, timings,
                                   checking.engine)
                (partial / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n",
                                                  encoding="utf-8")
                os.rename(partial, final)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            progress(f"  {final.name}: {sum(counts.values())} quads in named graphs")
            previous = swap_in(store_dir, final)
            removed = prune_builds(store_dir, keep={final, previous})
            if removed:
                progress(f"  removed {len(removed)} old builds")
    finally:
        if checking is not None:
            checking.stop()
    return BuildReport(store_dir, final, info["built_at"], counts, counts[GRAPH_INFERRED],
                       timings, result, inference.inconsistencies, peak_mb)


def _build_info(built_at: datetime, ontology: set, ontology_file: Path, graph_files: list[Path],
                shape_files: list[Path], counts: dict[str, int],
                result: ValidationResult | None, inference, timings: dict[str, float],
                validator: str) -> dict:
    return {
        "built_at": built_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "sozialgraph_version": __version__,
        "ontology_version": _ontology_version(ntriples.to_rdflib(ontology)),
        "sources": [shown(p) for p in [ontology_file, *graph_files, *shape_files]],
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


def _ontology_version(ontology: Graph) -> str | None:
    for node in ontology.subjects(RDF.type, OWL.Ontology):
        version = ontology.value(node, OWL.versionInfo)
        if version is not None:
            return str(version)
    return None
