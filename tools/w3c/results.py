"""Reading SPARQL answers (the expected files and what an endpoint sends) and comparing them as the
SPARQL test suite prescribes.

- Solutions are compared as a multiset of bindings with blank nodes matched up (isomorphism):
  each answer becomes a graph in the test suite's own result-set vocabulary (rs:, one blank node
  per solution) and rdflib.compare.isomorphic decides. When the query's outermost operation is
  ORDER BY, each solution also carries its rank (rs:index), so the order must agree too.
- ASK answers compare as booleans, CONSTRUCT and DESCRIBE answers as isomorphic graphs.
- Terms compare as RDF terms, with two equalities the specifications give: a numeric literal
  equals another of its datatype with the same value (XSD 1.1's canonical `"2"^^xsd:decimal`,
  which Oxigraph writes, is XSD 1.0's `"2.0"`, which the 2011 results use), language tags
  compare case-insensitively, and `"a"^^xsd:string` is the simple literal `"a"` (RDF 1.1
  Concepts, 3.3).

Parsing is rdflib's: SPARQL XML, JSON, CSV and TSV results (rdflib.query.Result.parse), result
sets written in RDF (the SPARQL 1.0 tests' .ttl files), and RDF graphs. Imports rdflib.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import RDF, BNode, Graph, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

RESULT_TYPES = {  # media type -> rdflib's results format
    "application/sparql-results+xml": "xml", "application/sparql-results+json": "json",
    "text/csv": "csv", "text/tab-separated-values": "tsv"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt",
             "application/rdf+xml": "xml", "application/ld+json": "json-ld",
             "application/n-quads": "nquads", "application/trig": "trig"}
BY_EXTENSION = {".srx": "application/sparql-results+xml",
                ".srj": "application/sparql-results+json", ".csv": "text/csv",
                ".tsv": "text/tab-separated-values"}


@dataclass
class Answer:
    """A query's answer in one of three forms."""

    boolean: bool | None = None
    solutions: list[dict] | None = None  # variable name -> rdflib term (unbound: absent)
    graph: Graph | None = None

    def describe(self) -> str:
        if self.boolean is not None:
            return f"boolean {self.boolean}"
        if self.graph is not None:
            return f"a graph of {len(self.graph)} triples"
        rows = [" ".join(f"?{k}={v.n3()}" for k, v in sorted(row.items()))
                for row in (self.solutions or [])[:12]]
        more = len(self.solutions or []) - len(rows)
        return f"{len(self.solutions or [])} solutions: " + "; ".join(rows) + \
            (f"; ... {more} more" if more > 0 else "")


def from_result(result: Result) -> Answer:
    if result.type == "ASK":
        return Answer(boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return Answer(graph=result.graph)
    # result.bindings, not iteration: rdflib's iterator drops a solution that binds nothing
    return Answer(solutions=[{str(k): v for k, v in row.items() if v is not None}
                             for row in result.bindings])


def from_result_set_graph(graph: Graph) -> Answer:
    """An answer written in the rs: vocabulary (a boolean or solutions in rs:index order)."""
    result_set = graph.value(predicate=RDF.type, object=RS.ResultSet)
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return Answer(boolean=bool(boolean.toPython()))
    ranked = []
    for solution in graph.objects(result_set, RS.solution):
        index = graph.value(solution, RS["index"])
        row = {str(graph.value(b, RS.variable)): graph.value(b, RS.value)
               for b in graph.objects(solution, RS.binding)}
        ranked.append((int(index) if index is not None else 0, row))
    return Answer(solutions=[row for _, row in sorted(ranked, key=lambda pair: pair[0])])


def parse_answer(body: bytes, media_type: str, base: str | None = None) -> Answer:
    """An answer from its bytes and media type (a results format or an RDF syntax)."""
    media_type = media_type.split(";")[0].strip().lower()
    if media_type in RESULT_TYPES:
        return from_result(Result.parse(io.BytesIO(body), format=RESULT_TYPES[media_type]))
    if media_type in RDF_TYPES:
        graph = Graph().parse(data=body, format=RDF_TYPES[media_type], publicID=base)
        if graph.value(predicate=RDF.type, object=RS.ResultSet) is not None:
            return from_result_set_graph(graph)
        return Answer(graph=graph)
    raise ValueError(f"cannot read an answer of type {media_type!r}")


def read_expected(path) -> Answer:
    """The expected answer of a test from its file (.srx .srj .csv .tsv .ttl .rdf)."""
    media_type = BY_EXTENSION.get(path.suffix) or \
        {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".nt": "application/n-triples"
         }[path.suffix]
    return parse_answer(path.read_bytes(), media_type, path.resolve().as_uri())


XSD = "http://www.w3.org/2001/XMLSchema#"
_DECIMALS = {XSD + name for name in (
    "decimal", "integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
    "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "positiveInteger")}
_FLOATS = {XSD + "double", XSD + "float"}


def comparable(term):
    """The term, with a numeric literal's lexical form replaced by its value's and a language
    tag in lower case; anything else (an ill-typed literal too) as it is.

    >>> comparable(Literal("2.0", datatype=XSD + "decimal")) == \\
    ...     comparable(Literal("2", datatype=XSD + "decimal"))
    True
    >>> comparable(Literal("bar", lang="en-US")) == Literal("bar", lang="en-us")
    True
    >>> comparable(Literal("a", datatype=XSD + "string")) == Literal("a")
    True
    """
    if not isinstance(term, Literal):
        return term
    if term.language:
        return Literal(str(term), lang=term.language.lower())
    datatype = str(term.datatype) if term.datatype else ""
    if datatype == XSD + "string":  # RDF 1.1: a simple literal is an xsd:string
        return Literal(str(term))
    try:
        if datatype in _DECIMALS:
            value = Decimal(str(term).strip()).normalize()
            return Literal(format(value, "f"), datatype=term.datatype)
        if datatype in _FLOATS:
            return Literal(repr(float(str(term).strip())), datatype=term.datatype)
    except (InvalidOperation, ValueError):
        pass
    return term


def _comparable_graph(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        out.add((s, p, comparable(o)))
    return out


def _as_graph(solutions: list[dict], ordered: bool) -> Graph:
    graph = Graph()
    for rank, row in enumerate(solutions):
        solution = BNode()
        graph.add((RS.results, RS.solution, solution))
        if ordered:
            graph.add((solution, RS["index"], Literal(rank)))
        for name, value in row.items():
            binding = BNode()
            graph.add((solution, RS.binding, binding))
            graph.add((binding, RS.variable, Literal(name)))
            graph.add((binding, RS.value, comparable(value)))
    return graph


def same_answer(expected: Answer, actual: Answer, ordered: bool) -> bool:
    if expected.boolean is not None or actual.boolean is not None:
        return expected.boolean == actual.boolean
    if expected.graph is not None or actual.graph is not None:
        return expected.graph is not None and actual.graph is not None and \
            isomorphic(_comparable_graph(expected.graph), _comparable_graph(actual.graph))
    if len(expected.solutions) != len(actual.solutions):
        return False
    return isomorphic(_as_graph(expected.solutions, ordered), _as_graph(actual.solutions, ordered))


# ---- what the harness needs to know about a query -------------------------------------------------

_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


@dataclass(frozen=True)
class QueryFacts:
    dataset: tuple[str, ...]  # the graphs its FROM and FROM NAMED clauses name (absolute)
    ordered: bool  # its outermost operation is ORDER BY


def query_facts(text: str, base: str) -> QueryFacts:
    """Read with rdflib's SPARQL parser (only to know what to compare; the endpoint under test
    never sees it). A query rdflib cannot translate falls back to a reading of its words."""
    try:
        algebra = translateQuery(parseQuery(text), base=base).algebra
    except Exception:  # rdflib's own gaps: read the words instead
        return QueryFacts(("?",) if _FROM.search(text) else (), bool(_ORDER_BY.search(text)))
    # (rdflib's CompValue.get answers a missing key with the key itself: test with `in`)
    dataset = tuple(str(clause["default"] if "default" in clause else clause["named"])
                    for clause in (algebra["datasetClause"] if "datasetClause" in algebra
                                   else None) or ())
    node = algebra["p"] if "p" in algebra else None
    while getattr(node, "name", None) in ("Slice", "Distinct", "Reduced", "Project"):
        node = node["p"] if "p" in node else None
    return QueryFacts(dataset, getattr(node, "name", None) == "OrderBy")
