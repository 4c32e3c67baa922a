"""RDF terms as N-Quads tokens, the way the generator writes them: IRIs, literals, the
namespaces it uses (the project's own, from sozialgraph.rdf.namespaces) and the real actors the
synthetic graph builds on. Imports sozialgraph.rdf.namespaces and rdflib's namespaces."""

from __future__ import annotations

from rdflib.namespace import DCTERMS, RDF
from rdflib.namespace import RDFS as RDFS_NS
from rdflib.namespace import SKOS as SKOS_NS
from rdflib.namespace import XSD as XSD_NS

from sozialgraph.rdf.namespaces import ACTOR, SCHEME, SG, TARGET_GROUP
from sozialgraph.rdf.namespaces import OA as OA_NS
from sozialgraph.rdf.namespaces import SCHEMA as SCHEMA_NS


def iri(value: str) -> str:
    return f"<{value}>"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def lit(text: str, lang: str | None = None) -> str:
    escaped = text.translate(_ESCAPES)
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(lexical: object, datatype: str) -> str:
    return f'"{lexical}"^^{datatype}'


class Terms:
    """Tokens of one namespace: `Terms(ns).Funding` is `<ns + "Funding">`."""

    def __init__(self, namespace: str):
        self._namespace = str(namespace)

    def __getattr__(self, name: str) -> str:
        token = iri(self._namespace + name)
        setattr(self, name, token)
        return token


T, XSD, RDFS, SKOS, DCT, OA, SCHEMA = (Terms(namespace) for namespace in (
    SG, XSD_NS, RDFS_NS, SKOS_NS, DCTERMS, OA_NS, SCHEMA_NS))
A = iri(str(RDF.type))
CONTAINED_IN = SCHEMA.containedInPlace
GERMAN = iri("http://id.loc.gov/vocabulary/iso639-1/de")
TG_SCHEME = iri(str(SCHEME["target-groups"]))
PA_SCHEME = iri(str(SCHEME["policy-areas"]))
REFUGEES = iri(str(TARGET_GROUP["gefluechtete"]))


def actor(slug: str) -> str:
    return iri(str(ACTOR[slug]))


# Real actors the synthetic graph builds on; they are copied from graphs/actors.ttl.
LAND_HESSEN, LANDESREGIERUNG, HMSI, KASSEL, KASSEL_COALITION, STAEDTETAG, LANDKREISTAG, LIGA = (
    actor(s) for s in ("land-hessen", "landesregierung-hessen", "hmsi", "stadt-kassel",
                       "koalition-kassel-2021", "hessischer-staedtetag",
                       "hessischer-landkreistag", "liga-freie-wohlfahrtspflege-hessen"))
REQUIRED_REAL_ACTORS = (LAND_HESSEN, LANDESREGIERUNG, HMSI, KASSEL, KASSEL_COALITION, STAEDTETAG,
                        LANDKREISTAG, LIGA)
