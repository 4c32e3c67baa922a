"""Synthetic data for benchmarks: a deterministic generator of graphs shaped like the real one.

`generate(triples, seed, out_dir)` writes, into `out_dir`:

- `synth.nq`: every synthetic named graph in one N-Quads file (vocabularies, actors, sources,
  and one graph per synthetic document), streamed as it is generated;
- `corpus/synth-doc-NNNNN.txt`: the synthetic German source texts; every evidence quote stands
  verbatim at its offsets there, and the sources graph holds their SHA-256 and length, as the
  real graph does for the real corpus;
- `manifest.json`: the data file, each graph's IRI and triple count, the texts, and counts.

One N-Quads file because it loads fastest: Oxigraph's bulk loader pays a fixed cost per call
(one file per graph was three times slower at 10^6 triples), and rdflib parses N-Quads as fast
as N-Triples and faster than TriG or Turtle (docs/synth.md has the numbers).

The same (triples, seed) gives byte-identical files: all randomness comes from one
`random.Random(seed)`, nothing iterates over a set or a hash-ordered container, and nothing
records time. Memory stays small at 10^7 triples: one document is held at a time, plus a short
record (IRI, label) per measure for later documents to refer to.

Instances live in their own IRI space (`.../id/measure/synth-<n>`, `.../id/actor/synth-<n>`,
`.../graph/synth-...`); ontology terms, the two concept schemes, the real concepts and the real
actors (Land Hessen, Stadt Kassel, ...) are the project's own, copied from graphs/, so that the
curated queries answer on synthetic data plus the ontology alone.

This module is the entry point (generate, the manifest, loading the output), run by
`sozialgraph synth` (cli.py); world.py holds the generator's state and output, vocabularies.py
and actors.py write the concepts and actors, documents.py and facts.py the documents and what
they state, in the proportions of proportions.py, with the N-Quads tokens of terms.py.
Imports every module of the package but cli, and sozialgraph.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from sozialgraph.settings import ONTOLOGY_DIR
from sozialgraph.store.embedded import GRAPH_ONTOLOGY
from sozialgraph_synth.actors import write_actors
from sozialgraph_synth.documents import write_documents
from sozialgraph_synth.vocabularies import write_vocabularies
from sozialgraph_synth.world import GraphFile, World

GENERATOR = "sozialgraph.synth"
FORMAT_VERSION = 1
DATA_FILE = "synth.nq"
MANIFEST = "manifest.json"
TOLERANCE = 0.02  # the requested triple count is met within ±2 %
MIN_TRIPLES = 5_000  # below this the copied real vocabularies and actors would dominate

# ---- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthReport:
    out_dir: Path
    seed: int
    requested_triples: int
    triples: int
    graphs: tuple[GraphFile, ...]
    documents: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def manifest(self) -> Path:
        return self.out_dir / MANIFEST

    @property
    def data_file(self) -> Path:
        return self.out_dir / DATA_FILE


# ---- the public API -----------------------------------------------------------------------------


def plan(triples: int) -> dict[str, int]:
    """How many synthetic concepts, actors and documents a requested size gets.

    >>> plan(10_000)
    {'concepts': 20, 'actors': 40, 'documents': 5}
    """
    return {
        "concepts": min(5_000, max(20, triples // 1_000)),
        "actors": min(50_000, max(40, triples // 250)),
        "documents": min(2_000, max(5, round(triples / 2_000))),
    }


def generate(triples: int, seed: int, out_dir: Path) -> SynthReport:
    """Write synthetic graphs of about `triples` triples (±2 %), texts and a manifest to out_dir.

    out_dir must be empty, missing, or hold an earlier output of this generator (which is
    replaced). Same (triples, seed), same bytes.
    """
    if triples < MIN_TRIPLES:
        raise ValueError(f"at least {MIN_TRIPLES} triples, please (asked for {triples})")
    began = time.perf_counter()
    out_dir = Path(out_dir)
    _prepare(out_dir)
    sizes = plan(triples)
    with open(out_dir / DATA_FILE, "w", encoding="utf-8", newline="\n") as data:
        world = World(triples, seed, out_dir, data)
        write_vocabularies(world, sizes["concepts"])
        write_actors(world, sizes["actors"])
        write_documents(world, sizes["documents"])
    counts = {k: dict(sorted(v.items())) for k, v in world.counts.items()}
    manifest = {
        "generator": GENERATOR,
        "version": FORMAT_VERSION,
        "seed": seed,
        "requested_triples": triples,
        "triples": world.written,
        "file": DATA_FILE,
        "format": "application/n-quads",
        "graphs": [{"graph": g.graph, "triples": g.triples} for g in world.graphs],
        "corpus": world.corpus,
        "counts": counts,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return SynthReport(out_dir, seed, triples, world.written, tuple(world.graphs),
                       len(world.corpus),
                       counts, time.perf_counter() - began)


def _prepare(out_dir: Path) -> None:
    """Make out_dir ready: create it, or clear an earlier output of this generator."""
    if out_dir.exists() and any(out_dir.iterdir()):
        try:
            earlier = read_manifest(out_dir)
        except (OSError, ValueError):
            earlier = None
        if not isinstance(earlier, dict) or earlier.get("generator") != GENERATOR:
            raise FileExistsError(f"{out_dir} is not empty and holds no synthetic output")
        for name in [earlier.get("file", DATA_FILE)] + [e["file"] for e in earlier["corpus"]]:
            (out_dir / name).unlink(missing_ok=True)
        (out_dir / MANIFEST).unlink()
    (out_dir / "corpus").mkdir(parents=True, exist_ok=True)


def read_manifest(out_dir: Path) -> dict:
    return json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))


def load_into_store(out_dir: Path, store: ox.Store, *, ontology: bool = True) -> int:
    """Load the synthetic graphs (and the ontology) in the store layout the build writes
    (server/sozialgraph/store/embedded.py): each in its named graph, and their merge in the
    default graph.

    One streaming pass that writes every quad twice. Faster and leaner than loading and then
    running store.add_union_copy (26 s against 53 s for 10^6 triples on disk), and a blank node
    stays one node in its graph and in the merge: the parser keeps the file's labels, which
    are unique across the data file. Returns the number of synthetic triples.
    """
    manifest = read_manifest(out_dir)
    sources: list[tuple[Path, ox.RdfFormat, ox.NamedNode | None]] = [
        (Path(out_dir) / manifest["file"], ox.RdfFormat.N_QUADS, None)]
    if ontology:
        sources.append((ONTOLOGY_DIR / "sozialgraph.ttl", ox.RdfFormat.TURTLE,
                        ox.NamedNode(GRAPH_ONTOLOGY)))

    def quads():
        for path, rdf_format, graph in sources:
            for quad in ox.parse(path=str(path), format=rdf_format):
                s, p, o = quad.subject, quad.predicate, quad.object
                yield ox.Quad(s, p, o, graph) if graph else quad
                yield ox.Quad(s, p, o)

    store.bulk_extend(quads())
    return manifest["triples"]


def load_graph(out_dir: Path, *, ontology: bool = True):
    """The synthetic graphs merged into one rdflib Graph, with the ontology merged in as the
    project validates data: what pySHACL, the reference engine of the tests, checks."""
    from rdflib import BNode, Graph, Literal, URIRef

    string = "http://www.w3.org/2001/XMLSchema#string"

    def term(node):
        if isinstance(node, ox.NamedNode):
            return URIRef(node.value)
        if isinstance(node, ox.BlankNode):
            return BNode(node.value)
        if node.language:
            return Literal(node.value, lang=node.language)
        datatype = node.datatype.value
        return Literal(node.value, datatype=None if datatype == string else URIRef(datatype))

    graph = Graph()
    if ontology:
        graph.parse(ONTOLOGY_DIR / "sozialgraph.ttl", format="turtle")
    path = Path(out_dir) / read_manifest(out_dir)["file"]
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return graph
