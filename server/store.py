"""The embedded store: graph names, opening an Oxigraph store, and evaluating SPARQL on it.

Every asserted source (ontology, vocabularies, actors, sources, one graph per document) lives in
its own named graph; inferred triples live in GRAPH_INFERRED. The store's default graph stays
empty: queries see the union of the asserted graphs (plus, when asked, the inferred graph).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .namespaces import GRAPH, PREFIXES

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


def asserted_graphs(store: ox.Store) -> list[str]:
    return [g for g in named_graphs(store) if g != GRAPH_INFERRED]


def query(
    store: ox.Store,
    sparql: str,
    *,
    include_inferred: bool = False,
    default_graph_uris: list[str] | None = None,
    named_graph_uris: list[str] | None = None,
    with_prefixes: bool = False,
):
    """Evaluate a query with the project's dataset semantics.

    The default graph is the union of the asserted graphs, plus the inferred graph when
    `include_inferred`; `default_graph_uris` and `named_graph_uris` replace the defaults as the
    SPARQL protocol's `default-graph-uri` and `named-graph-uri` do. Callers check that the graphs
    they name exist (the store does not fetch anything).
    """
    if default_graph_uris:
        default = [ox.NamedNode(g) for g in default_graph_uris]
    else:
        graphs = named_graphs(store) if include_inferred else asserted_graphs(store)
        default = [ox.NamedNode(g) for g in graphs] or [ox.DefaultGraph()]
    named = [ox.NamedNode(g) for g in named_graph_uris] if named_graph_uris else None
    return store.query(
        sparql,
        default_graph=default,
        named_graphs=named,
        prefixes=PREFIXES if with_prefixes else None,
    )
