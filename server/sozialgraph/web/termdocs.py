"""Documentation of the terms: the ontology at /ontology and the SHACL shapes at /shapes.

Ontology terms are hash IRIs (`sg:Funding` is `https://w3id.org/sozialgraph/ontology#Funding`)
and so are shapes (`https://w3id.org/sozialgraph/shapes#MeasureShape`): the fragment never
reaches the server, so each page documents every term, with one anchor per term (`#Funding`).

/ontology is generated from the ontology's named graph in the store (through `sozialgraph.web.dataset`);
its RDF is the dump of that graph. The shapes are not in the store: /shapes and /shapes.ttl are
read from the checkout's shapes/*.ttl (`config.SHAPES_DIR`, or the app's SHAPES_DIR setting).
Both pages negotiate like every linked-data page (HTML, Turtle, JSON-LD, N-Triples, RDF/XML),
and take an extension: /ontology.ttl, /shapes.ttl, /ontology.jsonld ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app

from sozialgraph import settings as config
from sozialgraph.rdf.formats import HTML, TURTLE, Format
from sozialgraph.rdf.namespaces import BASE, ONTOLOGY_IRI, PREFIXES, SHAPES
from sozialgraph.store.embedded import GRAPH_ONTOLOGY
from sozialgraph.web import dataset
from sozialgraph.web.dataset import TripleIndex
from sozialgraph.web.http import (
    PAGE_FORMATS,
    alternates,
    choose_format,
    compact,
    finish,
    html_response,
    local_url,
    rdf_response,
    refuse,
    serialize,
    split_extension,
)
from sozialgraph.web.pages import not_found
from sozialgraph.web.views import Labels, Link, link

bp = Blueprint("termdocs", __name__)

SHAPES_IRI = BASE + "shapes"
RDF, RDFS, OWL, SKOS, SH = (PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos", "sh"))
DCT, VANN = PREFIXES["dct"], PREFIXES["vann"]
CHARACTERISTICS = {OWL + "FunctionalProperty": "functional",
                   OWL + "InverseFunctionalProperty": "inverse functional",
                   OWL + "TransitiveProperty": "transitive", OWL + "SymmetricProperty": "symmetric",
                   OWL + "AsymmetricProperty": "asymmetric", OWL + "ReflexiveProperty": "reflexive",
                   OWL + "IrreflexiveProperty": "irreflexive"}


def _by_lang(index: TripleIndex, subject, predicate: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for term in index.objects(subject, predicate):
        if isinstance(term, ox.Literal):
            found.setdefault(term.language or "", term.value)
    return found


def _labels(index: TripleIndex) -> Labels:
    labels: Labels = {}
    for triple in index.triples:
        if triple.predicate.value == RDFS + "label" and isinstance(triple.object, ox.Literal) \
                and isinstance(triple.subject, ox.NamedNode):
            labels.setdefault(triple.subject.value, {}).setdefault(
                triple.object.language or "", triple.object.value)
    return labels


def term_text(term, index: TripleIndex, depth: int = 0) -> str:
    """A term as compact Turtle-like text: IRIs as prefixed names, lists in ( ), blank nodes in [ ]."""
    if isinstance(term, ox.NamedNode):
        return compact(term.value) if compact(term.value) != term.value else f"<{term.value}>"
    if isinstance(term, ox.Literal):
        if term.datatype.value.startswith(PREFIXES["xsd"]) and term.datatype.value.rsplit(
                "#", 1)[-1] in ("integer", "decimal", "boolean"):
            return term.value
        tag = f"@{term.language}" if term.language else ""
        return f'"{term.value}"{tag}'
    if depth > 5:
        return "[ … ]"
    if index.value(term, RDF + "first") is not None:
        return "( " + " ".join(term_text(m, index, depth + 1) for m in index.items(term)) + " )"
    parts = [f"{compact(t.predicate.value)} {term_text(t.object, index, depth + 1)}"
             for t in index.about(term)]
    return "[ " + " ; ".join(parts) + " ]"


# --- The ontology ------------------------------------------------------------------------------

@dataclass
class TermDoc:
    iri: str
    name: str  # the fragment, the anchor on the page
    kind: str
    labels: dict[str, str]
    definitions: dict[str, str]
    comments: dict[str, str]
    facts: list[tuple[str, list[Any]]] = field(default_factory=list)  # (heading, links or text)
    characteristics: list[str] = field(default_factory=list)


def ontology_triples() -> list[ox.Triple]:
    def fetch() -> list[ox.Triple]:
        return dataset.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> "
                                 "{ ?s ?p ?o } }")
    return dataset.cached("ontology-triples", fetch)


def ontology_page() -> dict[str, Any]:
    index = TripleIndex(ontology_triples())
    labels = _labels(index)
    namespace = PREFIXES["sg"]

    def local(iri: str) -> bool:
        return iri.startswith(namespace) and len(iri) > len(namespace)

    def typed(cls: str) -> list[str]:
        return sorted({s.value for s in index.subjects(RDF + "type", cls)
                       if isinstance(s, ox.NamedNode) and local(s.value)},
                      key=lambda iri: labels.get(iri, {}).get("en", iri).lower())

    def links(terms) -> list[Link]:
        return [link(t.value, labels, prefer="en") for t in terms if isinstance(t, ox.NamedNode)]

    def doc(iri: str, kind: str) -> TermDoc:
        return TermDoc(iri, iri[len(namespace):], kind, _by_lang(index, iri, RDFS + "label"),
                       _by_lang(index, iri, SKOS + "definition"),
                       _by_lang(index, iri, RDFS + "comment"))

    classes = typed(OWL + "Class")
    object_properties = typed(OWL + "ObjectProperty")
    datatype_properties = typed(OWL + "DatatypeProperty")
    annotation_properties = typed(OWL + "AnnotationProperty")
    properties = object_properties + datatype_properties + annotation_properties

    def inverses(iri: str) -> list[ox.NamedNode]:
        found = index.objects(iri, OWL + "inverseOf") + index.subjects(OWL + "inverseOf", iri)
        return list(dict.fromkeys(found))

    class_docs = {}
    for iri in classes:
        term = doc(iri, "class")
        members = [m for head in index.objects(iri, OWL + "oneOf") for m in index.items(head)]
        term.facts = [
            ("Subclass of", links(index.objects(iri, RDFS + "subClassOf"))),
            ("Subclasses", links(index.subjects(RDFS + "subClassOf", iri))),
            ("Equivalent to", links(index.objects(iri, OWL + "equivalentClass"))),
            ("Disjoint with", links(index.objects(iri, OWL + "disjointWith"))),
            ("One of", links(members)),
            ("Domain of", links(index.subjects(RDFS + "domain", iri))),
            ("Range of", links(index.subjects(RDFS + "range", iri))),
        ]
        class_docs[iri] = term
    property_docs = []
    for iri in properties:
        kind = ("object property" if iri in object_properties else "datatype property"
                if iri in datatype_properties else "annotation property")
        term = doc(iri, kind)
        term.characteristics = [CHARACTERISTICS[t.value] for t in index.objects(iri, RDF + "type")
                                if t.value in CHARACTERISTICS]
        term.facts = [
            ("Domain", links(index.objects(iri, RDFS + "domain"))),
            ("Range", links(index.objects(iri, RDFS + "range"))),
            ("Inverse of", links(inverses(iri))),
            ("Sub-property of", links(index.objects(iri, RDFS + "subPropertyOf"))),
            ("Sub-properties", links(index.subjects(RDFS + "subPropertyOf", iri))),
        ]
        property_docs.append(term)
    individuals = []
    for iri in typed(OWL + "NamedIndividual"):
        term = doc(iri, "named individual")
        term.facts = [("Member of", links(t for t in index.objects(iri, RDF + "type")
                                          if t.value != OWL + "NamedIndividual"))]
        individuals.append(term)
    for term in [*class_docs.values(), *property_docs, *individuals]:
        term.facts = [(heading, values) for heading, values in term.facts if values]

    # The hierarchy: classes under their first superclass in the namespace.
    children: dict[str | None, list[str]] = {}
    for iri in classes:
        parents = [p.value for p in index.objects(iri, RDFS + "subClassOf")
                   if isinstance(p, ox.NamedNode) and p.value in class_docs]
        for parent in parents or [None]:
            children.setdefault(parent, []).append(iri)

    def tree(parent: str | None, seen: frozenset[str] = frozenset()) -> list[dict]:
        return [{"term": class_docs[c], "children": tree(c, seen | {c})}
                for c in children.get(parent, []) if c not in seen]

    ordered: list[TermDoc] = []

    def walk(nodes: list[dict]) -> None:
        for node in nodes:
            if node["term"] not in ordered:
                ordered.append(node["term"])
            walk(node["children"])
    hierarchy = tree(None)
    walk(hierarchy)

    ontology = ox.NamedNode(ONTOLOGY_IRI)
    metadata = [(compact(t.predicate.value), term_text(t.object, index)
                 if not isinstance(t.object, ox.NamedNode) else link(t.object.value, labels))
                for t in index.about(ontology) if t.predicate.value != RDF + "type"]
    enumerations = {}
    for term in individuals:
        for member_of in term.facts[0][1] if term.facts else []:
            enumerations.setdefault(member_of.iri, {"cls": member_of, "members": []})
            enumerations[member_of.iri]["members"].append(term)
    return {
        "iri": ONTOLOGY_IRI,
        "title": _by_lang(index, ontology, DCT + "title"),
        "description": _by_lang(index, ontology, DCT + "description"),
        "version": next(iter(_by_lang(index, ontology, OWL + "versionInfo").values()), None),
        "metadata": sorted(metadata, key=lambda m: m[0]),
        "hierarchy": hierarchy,
        "classes": ordered,
        "object_properties": [t for t in property_docs if t.kind == "object property"],
        "datatype_properties": [t for t in property_docs if t.kind == "datatype property"],
        "annotation_properties": [t for t in property_docs if t.kind == "annotation property"],
        "individuals": individuals,
        "enumerations": list(enumerations.values()),
        "alternates": alternates(local_url(ONTOLOGY_IRI)),
        "url": local_url(ONTOLOGY_IRI),
    }


# --- The shapes --------------------------------------------------------------------------------

def shapes_dir() -> Path:
    return Path(current_app.config.get("SHAPES_DIR") or config.SHAPES_DIR)


def shapes_triples() -> list[ox.Triple]:
    """Every triple of shapes/*.ttl (blank nodes kept apart per file)."""
    def read() -> list[ox.Triple]:
        triples = []
        for path in sorted(shapes_dir().glob("*.ttl")):
            triples += [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
        return list(dict.fromkeys(triples))
    return dataset.cached("shapes-triples", read)


def shapes_turtle() -> bytes:
    return dataset.cached("shapes-turtle", lambda: serialize(shapes_triples(), TURTLE))


# Shown apart from the other constraints of a shape.
_SHAPE_APART = {SH + p for p in ("path", "message", "severity", "name", "description",
                                 "property", "sparql", "targetClass", "targetNode",
                                 "targetSubjectsOf", "targetObjectsOf")} | {
    RDF + "type", RDFS + "label", RDFS + "comment"}


def shapes_page() -> dict[str, Any]:
    index = TripleIndex(shapes_triples())
    namespace = str(SHAPES)
    named = sorted({s.value for s in index.subjects_all()
                    if isinstance(s, ox.NamedNode) and s.value.startswith(namespace)})

    def view(iri: str) -> dict[str, Any]:
        types = {t.value for t in index.objects(iri, RDF + "type")}
        kind = ("node shape" if SH + "NodeShape" in types else "property shape"
                if SH + "PropertyShape" in types else "SPARQL constraint"
                if SH + "SPARQLConstraint" in types else "shape")
        targets = [f"{compact(t.predicate.value)} {term_text(t.object, index)}"
                   for t in index.about(iri) if t.predicate.value.startswith(SH + "target")]
        constraints = [f"{compact(t.predicate.value)} {term_text(t.object, index)}"
                       for t in index.about(iri) if t.predicate.value not in _SHAPE_APART]
        severity = index.value(iri, SH + "severity")
        return {
            "iri": iri, "name": iri[len(namespace):], "kind": kind,
            "labels": _by_lang(index, iri, RDFS + "label"),
            "comments": _by_lang(index, iri, RDFS + "comment"),
            "path": term_text(index.value(iri, SH + "path"), index)
            if index.value(iri, SH + "path") is not None else None,
            "targets": targets, "constraints": constraints,
            "severity": compact(severity.value).removeprefix("sh:") if severity else None,
            "messages": _by_lang(index, iri, SH + "message"),
            "properties": [_shape_ref(p, index, namespace) for p in index.objects(iri,
                                                                                  SH + "property")],
            "sparql": [_sparql_view(c, index, namespace) for c in index.objects(iri,
                                                                               SH + "sparql")],
            "used_by": [_shape_ref(s, index, namespace) for s in index.subjects(SH + "property",
                                                                               iri)],
        }

    views = [view(iri) for iri in named if iri != SHAPES_IRI]
    order = {"node shape": 0, "property shape": 1, "SPARQL constraint": 2, "shape": 3}
    views.sort(key=lambda v: (order[v["kind"]], v["name"].lower()))
    shapes_resource = ox.NamedNode(SHAPES_IRI)
    return {
        "iri": SHAPES_IRI,
        "title": _by_lang(index, shapes_resource, RDFS + "label"),
        "description": _by_lang(index, shapes_resource, RDFS + "comment"),
        "version": next(iter(_by_lang(index, shapes_resource, OWL + "versionInfo").values()),
                        None),
        "shapes": views,
        "counts": {kind: sum(1 for v in views if v["kind"] == kind) for kind in order},
        "files": [p.name for p in sorted(shapes_dir().glob("*.ttl"))],
        "alternates": alternates(local_url(SHAPES_IRI)),
        "url": local_url(SHAPES_IRI),
    }


def _shape_ref(term, index: TripleIndex, namespace: str) -> dict[str, str]:
    if isinstance(term, ox.NamedNode) and term.value.startswith(namespace):
        return {"name": term.value[len(namespace):], "anchor": term.value[len(namespace):]}
    return {"name": term_text(term, index), "anchor": ""}


def _sparql_view(term, index: TripleIndex, namespace: str) -> dict[str, Any]:
    select = index.value(term, SH + "select")
    return {"ref": _shape_ref(term, index, namespace),
            "messages": _by_lang(index, term, SH + "message"),
            "select": select.value.strip() if isinstance(select, ox.Literal) else None}


# --- Routes ------------------------------------------------------------------------------------

def _negotiated(extension: str | None, what: str) -> Format:
    fmt = choose_format(PAGE_FORMATS, extension)
    if fmt is None:
        refuse(PAGE_FORMATS, extension, what)
    return fmt


@bp.get("/ontology")
@bp.get("/ontology.<extension>")
def ontology(extension: str | None = None):
    if extension is not None and not _is_format(extension):
        return not_found(ONTOLOGY_IRI + "." + extension, choose_format(PAGE_FORMATS))
    fmt = _negotiated(extension, "the ontology")
    if fmt is HTML:
        return html_response("ontology.html", page=dataset.cached("ontology-page",
                                                                   ontology_page))
    if fmt.ox_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        return _bytes(dataset.dump(GRAPH_ONTOLOGY, fmt), fmt)
    return rdf_response(ontology_triples(), fmt)


@bp.get("/ontology/<version>")
def ontology_version(version: str):
    """The version IRI (owl:versionIRI) answers like the ontology."""
    iri = f"{ONTOLOGY_IRI}/{version}"
    stem, extension = split_extension(version)
    versions = {t.object.value for t in ontology_triples()
                if t.predicate.value == OWL + "versionIRI"}
    if f"{ONTOLOGY_IRI}/{stem}" in versions:
        return ontology(extension)
    return not_found(iri, choose_format(PAGE_FORMATS))


@bp.get("/shapes")
@bp.get("/shapes.<extension>")
def shapes(extension: str | None = None):
    if extension is not None and not _is_format(extension):
        return not_found(SHAPES_IRI + "." + extension, choose_format(PAGE_FORMATS))
    fmt = _negotiated(extension, "the shapes")
    if fmt is HTML:
        return html_response("shapes.html", page=dataset.cached("shapes-page", shapes_page))
    if fmt is TURTLE:
        return _bytes(shapes_turtle(), fmt)
    return rdf_response(shapes_triples(), fmt)


def _is_format(extension: str) -> bool:
    return any(extension.lower() in f.short_names for f in PAGE_FORMATS)


def _bytes(body: bytes, fmt: Format) -> Response:
    return finish(Response(body, content_type=fmt.content_type))

