"""Statistics of a built store: triples per named graph, asserted and inferred, and how many
measures, fundings, quantities, actors, pieces of evidence and sources it describes."""

from __future__ import annotations

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import SG
from sozialgraph.store.embedded import GRAPH_INFERRED, named_graphs
from sozialgraph.store.embedded import query as store_query

COUNTED_CLASSES = {"measures": SG.Measure, "fundings": SG.Funding, "quantities": SG.Quantity,
                   "actors": SG.Actor, "evidence": SG.Evidence, "sources": SG.SourceDocument}


def store_stats(store: ox.Store) -> dict:
    per_graph = {}
    for graph in named_graphs(store):
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        per_graph[graph] = int(next(iter(rows))["n"].value)
    things = {}
    for name, cls in COUNTED_CLASSES.items():
        # the class hierarchy through the ontology graph, so the count needs no inference
        rows = store_query(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { "
                           f"?x a/rdfs:subClassOf* <{cls}> }}", with_prefixes=True)
        things[name] = int(next(iter(rows))["n"].value)
    inferred = per_graph.get(GRAPH_INFERRED, 0)
    return {"graphs": per_graph, "asserted": sum(per_graph.values()) - inferred,
            "inferred": inferred, "quads": len(store), "things": things}
