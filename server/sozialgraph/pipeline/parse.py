"""Step 1, parse: the ontology, one graph per file of graphs/ and the shapes, read by Oxigraph
into N-Triples term strings (sozialgraph.rdf.ntriples); a syntax error stops the build with
`file:line: message` before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from sozialgraph.pipeline.steps import BuildError, shown
from sozialgraph.rdf import ntriples
from sozialgraph.store.embedded import graph_iri_for
from sozialgraph.validation.engine import load_shapes

RESERVED_STEMS = {"ontology", "inferred"}


@dataclass
class Sources:
    ontology: set  # N-Triples term triples
    graphs: dict[str, set]  # graph IRI -> triples
    shapes: Graph
    asserted: set  # the merge of the ontology and the graphs (the store's default graph)


def parse(ontology_file: Path, graph_files: list[Path], shape_files: list[Path],
          progress: Callable[[str], None]) -> Sources:
    ontology = ntriples.read(ontology_file)
    progress(f"  {shown(ontology_file)}: {len(ontology)} triples")
    graphs: dict[str, set] = {}
    for path in graph_files:
        if path.stem in RESERVED_STEMS:
            raise BuildError(f"{path}: the graph name {path.stem!r} is reserved; rename it")
        graphs[graph_iri_for(path.stem)] = ntriples.read(path)
        progress(f"  {shown(path)}: {len(graphs[graph_iri_for(path.stem)])} triples")
    if not graph_files:
        progress("  warning: no graphs/*.ttl found; the store will hold the ontology only")
    shapes = load_shapes(shape_files)
    progress(f"  {len(shape_files)} shapes files: {len(shapes)} triples")
    return Sources(ontology, graphs, shapes, set(ontology).union(*graphs.values()))
