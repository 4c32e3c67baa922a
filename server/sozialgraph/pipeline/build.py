"""The build pipeline: parse, validate, infer, write the store aside, swap it in.

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

import fcntl
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, SH

from sozialgraph import __version__
from sozialgraph import settings as config
from sozialgraph.inference.owl import infer_ntriples
from sozialgraph.inference.rules import Unsupported
from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import GRAPH, bind_all
from sozialgraph.store.embedded import GRAPH_INFERRED, GRAPH_ONTOLOGY, graph_iri_for
from sozialgraph.validation.engine import load_shapes, turbo_entailments
from sozialgraph.validation.report import ValidationResult

T = TypeVar("T")
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

    with _stage("parse", timings, progress):
        ontology = ntriples.read(ontology_file)
        progress(f"  {_shown(ontology_file)}: {len(ontology)} triples")
        graphs: dict[str, set] = {}
        for path in graph_files:
            if path.stem in _RESERVED_STEMS:
                raise BuildError(f"{path}: the graph name {path.stem!r} is reserved; rename it")
            graphs[graph_iri_for(path.stem)] = ntriples.read(path)
            progress(f"  {_shown(path)}: {len(graphs[graph_iri_for(path.stem)])} triples")
        if not graph_files:
            progress("  warning: no graphs/*.ttl found; the store will hold the ontology only")
        shapes = load_shapes(shape_files)
        progress(f"  {len(shape_files)} shapes files: {len(shapes)} triples")
        asserted = set(ontology).union(*graphs.values())  # also the store's default graph

    # Validation runs in a process of its own, on the other core, while this one infers and
    # writes the new store aside; nothing is swapped in unless it passes.
    checking = None
    try:
        with _stage("entail", timings, progress):
            checking = _Validation(builds_root(store_dir), asserted, shape_files, validator)
            checking.entail(asserted, shapes, progress)
        with _stage("infer", timings, progress):
            try:
                inference = _yielding(lambda: infer_ntriples(asserted))
            except Unsupported as unsupported:
                raise BuildError(f"the graphs need OWL 2 RL beyond the rules the build "
                                 f"materialises ({unsupported}); extend "
                                 "sozialgraph.inference.rules (and its tests against owlrl) or "
                                 "remove it") from None
            progress(f"  {len(inference.triples)} inferred triples kept, "
                     f"{inference.dropped} dropped as trivial ({inference.engine})")
            for message in inference.inconsistencies:
                progress(f"  warning: OWL 2 RL inconsistency: {message}")
            if inference.distinct_same_as:
                progress(f"  warning: {inference.distinct_same_as} owl:sameAs between "
                         "different resources (a functional property with two values?)")
        all_graphs = {GRAPH_ONTOLOGY: ontology, **graphs, GRAPH_INFERRED: inference.triples}
        counts = {iri: len(graph) for iri, graph in all_graphs.items()}
        built_at = datetime.now(UTC)
        with _locked(builds_root(store_dir)):
            partial, final = _build_paths(store_dir, built_at)
            try:
                with _stage("write", timings, progress):
                    quads = sum(counts.values()) + len(asserted)

                    def release() -> None:  # the triples are in the dump: free them first
                        nonlocal graphs, asserted, all_graphs
                        graphs = asserted = all_graphs = inference.triples = None

                    write_store(partial, all_graphs, asserted, release)
                    progress(f"  {quads} quads written aside (the named graphs and their merge "
                             "in the default graph)")
                with _stage("validate", timings, progress):
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


class _Validation:
    """The validation of a build, in a worker process (sozialgraph.validation.worker): the data go to it
    in an N-Triples file, which it reads while `entail` works out the RDFS entailments here and
    hands them over in a second file; the report comes back in a third.

    Shapes that need pySHACL's own RDFS closure go to pySHACL (as `validator="pyshacl"`). A
    worker that fails or dies (e.g. out of memory) is a BuildError."""

    def __init__(self, work_dir: Path, asserted: set, shape_files: list[Path], validator: str):
        self.engine, self._process = validator, None
        work_dir.mkdir(parents=True, exist_ok=True)
        stem = work_dir / f".validation-{os.getpid()}-{time.monotonic_ns()}"
        self._data, self._entailed, self._report = (
            stem.with_suffix(suffix) for suffix in (".nt", ".entailed.nt", ".report.nt"))
        if not shape_files:
            return
        self._data.write_bytes(ntriples.serialize(asserted))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sozialgraph.validation.worker", str(self._data),
             str(self._report), *map(str, shape_files)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def entail(self, asserted: set, shapes: Graph, progress: Callable[[str], None]) -> None:
        """Tell the worker how to go on: with the entailments for turbo, or with pySHACL."""
        if self._process is None:
            return
        entailed = turbo_entailments(asserted, shapes) if self.engine == "turbo" else None
        if entailed is None:
            if self.engine == "turbo":
                progress("  the shapes need pySHACL's RDFS closure: validating with pySHACL")
            self.engine, instruction = "pyshacl", "pyshacl\n"
        else:
            self._entailed.write_bytes(ntriples.serialize(entailed))
            progress(f"  {len(entailed)} RDFS entailments to the validation worker")
            instruction = f"turbo {self._entailed}\n"
        stdin, self._process.stdin = self._process.stdin, None  # result() communicates
        try:
            stdin.write(instruction.encode("utf-8"))
            stdin.close()
        except BrokenPipeError:  # the worker failed already; result() says why
            pass

    def result(self) -> tuple[ValidationResult | None, float, float]:
        if self._process is None:
            return None, 0.0, 0.0
        out, err = self._process.communicate()
        if self._process.returncode != 0:
            reason = err.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise BuildError(f"validation failed to run (exit code {self._process.returncode}"
                             f"{'; out of memory?' if self._process.returncode < 0 else ''}): "
                             + " / ".join(reason))
        summary = json.loads(out.decode("utf-8").strip().splitlines()[-1])
        report = bind_all(Graph().parse(self._report, format="nt"))
        return ValidationResult(summary["conforms"], report), summary["seconds"], \
            summary["peak_mb"]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for path in (self._data, self._entailed, self._report):
            path.unlink(missing_ok=True)


VALIDATORS = ("turbo", "pyshacl")


def _build_info(built_at: datetime, ontology: set, ontology_file: Path, graph_files: list[Path],
                shape_files: list[Path], counts: dict[str, int],
                result: ValidationResult | None, inference, timings: dict[str, float],
                validator: str) -> dict:
    return {
        "built_at": built_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "sozialgraph_version": __version__,
        "ontology_version": _ontology_version(ntriples.to_rdflib(ontology)),
        "sources": [_shown(p) for p in [ontology_file, *graph_files, *shape_files]],
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


def _build_paths(store_dir: Path, built_at: datetime) -> tuple[Path, Path]:
    root = builds_root(store_dir)
    final = root / built_at.strftime("%Y%m%dT%H%M%S%fZ")
    return root / f".{final.name}.partial", final


def write_store(directory: Path, graphs: dict[str, set], asserted: set,
                release: Callable[[], None] | None = None) -> None:
    """Write a new store at `directory`: each graph of `graphs` (IRI -> N-Triples term triples)
    as a named graph, and `asserted`, the merge of the asserted graphs, as the default graph
    (see sozialgraph.store.embedded).

    Everything goes through one N-Quads file and Oxigraph's bulk loader: one document, so a blank
    node keeps its identity across the named graph and the default graph (the loader gives each
    document's blank nodes fresh identifiers), and no Python object per quad. Once the file is
    written, `release` lets the caller drop its references to the triples, which are freed
    before the bulk loader takes its memory.
    """
    directory.mkdir(parents=True)
    dump = directory.with_name(directory.name + ".nq")
    try:
        with open(dump, "wb") as out:
            out.writelines(ntriples.serialize(graph, iri) for iri, graph in graphs.items())
            out.write(ntriples.serialize(asserted))
        names = list(graphs)
        expected = sum(len(g) for g in graphs.values()) + len(asserted)
        del graphs, asserted
        if release is not None:
            release()
        gc.collect()
        store = ox.Store(str(directory))
        _yielding(partial(_bulk_load, store, dump))
        for iri in names:  # an empty graph (e.g. nothing inferred) still exists as a graph
            store.add_graph(ox.NamedNode(iri))
        stored = len(store)
        del store
        gc.collect()  # the store closes when its last reference goes
    finally:
        dump.unlink(missing_ok=True)
    if stored != expected:
        raise BuildError(f"the new store holds {stored} quads, expected {expected}")


def _bulk_load(store: ox.Store, dump: Path) -> None:
    # lenient: every term was checked by the strict parser already, and written by Oxigraph
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
    store.optimize()


def _yielding(work: Callable[[], T]) -> T:
    """`work()`, run in a thread of lower scheduling priority (nice + 10), its result returned
    and its exceptions raised here.

    The validation worker is the longest path of a large build; inference and the bulk loader
    (whose threads inherit the priority of the thread that starts them) run beside it on the
    other core and finish sooner. Lowered, they take what the worker leaves and do not slow
    it down (measured at 10^6 triples: docs/benchmarks.md). Where the priority cannot be
    changed, the work runs as it is."""
    outcome: dict = {}

    def run() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19))
        except (AttributeError, OSError):
            pass
        try:
            outcome["result"] = work()
        except BaseException as error:  # noqa: BLE001 (raised again in the calling thread)
            outcome["error"] = error

    thread = threading.Thread(target=run, name="sozialgraph-build")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


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
