"""The SPARQL 1.1 Service Description of /sparql: what the endpoint supports and which graphs it
holds (with their sizes), written with pyoxigraph's serialisers in the negotiated format."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from sozialgraph.rdf.formats import ALL_FORMATS, Format
from sozialgraph.rdf.namespaces import PREFIXES, SD, VOID
from sozialgraph.store.embedded import GRAPH_INFERRED

if TYPE_CHECKING:
    from sozialgraph.store.handle import StoreHandle

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SIMPLE_ENTAILMENT = ox.NamedNode("http://www.w3.org/ns/entailment/Simple")


def sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(SD[term]))


def triples(endpoint: str, handle: StoreHandle) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint)
    out = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, RDFS_LABEL, ox.Literal("Sozialgraph SPARQL endpoint", language="en")),
        ox.Triple(service, RDFS_COMMENT, ox.Literal(
            "Read-only SPARQL 1.1 query endpoint. The default graph is the union of the asserted "
            "graphs; the parameter inference=true adds the OWL 2 RL inferred graph to it. "
            "SERVICE, updates and graphs outside this store are refused.", language="en")),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultEntailmentRegime"), SIMPLE_ENTAILMENT),
    ]
    out += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(f.w3c_iri)) for f in ALL_FORMATS]

    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("default-graph")
    void_triples = ox.NamedNode(str(VOID.triples))
    out += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(default_graph, void_triples, ox.Literal(
            str(handle.default_graph_size(handle.include_inferred_default)),
            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    sizes = handle.graph_sizes()
    for number, name in enumerate(sorted(handle.graphs()), 1):
        named, graph = ox.BlankNode(f"named-graph-{number}"), ox.BlankNode(f"graph-{number}")
        out += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(graph, void_triples, ox.Literal(
                str(sizes.get(name, 0)),
                datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
        if name == GRAPH_INFERRED:
            out.append(ox.Triple(named, RDFS_COMMENT, ox.Literal(
                "Triples inferred with OWL 2 RL; part of the default graph with inference=true.",
                language="en")))
    return out


def serialize(endpoint: str, handle: StoreHandle, fmt: Format) -> bytes:
    prefixes = {p: PREFIXES[p] for p in ("sd", "void", "rdfs")} if fmt.prefixes else None
    return ox.serialize(triples(endpoint, handle), format=fmt.ox_format, prefixes=prefixes)
