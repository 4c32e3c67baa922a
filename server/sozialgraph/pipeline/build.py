"""The build, read top to bottom as the data flow: parse -> entail -> infer -> write -> index ->
validate -> swap, one module per step in this package.

    ontology/sozialgraph.ttl -> graph sgg:ontology
    graphs/<stem>.ttl        -> graph sgg:<stem>
    shapes/*.ttl             -> used for validation only
    OWL 2 RL closure         -> graph sgg:inferred

Oxigraph parses every file; the build holds triples as N-Triples term strings
(sozialgraph.rdf.ntriples), never as rdflib terms, so that 10^6 triples build in about a minute
(docs/benchmarks.md). The OWL 2 RL rules run on those strings
(sozialgraph.inference.owl.infer_ntriples); SHACL validation (pyshacl-turbo by default, pySHACL
on request: `validator`) runs in a worker process (sozialgraph.validation.worker), on the other
core, alongside inference and the writing of the new store into a partial directory.

A syntax error stops the build with `file:line: message` before anything is written; a SHACL
violation stops it with the report (warnings and infos do not), and the partial store is removed:
nothing is swapped in unless validation passed.

The store is written into a new directory `<store>.builds/<UTC timestamp>` and then `<store>`
is made a symbolic link to it, by renaming a fresh link over the old one (atomic: a reader opens
either the old build or the new one). The previous build is kept, so that a server still reading
it is not disturbed until it restarts; older builds are removed. A `<store>` that is a real
directory was not made by this pipeline and is never replaced. Each build directory holds
`build-info.json` beside the store's own files.

Beside the store, in the same build directory, the build writes the search index (`search/`,
sozialgraph.search.index) from the store just written: swapped in with the store, pinned with it.

The store holds one named graph per source, the inferred graph, and in its default graph the
merge of the asserted graphs (sozialgraph.store.embedded explains why).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from sozialgraph import settings as config
from sozialgraph.pipeline.entail import entail
from sozialgraph.pipeline.infer import infer
from sozialgraph.pipeline.info import BUILD_INFO, BuildReport, ontology_version, write_build_info
from sozialgraph.pipeline.parse import parse
from sozialgraph.pipeline.steps import BuildError, ValidationFailed, stage
from sozialgraph.pipeline.swap import builds_root, check_target, locked, new_build, swap
from sozialgraph.pipeline.validate import VALIDATORS, Validation
from sozialgraph.pipeline.write import write_store
from sozialgraph.search.index import write_index
from sozialgraph.store.embedded import GRAPH_INFERRED, GRAPH_ONTOLOGY

__all__ = ["BUILD_INFO", "VALIDATORS", "BuildError", "BuildReport", "ValidationFailed", "build",
           "builds_root"]


def _silent(_: str) -> None:
    pass


def index_store(build_dir: Path) -> int:
    """The search index of the store just written, into the same build directory, so that it
    is swapped in and pinned with the store (sozialgraph.search.index)."""
    store = ox.Store.read_only(str(build_dir))
    try:
        return write_index(build_dir, store)
    finally:
        del store
        gc.collect()  # the store closes when its last reference goes


def build(store_dir: str | Path, *, ontology_file: Path | None = None,
          graphs_dir: Path | None = None, shapes_dir: Path | None = None,
          validator: str = "turbo", progress: Callable[[str], None] = _silent) -> BuildReport:
    """Build the store at `store_dir` from the ontology, graphs and shapes (default: project's).

    validator: "turbo" (pyshacl-turbo, the default: the same report, much sooner at scale) or
    "pyshacl" (the reference the tests prove turbo against).
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
    version = ontology_version(sources.ontology)

    # From here on validation runs in a process of its own, on the other core, while this one
    # works out the entailments, infers and writes the new store aside.
    checking = None
    try:
        with stage("entail", timings, progress):
            checking = Validation(builds_root(store_dir), sources.asserted, shape_files, validator)
            checking.hand_over(entail(sources.asserted, sources.shapes, validator, progress))
        with stage("infer", timings, progress):
            inference = infer(sources.asserted, progress)
        graphs = {GRAPH_ONTOLOGY: sources.ontology, **sources.graphs,
                  GRAPH_INFERRED: inference.triples}
        counts = {iri: len(triples) for iri, triples in graphs.items()}
        built_at = datetime.now(UTC)
        with locked(builds_root(store_dir)):
            with new_build(store_dir, built_at) as target:
                with stage("write", timings, progress):
                    quads = write_store(target.partial, graphs, sources.asserted)  # empties them
                    progress(f"  {quads} quads written aside (the named graphs and their merge "
                             "in the default graph)")
                with stage("index", timings, progress):
                    entities = index_store(target.partial)
                    progress(f"  {entities} entities in the search index (search/)")
                with stage("validate", timings, progress):
                    result = checking.verdict(progress)
                    timings["validator"] = checking.seconds  # in parallel from the start
                write_build_info(target.partial, built_at=built_at, version=version,
                                 sources=[ontology_file, *graph_files, *shape_files],
                                 counts=counts, result=result, validator=checking.engine,
                                 inference=inference, timings=timings)
            progress(f"  {target.final.name}: {sum(counts.values())} quads in named graphs")
            swap(store_dir, target.final, progress)
    finally:
        if checking is not None:
            checking.stop()
    return BuildReport(store_dir, target.final, counts, counts[GRAPH_INFERRED], timings, result,
                       inference.inconsistencies, checking.peak_mb)
