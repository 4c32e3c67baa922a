"""Step 4, write: the new store, aside, in one pass of Oxigraph's bulk loader."""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from sozialgraph.pipeline.steps import BuildError, yielding
from sozialgraph.rdf import ntriples


def write_store(directory: Path, graphs: dict[str, set], asserted: set) -> int:
    """Write a new store at `directory`: each graph of `graphs` (IRI -> N-Triples term triples)
    as a named graph, and `asserted`, the merge of the asserted graphs, as the default graph
    (see sozialgraph.store.embedded); return the number of quads written.

    Everything goes through one N-Quads file and Oxigraph's bulk loader: one document, so a blank
    node keeps its identity across the named graph and the default graph (the loader gives each
    document's blank nodes fresh identifiers), and no Python object per quad. The triples are
    consumed: once the file is written, every set given is emptied, so that their memory is free
    before the bulk loader takes its own, whoever else holds the sets.
    """
    directory.mkdir(parents=True)
    dump = directory.with_name(directory.name + ".nq")
    try:
        with open(dump, "wb") as out:
            out.writelines(ntriples.serialize(graph, iri) for iri, graph in graphs.items())
            out.write(ntriples.serialize(asserted))
        names = list(graphs)
        expected = sum(len(g) for g in graphs.values()) + len(asserted)
        for triples in (*graphs.values(), asserted):
            triples.clear()
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
    return stored


def _bulk_load(store: ox.Store, dump: Path) -> None:
    # lenient: every term was checked by the strict parser already, and written by Oxigraph
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
    store.optimize()
