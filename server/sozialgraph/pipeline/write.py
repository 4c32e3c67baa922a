"""Step 4, write: the new store, aside, in one pass of Oxigraph's bulk loader."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from sozialgraph.pipeline.steps import BuildError, yielding
from sozialgraph.rdf import ntriples


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
        yielding(partial(_bulk_load, store, dump))
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
