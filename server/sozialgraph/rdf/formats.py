"""Content negotiation: the formats the server writes and the one function that picks among them.

Each format is named once here (media type, short name for the `format` parameter, W3C format IRI,
pyoxigraph serialiser); the SPARQL endpoint, the service description and the error pages all read
this table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    name: str  # the first short name, e.g. "json"
    media_type: str  # the canonical media type, e.g. "application/sparql-results+json"
    w3c_iri: str | None = None
    ox_format: object = None  # a pyoxigraph QueryResultsFormat or RdfFormat
    short_names: tuple[str, ...] = ()  # accepted by the `format` parameter
    aliases: tuple[str, ...] = ()  # other media types that select this format
    prefixes: bool = False  # whether the serialisation abbreviates IRIs with the project prefixes

    @property
    def content_type(self) -> str:
        """The Content-Type header: textual types say their charset, the others are UTF-8 by spec.

        >>> TURTLE.content_type, SPARQL_JSON.content_type
        ('text/turtle; charset=utf-8', 'application/sparql-results+json')
        """
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


Q = ox.QueryResultsFormat
R = ox.RdfFormat

SPARQL_JSON = Format("json", "application/sparql-results+json", W3C_FORMATS + "SPARQL_Results_JSON",
                     Q.JSON, ("json",), ("application/json",))
SPARQL_XML = Format("xml", "application/sparql-results+xml", W3C_FORMATS + "SPARQL_Results_XML",
                    Q.XML, ("xml",), ("application/xml", "text/xml"))
SPARQL_CSV = Format("csv", "text/csv", W3C_FORMATS + "SPARQL_Results_CSV", Q.CSV, ("csv",))
SPARQL_TSV = Format("tsv", "text/tab-separated-values", W3C_FORMATS + "SPARQL_Results_TSV",
                    Q.TSV, ("tsv",))

# Aliases that real clients send: N3's media types for Turtle (Turtle is N3; SPARQLWrapper asks
# for text/rdf+n3, rdflib's Graph.parse(format="n3") for text/n3) and N-Triples' media type
# before 2014, text/plain (rdflib's Graph.parse(format="nt")). An alias counts only when named.
TURTLE = Format("turtle", "text/turtle", W3C_FORMATS + "Turtle", R.TURTLE,
                ("turtle", "ttl", "n3"), ("application/x-turtle", "text/n3", "text/rdf+n3"),
                prefixes=True)
N_TRIPLES = Format("nt", "application/n-triples", W3C_FORMATS + "N-Triples", R.N_TRIPLES,
                   ("nt", "ntriples", "n-triples"), ("text/plain",))
JSON_LD = Format("jsonld", "application/ld+json", W3C_FORMATS + "JSON-LD", R.JSON_LD,
                 ("jsonld", "json-ld", "json"), ("application/json",))
RDF_XML = Format("rdfxml", "application/rdf+xml", W3C_FORMATS + "RDF_XML", R.RDF_XML,
                 ("rdfxml", "rdf", "xml"), ("application/xml", "text/xml"), prefixes=True)
TRIG = Format("trig", "application/trig", W3C_FORMATS + "TriG", R.TRIG, ("trig",), prefixes=True)
N_QUADS = Format("nquads", "application/n-quads", W3C_FORMATS + "N-Quads", R.N_QUADS,
                 ("nquads", "nq", "n-quads"))

HTML = Format("html", "text/html", None, None, ("html",), ("application/xhtml+xml",))

# In order of preference: the first is the default when the client accepts anything.
RESULT_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)
RDF_FORMATS: tuple[Format, ...] = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, TRIG, N_QUADS)
ALL_FORMATS: tuple[Format, ...] = RESULT_FORMATS + RDF_FORMATS


def by_name(name: str, formats: Sequence[Format] = ALL_FORMATS) -> Format:
    """A format by its first short name (the name used between processes)."""
    return next(f for f in formats if f.name == name)


class NotAcceptable(Exception):
    """Nothing the client accepts can be produced; `offered` lists what could be."""

    def __init__(self, offered: Sequence[Format], requested: str):
        self.offered = tuple(offered)
        self.requested = requested
        super().__init__(
            f"cannot produce any of {requested}; supported: "
            + ", ".join(f.media_type for f in self.offered)
        )


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float = 1.0
    position: int = 0
    params: dict[str, str] = field(default_factory=dict)

    def specificity(self, media_type: str) -> int:
        """3 for an exact match, 2 for type/*, 1 for */*, 0 for no match."""
        type_, _, subtype = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type != type_:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == subtype else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are skipped.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/csv;q=0.5, application/*")]
    [('text', 'csv', 0.5), ('application', '*', 1.0)]
    """
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        media, *raw_params = [p.strip() for p in part.split(";")]
        media = media.lower()
        if media == "*":  # sent by some old clients
            media = "*/*"
        type_, slash, subtype = media.partition("/")
        if not slash or not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue
        params, q = {}, 1.0
        for raw in raw_params:
            key, _, value = raw.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = -1.0
            elif key:
                params[key] = value
        if q >= 0:
            ranges.append(MediaRange(type_, subtype, q, position, params))
    return ranges


def lookup(value: str, offered: Sequence[Format]) -> Format | None:
    """The offered format a `format` parameter value names (a short name or a media type)."""
    wanted = value.strip().lower()
    return next((f for f in offered if wanted in f.short_names or wanted in f.media_types), None)


def format_parameter(values: Sequence[str], offered: Sequence[Format]) -> str | None:
    """Of the `format` parameter's values (clients such as SPARQLWrapper send the same format
    twice, as a short name and as a media type), the first that names an offered format, else
    the first; None when there is none."""
    return next((v for v in values if lookup(v, offered)), values[0] if values else None)


def negotiate(
    offered: Sequence[Format], accept: str | None, format_param: str | None = None
) -> Format:
    """Pick the format to answer in, or raise NotAcceptable.

    A `format` parameter (a short name or a media type) wins over Accept. Otherwise every offered
    format gets the q-value of the most specific Accept range matching one of its media types; the
    highest q wins, then the more specific match, then the range the client listed first, then the
    server's order. An empty or unusable Accept header means the first offered format.

    >>> negotiate(RESULT_FORMATS, "text/csv;q=0.5, application/sparql-results+xml").name
    'xml'
    >>> negotiate(RDF_FORMATS, "application/*").name
    'nt'
    >>> negotiate(RDF_FORMATS, None, "ttl").name
    'turtle'
    """
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in offered:
            if wanted in fmt.short_names or wanted in fmt.media_types:
                return fmt
        raise NotAcceptable(offered, f"format={format_param}")
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple | None = None
    for order, fmt in enumerate(offered):
        for media_type in fmt.media_types:
            matching = [(r.specificity(media_type), r) for r in ranges]
            # An alias (application/json for SPARQL JSON...) counts only when named exactly.
            least = 1 if media_type == fmt.media_type else 3
            matching = [(s, r) for s, r in matching if s >= least]
            if not matching:
                continue
            specificity, chosen = max(matching, key=lambda m: (m[0], -m[1].position))
            if chosen.q <= 0:
                continue
            key = (chosen.q, specificity, -chosen.position, -order)
            if best is None or key > best[0]:
                best = (key, fmt)
    if best is None:
        raise NotAcceptable(offered, f"Accept: {accept}")
    return best[1]


JSON_TYPES = ("application/json", "application/sparql-results+json", "application/ld+json")


def accepts_only_json(accept: str | None) -> bool:
    """Whether every range the client accepts is a JSON type (then errors are written as JSON).

    >>> accepts_only_json("application/json"), accepts_only_json("application/json, */*;q=0.1")
    (True, False)
    """
    ranges = [r for r in parse_accept(accept) if r.q > 0]
    return bool(ranges) and all(
        f"{r.type}/{r.subtype}" in JSON_TYPES or r.subtype.endswith("+json") for r in ranges
    )
