"""Loading the project's own graphs once for the tests that hold them to the corpus."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph

from server.config import GRAPHS_DIR, ONTOLOGY_DIR, corpus_dir


@lru_cache(maxsize=1)
def project_graph() -> Graph:
    """Ontology plus every graph in graphs/, merged (as the default graph of the store is)."""
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(GRAPHS_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def corpus_present() -> bool:
    return corpus_dir().is_dir() and any(corpus_dir().glob("*.txt"))
