"""The catalogue of curated queries in queries/: one Turtle file per query (SIB sparql-examples style).

Each file describes one resource typed sh:SPARQLExecutable with rdfs:label (title) and
rdfs:comment (description) in en and de, schema:keywords, and the query text in sh:select,
sh:ask, sh:construct or sh:describe. The server, the UI, the CLI, the tests and the benchmarks
all read the queries from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from sozialgraph.rdf.namespaces import QUERY, SCHEMA
from sozialgraph.settings import QUERIES_DIR

# sh:describe is not in SHACL itself; the SIB sparql-examples convention adds it.
_TEXT_PROPERTIES = {"select": SH.select, "ask": SH.ask, "construct": SH.construct,
                    "describe": URIRef(str(SH) + "describe")}


@dataclass(frozen=True)
class CuratedQuery:
    slug: str
    iri: str
    kind: str  # select, ask, construct or describe
    text: str
    title: dict[str, str] = field(default_factory=dict)  # language -> title
    description: dict[str, str] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()

    def title_in(self, lang: str = "en") -> str:
        return self.title.get(lang) or next(iter(self.title.values()), self.slug)

    def description_in(self, lang: str = "en") -> str:
        return self.description.get(lang) or next(iter(self.description.values()), "")


def _by_language(graph: Graph, subject: URIRef, predicate: URIRef) -> dict[str, str]:
    return {
        (o.language or ""): str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal)
    }


def load_query_file(path: Path) -> CuratedQuery:
    graph = Graph().parse(path, format="turtle")
    subjects = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    if len(subjects) != 1:
        raise ValueError(f"{path}: expected one sh:SPARQLExecutable, found {len(subjects)}")
    subject = subjects.pop()
    for kind, predicate in _TEXT_PROPERTIES.items():
        text = graph.value(subject, predicate)
        if text is not None:
            break
    else:
        raise ValueError(f"{path}: no sh:select, sh:ask, sh:construct or sh:describe")
    slug = str(subject).removeprefix(str(QUERY))
    return CuratedQuery(
        slug=slug,
        iri=str(subject),
        kind=kind,
        text=str(text),
        title=_by_language(graph, subject, RDFS.label),
        description=_by_language(graph, subject, RDFS.comment),
        keywords=tuple(sorted(str(k) for k in graph.objects(subject, SCHEMA.keywords))),
    )


def load_catalogue(folder: Path = QUERIES_DIR) -> list[CuratedQuery]:
    """All curated queries, in file-name order (files are numbered for a sensible reading order)."""
    return [load_query_file(p) for p in sorted(Path(folder).glob("*.ttl"))]


def find(name: str, folder: Path = QUERIES_DIR) -> CuratedQuery | None:
    """A curated query by its slug or its file stem."""
    for path in sorted(Path(folder).glob("*.ttl")):
        query = load_query_file(path)
        if name in (query.slug, path.stem):
            return query
    return None


def resolve_query(text: str, queries_dir: Path) -> str:
    """QUERY as a .rq/.sparql file, a curated query's name, or SPARQL itself."""
    candidate = Path(text)
    if candidate.suffix in (".rq", ".sparql") or (len(text) < 200 and candidate.is_file()):
        if not candidate.is_file():
            raise LookupError(f"no query file {text}")
        return candidate.read_text(encoding="utf-8")
    if re.fullmatch(r"[\w.-]+", text):  # one word: a curated query's name
        curated = find(text, queries_dir)
        if curated is None:
            raise LookupError(f"no curated query named {text!r} in {queries_dir.name}/")
        return curated.text
    return text
