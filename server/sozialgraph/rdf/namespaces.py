"""The one place that names the project's namespace, its IRI patterns and the prefixes it uses."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

BASE = "https://w3id.org/sozialgraph/"

SG = Namespace(BASE + "ontology#")
ONTOLOGY_IRI = BASE + "ontology"
ACTOR = Namespace(BASE + "id/actor/")
MEASURE = Namespace(BASE + "id/measure/")
FUNDING = Namespace(BASE + "id/funding/")
QUANTITY = Namespace(BASE + "id/quantity/")
EVIDENCE = Namespace(BASE + "id/evidence/")
SOURCE = Namespace(BASE + "id/source/")
POLICY_AREA = Namespace(BASE + "id/policy-area/")
TARGET_GROUP = Namespace(BASE + "id/target-group/")
SCHEME = Namespace(BASE + "id/scheme/")
GRAPH = Namespace(BASE + "graph/")
SHAPES = Namespace(BASE + "shapes#")
QUERY = Namespace(BASE + "query/")

ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
VANN = Namespace("http://purl.org/vocab/vann/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
EUROVOC = Namespace("http://eurovoc.europa.eu/")

# Prefixes bound in every graph, dump and query the project writes.
PREFIXES: dict[str, str] = {
    "sg": str(SG),
    "sga": str(ACTOR),
    "sgm": str(MEASURE),
    "sgf": str(FUNDING),
    "sgq": str(QUANTITY),
    "sge": str(EVIDENCE),
    "sgs": str(SOURCE),
    "sgp": str(POLICY_AREA),
    "sgt": str(TARGET_GROUP),
    "sgc": str(SCHEME),
    "sgg": str(GRAPH),
    "sgsh": str(SHAPES),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "sh": str(SH),
    "org": str(ORG),
    "cv": str(CV),
    "cpsv": str(CPSV),
    "schema": str(SCHEMA),
    "oa": str(OA),
    "vann": str(VANN),
    "sd": str(SD),
    "wd": str(WD),
    "nuts": str(NUTS),
    "eurovoc": str(EUROVOC),
}


def bind_all(graph):
    """Bind the project's prefixes on an rdflib graph or dataset and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph
