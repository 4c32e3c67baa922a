"""The embedded store: graph names, opening an Oxigraph store, and evaluating SPARQL on it.

Every asserted source (ontology, vocabularies, actors, sources, one graph per document) lives in
its own named graph; inferred triples live in GRAPH_INFERRED. The store's default graph holds the
RDF merge of the asserted named graphs, kept by whoever writes the store (build, load).

Why a materialised union rather than Oxigraph's union-default-graph option: Oxigraph evaluates a
union default graph as a multiset, so a triple stated by two documents (a shared measure's label)
would be counted twice by COUNT and SUM. SPARQL defines the default graph as an RDF graph, a set;
the stored merge gives exactly that at the cost of storing asserted triples twice.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import GRAPH, PREFIXES

GRAPH_ONTOLOGY = str(GRAPH["ontology"])
GRAPH_INFERRED = str(GRAPH["inferred"])


def graph_iri_for(stem: str) -> str:
    """The named graph that holds the file `<stem>.ttl` of graphs/ (or the ontology)."""
    return str(GRAPH[stem])


def open_store(path: str | Path, read_only: bool = True) -> ox.Store:
    """Open a built store. Read-only opening lets many server processes share one store."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no store at {path}: run `sozialgraph build` first")
    resolved = str(path.resolve())
    return ox.Store.read_only(resolved) if read_only else ox.Store(resolved)


def named_graphs(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def add_union_copy(store: ox.Store) -> None:
    """Write the merge of all asserted named graphs into the default graph (see module doc)."""
    store.update(
        "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER (?g != <{GRAPH_INFERRED}>) }}"
    )


def query(
    store: ox.Store,
    sparql: str,
    *,
    include_inferred: bool = False,
    default_graph_uris: list[str] | None = None,
    named_graph_uris: list[str] | None = None,
    with_prefixes: bool = False,
    base_iri: str | None = None,
):
    """Evaluate a query with the project's dataset semantics.

    The default graph is the merge of the asserted graphs (the store's default graph), plus the
    inferred graph when `include_inferred` (disjoint from it: inference stores only new triples);
    `default_graph_uris` and `named_graph_uris` replace the defaults as the SPARQL protocol's
    `default-graph-uri` and `named-graph-uri` do. Callers check that the graphs they name exist
    (the store does not fetch anything).
    """
    if default_graph_uris:
        default = [ox.NamedNode(g) for g in default_graph_uris]
    else:
        default = [ox.DefaultGraph()]
        if include_inferred and store.contains_named_graph(ox.NamedNode(GRAPH_INFERRED)):
            default.append(ox.NamedNode(GRAPH_INFERRED))
    named = [ox.NamedNode(g) for g in named_graph_uris] if named_graph_uris else None
    return store.query(
        sparql,
        default_graph=default,
        named_graphs=named,
        prefixes=PREFIXES if with_prefixes else None,
        base_iri=base_iri,
    )
