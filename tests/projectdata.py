"""Loading the project's own graphs once for the tests that hold them to the corpus, and
what those tests compare."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from rdflib import Graph

from sozialgraph.settings import GRAPHS_DIR, ONTOLOGY_DIR, corpus_dir


@lru_cache(maxsize=1)
def project_graph() -> Graph:
    """Ontology plus every graph in graphs/, merged (as the default graph of the store is)."""
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(GRAPHS_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def corpus_present() -> bool:
    return corpus_dir().is_dir() and any(corpus_dir().glob("*.txt"))


def sha256_of(text: str) -> str:
    """The sg:sha256 a sources graph records for a text: of its UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def project_store():
    """The committed graphs in an in-memory Oxigraph store, laid out as the build lays them out
    (one named graph per file, the merge of them as the default graph), without inference."""
    import pyoxigraph as ox

    from sozialgraph.store.embedded import add_union_copy, graph_iri_for

    store = ox.Store()
    for path, stem in [(ONTOLOGY_DIR / "sozialgraph.ttl", "ontology")] + [
        (p, p.stem) for p in sorted(GRAPHS_DIR.glob("*.ttl"))
    ]:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(graph_iri_for(stem)))
    add_union_copy(store)
    return store


def select(sparql: str) -> list[dict[str, object]]:
    """Rows of a SELECT on the project store as dicts of Python values (IRIs and literals as
    strings, numbers as int/Decimal), unbound variables as None."""
    from decimal import Decimal

    import pyoxigraph as ox

    from sozialgraph.store.embedded import query

    def value(term):
        if term is None:
            return None
        if isinstance(term, ox.Literal):
            dt = term.datatype.value.rsplit("#", 1)[-1]
            if dt in ("integer", "nonNegativeInteger", "int", "long"):
                return int(term.value)
            if dt in ("decimal", "double", "float"):
                return Decimal(term.value)
        return term.value

    solutions = query(project_store(), sparql)
    names = [v.value for v in solutions.variables]
    return [{n: value(row[n]) for n in names} for row in solutions]
