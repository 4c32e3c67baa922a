"""`make_release`: a citable copy of a build in `dist/sozialgraph-X.Y.Z/`.

The folder holds the dataset (every named graph, the inferred graph included) as TriG and
N-Quads, each graph as Turtle (`graphs/<name>.ttl`), the ontology and the shapes as their source
files, `SHA256SUMS` (for `sha256sum -c`), the DCAT/VoID description `release.ttl`, the changelog
against the previous release (`CHANGELOG.md`, `changelog.json`), `CITATION.cff`, the list of
entities it describes (`entities.tsv`, for "first appeared in"), and `release.json`, written last:
a folder without it is an unfinished release that nothing lists. A release is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import GRAPH
from sozialgraph.rdf.parse import read_quads
from sozialgraph.release import diff
from sozialgraph.release.catalogue import (
    CHECKSUMS,
    ENTITIES,
    MANIFEST,
    Version,
    folder,
    release_iri,
    releases,
)
from sozialgraph.release.describe import description
from sozialgraph.store.embedded import GRAPH_ONTOLOGY, named_graphs, open_store

DATASET_FILES = (("sozialgraph.trig", ox.RdfFormat.TRIG, "application/trig",
                  "Every named graph, the inferred graph included (TriG)"),
                 ("sozialgraph.nq", ox.RdfFormat.N_QUADS, "application/n-quads",
                  "Every named graph, the inferred graph included (N-Quads)"))


class ReleaseError(Exception):
    """The release cannot be made (says why); nothing was written."""


def make_release(version: str, store_path: Path, dist: Path, ontology_file: Path,
                 shape_files: list[Path], previous: str | None = "auto",
                 issued: str | None = None) -> dict:
    """Write release `version` from the build at `store_path`; returns its manifest.

    `previous` is the version to compare with: "auto" takes the latest release in `dist` older
    than `version`, None makes a first release."""
    wanted = Version.parse(version)
    target = folder(dist, wanted.text)
    if target.exists():
        raise ReleaseError(f"{target} exists: a release is never overwritten")
    older = [r for r in releases(dist) if r.version < wanted]
    if previous == "auto":
        before = older[-1] if older else None
    elif previous is None:
        before = None
    else:
        before = next((r for r in releases(dist) if r.text == Version.parse(previous).text), None)
        if before is None:
            raise ReleaseError(f"no release {previous} in {dist} to compare with")
        if not before.version < wanted:
            raise ReleaseError(f"the previous release {previous} is not older than {version}")
    store = open_store(store_path)
    _check_ontology(store, ontology_file)
    issued = issued or date.today().isoformat()
    work = target.with_name(target.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    (work / "graphs").mkdir(parents=True)
    (work / "shapes").mkdir()
    try:
        manifest = _write(store, wanted.text, before, work, ontology_file, shape_files, issued)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _check_ontology(store: ox.Store, ontology_file: Path) -> None:
    """The release copies the ontology's source file: refuse a store built from another one."""
    built = {(q.subject, q.predicate, q.object)
             for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))}
    source = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                        for q in read_quads(ontology_file))
    stored = ox.Dataset(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in built)
    for dataset in (source, stored):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    if set(map(str, source)) != set(map(str, stored)):
        raise ReleaseError(f"the store was not built from {ontology_file} as it is now: run "
                           "`sozialgraph build` first, then release")


def _write(store: ox.Store, version: str, before, work: Path, ontology_file: Path,
           shape_files: list[Path], issued: str) -> dict:
    files: list[dict] = []

    def record(name: str, media_type: str, title: str) -> None:
        body = (work / name).read_bytes()
        files.append({"name": name, "bytes": len(body), "media_type": media_type,
                      "title": title, "sha256": hashlib.sha256(body).hexdigest()})

    graphs = named_graphs(store)
    # the named graphs only: the store's default graph is their merge (see store.embedded),
    # made again by whoever loads the dataset
    quads = [q for graph in graphs
             for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
    for name, fmt, media_type, title in DATASET_FILES:
        ox.serialize(quads, work / name, format=fmt)
        record(name, media_type, title)
    sizes = {}
    for graph in graphs:
        stem = graph.removeprefix(str(GRAPH))
        name = f"graphs/{stem}.ttl"
        store.dump(work / name, format=ox.RdfFormat.TURTLE, from_graph=ox.NamedNode(graph))
        sizes[graph] = sum(1 for q in quads if q.graph_name.value == graph)
        record(name, "text/turtle", f"The named graph <{graph}> (Turtle)")
    shutil.copyfile(ontology_file, work / "ontology.ttl")
    record("ontology.ttl", "text/turtle", "The ontology, as written (Turtle)")
    for path in shape_files:
        shutil.copyfile(path, work / "shapes" / path.name)
        record(f"shapes/{path.name}", "text/turtle", "SHACL shapes the data meet (Turtle)")

    now = diff.snapshot(quads)
    then = None
    if before is not None:
        then = diff.snapshot(list(ox.parse(path=before.path / "sozialgraph.nq",
                                           format=ox.RdfFormat.N_QUADS)))
    previous = before.text if before is not None else None
    log = diff.changelog(then, now)
    (work / "changelog.json").write_text(json.dumps(
        {"version": version, "previous": previous, **log}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")
    record("changelog.json", "application/json", "The changelog, for programs (JSON)")
    (work / "CHANGELOG.md").write_text(diff.markdown(version, previous, log), encoding="utf-8")
    record("CHANGELOG.md", "text/markdown", "The changelog (Markdown)")
    (work / "CITATION.cff").write_text(citation(version, issued), encoding="utf-8")
    record("CITATION.cff", "application/yaml", "How to cite this release (CFF)")
    (work / "release.ttl").write_bytes(description(version, previous, issued, list(files), sizes))
    record("release.ttl", "text/turtle", "This release described in DCAT and VoID (Turtle)")
    (work / CHECKSUMS).write_text("".join(f"{f['sha256']}  {f['name']}\n" for f in files),
                                  encoding="utf-8")
    (work / ENTITIES).write_text("".join(
        f"{e.iri}\t{e.kind}\t{e.label_de}\n" for e in sorted(now.entities.values(),
                                                            key=lambda e: e.iri)),
        encoding="utf-8")
    manifest = {"version": version, "previous": previous, "issued": issued,
                "iri": release_iri(version), "files": files,
                "summary": {key: len(log[key]) for key in ("added", "changed", "withdrawn")}
                | {"triples_added": log["triples_added"],
                   "triples_removed": log["triples_removed"], "triples": len(quads)}}
    (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")
    return manifest


def citation(version: str, issued: str) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the dataset release."""
    return (
        "cff-version: 1.2.0\n"
        "message: \"If you use this dataset, please cite this release.\"\n"
        "type: dataset\n"
        f"title: \"Sozialgraph: Sozialpolitik in Hessen ({version})\"\n"
        "authors:\n"
        "  - name: \"The Sozialgraph project\"\n"
        f"version: \"{version}\"\n"
        f"date-released: \"{issued}\"\n"
        f"url: \"{release_iri(version)}\"\n"
        "license: CC-BY-4.0\n"
        "keywords:\n  - social policy\n  - Hessen\n  - knowledge graph\n  - linked data\n"
    )
