"""The build pipeline: parse, validate, infer, write the store aside, swap it in.

    ontology/sozialgraph.ttl -> graph sgg:ontology
    graphs/<stem>.ttl        -> graph sgg:<stem>
    shapes/*.ttl             -> used for validation only
    OWL 2 RL closure         -> graph sgg:inferred

A syntax error stops the build with `file:line: message`; a SHACL violation stops it with the
report (warnings and infos do not). Nothing is written before both checks pass.

The store is written into a new directory `<store>.builds/<UTC timestamp>` and then `<store>`
is made a symbolic link to it, by renaming a fresh link over the old one (atomic: a reader opens
either the old build or the new one). The previous build is kept, so that a server still reading
it is not disturbed until it restarts; older builds are removed. A `<store>` that is a real
directory was not made by this pipeline and is never replaced. Each build directory holds
`build-info.json` beside the store's own files.

The store holds one named graph per source, the inferred graph, and in its default graph the
merge of the asserted graphs (server.store explains why).
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, SH

from . import __version__, config
from .inference import infer
from .namespaces import GRAPH
from .rdfio import merge, oxigraph_quads, read_graph
from .store import GRAPH_INFERRED, GRAPH_ONTOLOGY, add_union_copy, graph_iri_for
from .validation import ValidationError, ValidationResult, load_shapes, validate

BUILD_INFO = "build-info.json"
_BUILD_NAME = re.compile(r"^\d{8}T\d{12}Z$")
_RESERVED_STEMS = {"ontology", "inferred"}


class BuildError(Exception):
    """The build could not run: bad input, a refused target, a failed write."""


class ValidationFailed(BuildError):
    """The data violates the shapes; `result` holds the report."""

    def __init__(self, result: ValidationResult):
        super().__init__("validation failed: the data violates the shapes")
        self.result = result


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


def builds_root(store_dir: Path) -> Path:
    """Where the versioned builds of `store_dir` live: `<store_dir>.builds/`."""
    return store_dir.with_name(store_dir.name + ".builds")


def check_target(store_dir: Path) -> None:
    """Refuse a target that exists and is not a link made by a build."""
    if store_dir.exists() and not store_dir.is_symlink():
        raise BuildError(
            f"{store_dir} exists and is not a link to a build: it was not made by "
            "`sozialgraph build`, so it is left alone. Move it away or choose another --store.")


def build(store_dir: str | Path, *, ontology_file: Path | None = None,
          graphs_dir: Path | None = None, shapes_dir: Path | None = None,
          progress: Callable[[str], None] = _silent) -> BuildReport:
    """Build the store at `store_dir` from the ontology, graphs and shapes (default: project's)."""
    store_dir = Path(store_dir).absolute()
    ontology_file = Path(ontology_file or config.ONTOLOGY_DIR / "sozialgraph.ttl")
    graph_files = sorted(Path(graphs_dir or config.GRAPHS_DIR).glob("*.ttl"))
    shape_files = sorted(Path(shapes_dir or config.SHAPES_DIR).glob("*.ttl"))
    check_target(store_dir)
    timings: dict[str, float] = {}

    with _stage("parse", timings, progress):
        ontology = read_graph(ontology_file)
        progress(f"  {_shown(ontology_file)}: {len(ontology)} triples")
        graphs: dict[str, Graph] = {}
        for path in graph_files:
            if path.stem in _RESERVED_STEMS:
                raise BuildError(f"{path}: the graph name {path.stem!r} is reserved; rename it")
            graphs[graph_iri_for(path.stem)] = read_graph(path)
            progress(f"  {_shown(path)}: {len(graphs[graph_iri_for(path.stem)])} triples")
        if not graph_files:
            progress("  warning: no graphs/*.ttl found; the store will hold the ontology only")
        shapes = load_shapes(shape_files)
        progress(f"  {len(shape_files)} shapes files: {len(shapes)} triples")

    result = None
    with _stage("validate", timings, progress):
        if not shape_files:
            progress("  warning: no shapes found, validation skipped")
        else:
            try:
                result = validate(merge(graphs.values()), shapes, ontology)
            except ValidationError as error:
                raise BuildError(str(error)) from error
            progress(f"  {result.count(SH.Violation)} violations, {result.count(SH.Warning)} "
                     f"warnings, {result.count(SH.Info)} infos")
            if not result.conforms:
                raise ValidationFailed(result)

    with _stage("infer", timings, progress):
        inference = infer(ontology, graphs.values())
        progress(f"  {len(inference.triples)} inferred triples kept, {inference.dropped} "
                 "dropped as trivial")
        for message in inference.inconsistencies:
            progress(f"  warning: OWL 2 RL inconsistency: {message}")
        if inference.distinct_same_as:
            progress(f"  warning: {inference.distinct_same_as} owl:sameAs between different "
                     "resources (a functional property with two values?)")

    all_graphs = {GRAPH_ONTOLOGY: ontology, **graphs, GRAPH_INFERRED: inference.triples}
    counts = {iri: len(graph) for iri, graph in all_graphs.items()}
    built_at = datetime.now(UTC)
    info = {
        "built_at": built_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "sozialgraph_version": __version__,
        "ontology_version": _ontology_version(ontology),
        "sources": [_shown(p) for p in [ontology_file, *graph_files, *shape_files]],
        "graphs": counts,
        "asserted_triples": sum(counts.values()) - counts[GRAPH_INFERRED],
        "inferred_triples": counts[GRAPH_INFERRED],
        "total_triples": sum(counts.values()),
        "validation": None if result is None else {
            "conforms": result.conforms, "violations": result.count(SH.Violation),
            "warnings": result.count(SH.Warning), "infos": result.count(SH.Info)},
        "inference": {"dropped_as_trivial": inference.dropped,
                      "inconsistencies": inference.inconsistencies},
        "timings_seconds": timings,
    }
    with _stage("write", timings, progress), _locked(builds_root(store_dir)):
        build_dir = write_build(store_dir, all_graphs, info, built_at)
        progress(f"  {build_dir.name}: {sum(counts.values())} quads")
        previous = swap_in(store_dir, build_dir)
        removed = prune_builds(store_dir, keep={build_dir, previous})
        if removed:
            progress(f"  removed {len(removed)} old builds")
    report = BuildReport(store_dir, build_dir, info["built_at"], counts,
                         counts[GRAPH_INFERRED], timings, result, inference.inconsistencies)
    return report


@contextmanager
def _stage(name: str, timings: dict[str, float], progress) -> Iterator[None]:
    progress(f"{name} ...")
    start = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - start, 3)


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One build at a time writes and swaps into `root`."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _shown(path: Path) -> str:
    """A source file as `folder/name`: no machine paths in output that may be shared."""
    return f"{path.parent.name}/{path.name}"


def _ontology_version(ontology: Graph) -> str | None:
    for node in ontology.subjects(RDF.type, OWL.Ontology):
        version = ontology.value(node, OWL.versionInfo)
        if version is not None:
            return str(version)
    return None


def write_build(store_dir: Path, graphs: dict[str, Graph], info: dict, built_at: datetime
                ) -> Path:
    """Write a new store and its build-info.json; return the finished directory.

    The named graphs are bulk-loaded; the default graph then receives the merge of the asserted
    graphs (see server.store).
    """
    root = builds_root(store_dir)
    final = root / built_at.strftime("%Y%m%dT%H%M%S%fZ")
    partial = root / f".{final.name}.partial"
    try:
        store = ox.Store(str(partial))
        store.bulk_extend(q for iri, graph in graphs.items() for q in oxigraph_quads(graph, iri))
        for iri in graphs:  # an empty graph (e.g. nothing inferred) still exists as a graph
            store.add_graph(ox.NamedNode(iri))
        add_union_copy(store)  # the default graph: the merge of the asserted graphs
        store.optimize()
        # distinct asserted triples, counted in a set of tuples (a merged rdflib Graph costs
        # several times the memory and time, at the build's peak)
        union = set().union(*(g for iri, g in graphs.items() if iri != GRAPH_INFERRED))
        stored, expected = len(store), sum(len(g) for g in graphs.values()) + len(union)
        del union
        del store
        gc.collect()  # the store closes when its last reference goes
        if stored != expected:
            raise BuildError(f"the new store holds {stored} quads, expected {expected}")
        (partial / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def swap_in(store_dir: Path, build_dir: Path) -> Path | None:
    """Point `store_dir` at `build_dir` atomically; return the build it pointed at before."""
    check_target(store_dir)
    previous = None
    if store_dir.is_symlink():
        previous = (store_dir.parent / os.readlink(store_dir)).resolve()
    link = store_dir.with_name(f".{store_dir.name}.{os.getpid()}.link")
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(build_dir, store_dir.parent), link)
    os.replace(link, store_dir)
    return previous


def prune_builds(store_dir: Path, keep: set[Path | None]) -> list[Path]:
    """Remove the builds (and abandoned partial builds) of `store_dir` not in `keep`."""
    keep_resolved = {p.resolve() for p in keep if p is not None}
    removed = []
    for entry in builds_root(store_dir).iterdir():
        name = entry.name.removeprefix(".").removesuffix(".partial")
        if _BUILD_NAME.match(name) and entry.resolve() not in keep_resolved:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def read_build_info(store_dir: str | Path) -> dict | None:
    """The build-info.json of the build `store_dir` points at, if any."""
    path = Path(store_dir) / BUILD_INFO
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
