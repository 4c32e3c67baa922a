"""The VoID description of the dataset at /.well-known/void (and at /dataset, where the dataset's
IRI https://w3id.org/sozialgraph/dataset answers).

The dataset described is everything the server publishes: every named graph, the inferred graph
included (the dumps `sozialgraph.trig` / `.nq` hold exactly that). Its statistics are computed
with SPARQL aggregates over the default graph plus the inferred graph, which is the dataset the
SPARQL endpoint answers with `inference=true`; without it the endpoint's default graph is the
asserted part, `void:triples` minus the inferred graph's. Each named graph is a `void:subset`,
identified by its graph IRI, with its own triple count and Turtle dump. Identifiers stay in the
w3id.org namespace; the endpoint and dump URLs are where this server answers (`public_base()`).

The numbers are computed once per process (the store does not change while it is open).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint

from sozialgraph.rdf.formats import RDF_FORMATS
from sozialgraph.rdf.namespaces import BASE, GRAPH, PREFIXES
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.web import dataset
from sozialgraph.web.http import (
    choose_format,
    public_base,
    rdf_response,
    refuse,
    ui_url,
)
from sozialgraph.web.views import labels_for, link

bp = Blueprint("void", __name__)

DATASET_IRI = BASE + "dataset"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
# Example resources, if they exist; otherwise the first instance of each class of EXAMPLE_CLASSES.
PREFERRED_EXAMPLES = ("id/measure/kita-ausbau", "id/funding/kita-ausbau-169-mio",
                      "id/evidence/hmsi-bilanz/kita-ausbau-169-mio", "id/actor/land-hessen")
EXAMPLE_CLASSES = ("Measure", "Funding", "Quantity", "Actor", "SourceDocument")
GRAPH_TITLES = {
    "ontology": ("Sozialgraph-Ontologie", "Sozialgraph ontology"),
    "vocabularies": ("Begriffsschemata: Politikfelder und Zielgruppen",
                     "Concept schemes: policy areas and target groups"),
    "actors": ("Akteure", "Actors"),
    "sources": ("Quelldokumente", "Source documents"),
    "inferred": ("Abgeleitete Tripel (OWL 2 RL)", "Inferred triples (OWL 2 RL)"),
}
TITLE = ("Sozialgraph: Sozialpolitik in Hessen", "Sozialgraph: social policy in Hessen")
DESCRIPTION = (
    ("Offener Wissensgraph der Sozialpolitik in Hessen: Akteure, Maßnahmen, Förderungen mit "
     "Beträgen, Mengenangaben, Zielgruppen und Politikfelder, jede Aussage mit dem wörtlichen "
     "Zitat und den Zeichenpositionen ihrer Quelle."),
    ("Open knowledge graph of social policy in Hessen: actors, measures, funding with amounts, "
     "quantities, target groups and policy areas, every statement with the verbatim quote and "
     "character offsets of its source."))


@dataclass(frozen=True)
class GraphStatistics:
    iri: str
    triples: int
    subjects: int
    source: str | None  # the source document the graph was made from


@dataclass(frozen=True)
class Statistics:
    triples: int
    subjects: int
    objects: int
    entities: int  # distinct subjects in the namespace (the void:uriSpace)
    classes: dict[str, int]  # class -> distinct instances
    properties: dict[str, int]  # property -> triples
    graphs: dict[str, GraphStatistics]
    examples: list[str]


def statistics() -> Statistics:
    return dataset.cached("void-statistics", _compute)


def _count(sparql: str) -> int:
    rows = dataset.select(sparql, include_inferred=True)
    return int(rows[0]["n"].value) if rows else 0


def _partition(sparql: str) -> dict[str, int]:
    rows = dataset.select(sparql, include_inferred=True)
    found = {row["x"].value: int(row["n"].value) for row in rows
             if isinstance(row["x"], ox.NamedNode)}
    return dict(sorted(found.items()))


def _compute() -> Statistics:
    sources = {row["g"].value: row["source"].value for row in dataset.select(
        "SELECT ?g ?source WHERE { ?source a sg:SourceDocument ; rdfs:seeAlso ?g }")}
    graphs = {}
    for row in dataset.select("SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) "
                              "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        iri = row["g"].value
        graphs[iri] = GraphStatistics(iri, int(row["n"].value), int(row["subjects"].value),
                                      sources.get(iri))
    for iri in dataset.graph_names():  # an empty graph still exists
        graphs.setdefault(iri, GraphStatistics(iri, 0, 0, sources.get(iri)))
    classes = _partition("SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?x } GROUP BY ?x")
    examples = _examples()
    return Statistics(
        triples=_count("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                       "WHERE { ?s ?p ?o } }"),
        subjects=_count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        objects=_count("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        entities=_count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
                        f'FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }}'),
        classes=classes,
        properties=_partition("SELECT ?x (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?x ?o "
                              "WHERE { ?s ?x ?o } } GROUP BY ?x"),
        graphs=dict(sorted(graphs.items())),
        examples=examples,
    )


def _examples() -> list[str]:
    wanted = [BASE + path for path in PREFERRED_EXAMPLES]
    values = " ".join(f"<{iri}>" for iri in wanted)
    found = {row["s"].value for row in dataset.select(
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")}
    examples = [iri for iri in wanted if iri in found]
    if not examples:
        classes = " ".join(f"sg:{name}" for name in EXAMPLE_CLASSES)
        rows = dataset.select(f"SELECT ?c (MIN(STR(?s)) AS ?x) WHERE {{ VALUES ?c {{ {classes} }} "
                              "?s a ?c FILTER (isIRI(?s)) } GROUP BY ?c", include_inferred=True)
        examples = sorted(row["x"].value for row in rows if row["x"] is not None)
    return examples


# --- The description ---------------------------------------------------------------------------

def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _p(curie: str) -> ox.NamedNode:
    prefix, _, local = curie.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + local)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def _texts(subject: ox.NamedNode, predicate: str, pair: tuple[str, str]) -> list[ox.Triple]:
    return [ox.Triple(subject, _p(predicate), ox.Literal(text, language=lang))
            for lang, text in zip(("de", "en"), pair)]


def dump_url(filename: str) -> str:
    return public_base() + "downloads/" + filename


def graph_name(iri: str) -> str:
    return iri.removeprefix(str(GRAPH))


def graph_title(iri: str, stats: Statistics) -> tuple[str, str]:
    name = graph_name(iri)
    if name in GRAPH_TITLES:
        return GRAPH_TITLES[name]
    source = stats.graphs[iri].source if iri in stats.graphs else None
    if source:
        labels = labels_for([source]).get(source, {})
        return (f"Dokumentgraph: {labels.get('de', name)}",
                f"Document graph: {labels.get('en') or labels.get('de', name)}")
    return (f"Graph {name}", f"Graph {name}")


def graph_triples(iri: str, stats: Statistics | None = None) -> list[ox.Triple]:
    """A named graph as a subset of the dataset: title, size, source, dump."""
    stats = stats or statistics()
    facts = stats.graphs[iri]
    graph = _n(iri)
    triples = [
        ox.Triple(_n(DATASET_IRI), _p("void:subset"), graph),
        ox.Triple(graph, _p("rdf:type"), _p("void:Dataset")),
        *_texts(graph, "dct:title", graph_title(iri, stats)),
        ox.Triple(graph, _p("void:triples"), _int(facts.triples)),
        ox.Triple(graph, _p("void:distinctSubjects"), _int(facts.subjects)),
        ox.Triple(graph, _p("void:dataDump"), _n(dump_url(graph_name(iri) + ".ttl"))),
        ox.Triple(graph, _p("dct:license"), _n(LICENSE)),
    ]
    if facts.source:
        triples.append(ox.Triple(graph, _p("dct:source"), _n(facts.source)))
    if iri == GRAPH_INFERRED:
        triples += _texts(graph, "dct:description", (
            ("Tripel, die OWL-2-RL-Inferenz aus den übrigen Graphen ableitet; am SPARQL-Endpunkt "
             "Teil des Standardgraphen mit inference=true."),
            ("Triples inferred with OWL 2 RL from the other graphs; part of the SPARQL endpoint's "
             "default graph with inference=true.")))
    return triples


def void_triples() -> list[ox.Triple]:
    stats = statistics()
    base = public_base()
    ds, document = _n(DATASET_IRI), _n(base + ".well-known/void")
    out = [
        ox.Triple(document, _p("rdf:type"), _p("void:DatasetDescription")),
        *_texts(document, "dct:title", ("VoID-Beschreibung von Sozialgraph",
                                        "VoID description of Sozialgraph")),
        ox.Triple(document, _p("foaf:primaryTopic"), ds),
        ox.Triple(ds, _p("rdf:type"), _p("void:Dataset")),
        ox.Triple(ds, _p("rdf:type"), _p("dcat:Dataset")),
        *_texts(ds, "dct:title", TITLE),
        *_texts(ds, "dct:description", DESCRIPTION),
        ox.Triple(ds, _p("dct:license"), _n(LICENSE)),
        ox.Triple(ds, _p("foaf:homepage"), _n(base)),
        ox.Triple(ds, _p("void:uriSpace"), ox.Literal(BASE)),
        ox.Triple(ds, _p("void:sparqlEndpoint"), _n(base + "sparql")),
        ox.Triple(ds, _p("void:dataDump"), _n(dump_url("sozialgraph.nq"))),
        ox.Triple(ds, _p("void:dataDump"), _n(dump_url("sozialgraph.trig"))),
        ox.Triple(ds, _p("void:triples"), _int(stats.triples)),
        ox.Triple(ds, _p("void:distinctSubjects"), _int(stats.subjects)),
        ox.Triple(ds, _p("void:distinctObjects"), _int(stats.objects)),
        ox.Triple(ds, _p("void:entities"), _int(stats.entities)),
        ox.Triple(ds, _p("void:classes"), _int(len(stats.classes))),
        ox.Triple(ds, _p("void:properties"), _int(len(stats.properties))),
    ]
    out += [ox.Triple(ds, _p("void:feature"), _n(f.w3c_iri)) for f in RDF_FORMATS if f.w3c_iri]
    out += [ox.Triple(ds, _p("void:vocabulary"), _n(ns))
            for ns in vocabularies(list(stats.classes) + list(stats.properties))]
    out += [ox.Triple(ds, _p("void:exampleResource"), _n(iri)) for iri in stats.examples]
    out += [ox.Triple(ds, _p("dct:source"), _n(source))
            for source in sorted({g.source for g in stats.graphs.values() if g.source})]
    partitions = []  # written after the dataset's own triples (serialisers group by subject)
    for number, (cls, entities) in enumerate(stats.classes.items(), 1):
        partition = ox.BlankNode(f"class{number}")
        out.append(ox.Triple(ds, _p("void:classPartition"), partition))
        partitions += [ox.Triple(partition, _p("void:class"), _n(cls)),
                       ox.Triple(partition, _p("void:entities"), _int(entities))]
    for number, (prop, triples) in enumerate(stats.properties.items(), 1):
        partition = ox.BlankNode(f"property{number}")
        out.append(ox.Triple(ds, _p("void:propertyPartition"), partition))
        partitions += [ox.Triple(partition, _p("void:property"), _n(prop)),
                       ox.Triple(partition, _p("void:triples"), _int(triples))]
    subsets = [t for iri in stats.graphs for t in graph_triples(iri, stats)]
    out += [t for t in subsets if t.subject == ds]
    out += partitions + [t for t in subsets if t.subject != ds]
    return list(dict.fromkeys(out))


def vocabularies(iris: list[str]) -> list[str]:
    """The namespaces of the classes and properties used: a project prefix's namespace where one
    fits (the longest), else the IRI up to its last '#' or '/'."""
    namespaces = set()
    for iri in iris:
        known = [ns for ns in PREFIXES.values() if iri.startswith(ns) and not ns.startswith(
            BASE + "id/")]
        if known:
            namespaces.add(max(known, key=len))
        else:
            cut = max(iri.rfind("#"), iri.rfind("/"))
            namespaces.add(iri[:cut + 1])
    return sorted(namespaces)


def graph_page(iri: str) -> dict:
    """The facts the HTML page of a named graph shows."""
    stats = statistics()
    facts = stats.graphs[iri]
    rows = dataset.select(f"SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{iri}> "
                          "{ ?s a ?x } } GROUP BY ?x ORDER BY DESC(?n) ?x")
    labels = labels_for([row["x"].value for row in rows] + ([facts.source] if facts.source else []))
    name = graph_name(iri)
    return {
        "triples": facts.triples,
        "subjects": facts.subjects,
        "source": link(facts.source, labels) if facts.source else None,
        "dump": dump_url(name + ".ttl"),
        "dump_name": name + ".ttl",
        "ui": ui_url(f"SELECT ?s ?p ?o\nWHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}\nLIMIT 100\n"),
        "classes": [{"cls": link(row["x"].value, labels, prefer="en"),
                     "count": int(row["n"].value)} for row in rows],
        "note": ("Inferred with OWL 2 RL from the asserted graphs; the SPARQL endpoint adds it to "
                 "the default graph with inference=true.") if iri == GRAPH_INFERRED else None,
    }


# --- Routes ------------------------------------------------------------------------------------

@bp.get("/.well-known/void")
def well_known():
    fmt = choose_format(RDF_FORMATS)
    if fmt is None:
        refuse(RDF_FORMATS, None, "the VoID description")
    return rdf_response(void_triples(), fmt)
