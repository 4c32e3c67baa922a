"""Parse each SPARQL query text once while pySHACL validates.

pySHACL evaluates a SPARQL-based constraint (sh:sparql) once per focus node, passing the query
as text with `$this` pre-bound through initBindings; rdflib then parses and translates the same
text again for every focus node. Parsing (pyparsing) costs tens of milliseconds, evaluating one
anchored query well under one: at 10^5 synthetic triples, with one sh:sparql constraint on every
piece of evidence, validation spent nearly all its time re-parsing.

`prepared_queries()` makes rdflib's SPARQL processor keep the translated query of each distinct
(text, base, namespaces) for as long as the block runs. A translated query is what rdflib's own
`prepareQuery` returns for repeated evaluation with different initBindings, so the answers are
the same (tests/test_bench.py checks the validation report on the project's graphs and on
synthetic data, with and without). The cache lives only inside the block: the processor is
restored afterwards, and nothing else in the process sees a change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rdflib.plugins.sparql import processor as _processor

_lock = threading.Lock()
_depth = 0
_original = _processor.SPARQLProcessor.query


def _caching_query(cache: dict):
    def query(self, strOrQuery, initBindings=None, initNs=None, base=None,
              DEBUG=False):
        if isinstance(strOrQuery, str):
            namespaces = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
            key = (strOrQuery, base, namespaces)
            prepared = cache.get(key)
            if prepared is None:
                prepared = _processor.translateQuery(_processor.parseQuery(strOrQuery), base,
                                                     initNs)
                cache[key] = prepared
            strOrQuery = prepared
        return _processor.evalQuery(self.graph, strOrQuery, initBindings or {}, base)

    return query


@contextmanager
def prepared_queries() -> Iterator[None]:
    """Within the block, each distinct query text is parsed and translated once."""
    global _depth
    with _lock:
        if _depth == 0:
            _processor.SPARQLProcessor.query = _caching_query({})
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _processor.SPARQLProcessor.query = _original
