"""Triples as N-Triples term strings: the build's working representation at scale.

A term is the string N-Triples writes for it (`<http://...>`, `_:b0`, `"text"@de`,
`"5"^^<http://www.w3.org/2001/XMLSchema#integer>`); a triple is a tuple of three such strings.
Oxigraph parses and writes; Python only holds strings, whose hashes are cached, so the sets,
dicts and rules of sozialgraph.inference.rules run several times faster on them than on rdflib or
pyoxigraph term objects (measured at 10^6 triples: parsing 4.4 s instead of rdflib's 100 s,
the OWL 2 RL rules 11 s instead of 16 s on pyoxigraph terms). The strings go back into
Oxigraph as N-Triples or N-Quads text, which its bulk loader reads at full speed.

Oxigraph writes every term in one canonical N-Triples spelling (its own escapes, literals of
xsd:string without a datatype), so equal terms are equal strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from sozialgraph.rdf.parse import (
    OXIGRAPH_FORMATS,
    QUAD_FORMATS,
    RDFSyntaxError,
    check_strict_syntax,
    check_xml_is_safe,
    format_for,
    read_graph,
)

Triple = tuple[str, str, str]

_XSD_DATATYPE = f'"^^<{XSD}'


def read(path: str | Path) -> set[Triple]:
    """The triples of an RDF file (the graphs of a quad format merged); its blank nodes get
    fresh labels, so two files never share one. Errors are RDFSyntaxError (`file:line: ...`)."""
    path = Path(path)
    fmt = format_for(path)
    if fmt not in OXIGRAPH_FORMATS:  # JSON-LD: rdflib reads it (no remote contexts)
        return from_rdflib(read_graph(path))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RDFSyntaxError(path, None, f"cannot read: {error.strerror or error}") from error
    if fmt == "xml":
        check_xml_is_safe(data, str(path))
    base = path.resolve().as_uri()
    try:
        quads = ox.parse(data, format=OXIGRAPH_FORMATS[fmt], base_iri=base,
                         rename_blank_nodes=True)
        if fmt in QUAD_FORMATS:
            quads = (quad.triple for quad in quads)
        text = ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    except SyntaxError:
        check_strict_syntax(data, fmt, str(path), base)  # raises RDFSyntaxError with the line
        raise
    return parse_text(text)


def parse_text(text: str) -> set[Triple]:
    """Triples from N-Triples text as Oxigraph writes it: one triple per line, `s p o .`.

    A raw line break occurs only at the end of a line (N-Triples escapes them in literals), and
    subjects and predicates hold no space, so splitting is exact."""
    triples = set()
    for line in text.split(" .\n"):
        if line:
            subject, predicate, obj = line.split(" ", 2)
            triples.add((subject, predicate, obj))
    return triples


def serialize(triples: Iterable[Triple], graph: str | None = None) -> bytes:
    """N-Triples text of `triples`, or N-Quads text putting them into the named graph `graph`."""
    end = f" <{graph}> .\n" if graph else " .\n"
    return "".join(f"{s} {p} {o}{end}" for s, p, o in triples).encode("utf-8")


def to_rdflib(triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    graph.parse(data=serialize(triples), format="nt")
    return graph


def from_rdflib(graph: Graph) -> set[Triple]:
    """The triples of an rdflib graph, spelled as Oxigraph spells them."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return parse_text(ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES),
                                   format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))


def ill_typed_literal(triples: Iterable[Triple]) -> Literal | None:
    """A literal of an XSD datatype whose lexical form does not fit it, as rdflib judges it (the
    rule engine falls back to owlrl for those, which reports them); each literal checked once."""
    seen = set()
    for _, _, obj in triples:
        if obj[0] == '"' and _XSD_DATATYPE in obj and obj not in seen:
            seen.add(obj)
            literal = to_literal(obj)
            if literal.ill_typed:
                return literal
    return None


def to_literal(term: str) -> Literal:
    """The rdflib literal an N-Triples literal term spells (lexical form kept)."""
    if "\\" not in term and '"^^<' in term:
        lexical, datatype = term[1:].rsplit('"^^<', 1)
        return Literal(lexical, datatype=URIRef(datatype[:-1]))
    # escapes, language tags, plain strings: let Oxigraph read the term
    literal = next(iter(ox.parse(f"<x:s> <x:p> {term} .", format=ox.RdfFormat.N_TRIPLES))).object
    if literal.language:
        return Literal(literal.value, lang=literal.language)
    return Literal(literal.value, datatype=URIRef(literal.datatype.value))
