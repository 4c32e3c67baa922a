"""The search documents of a built store: one per entity that has an entity page (a resource of
the namespace's /id/ folder with a label: measures, fundings, quantities, actors, concepts and
schemes, source documents), with its texts and the values of its facets.

Texts, by field: names (rdfs:label, skos:prefLabel, skos:altLabel), about (skos:definition,
sg:aim), quotes (the oa:exact of its evidence) and context (the labels of the actors it names as
jurisdiction, responsible, implementing actor or funder, so that "Frauenhaus Kassel" finds
Kassel's shelter, whose own texts do not name the city). Facets: kind, level, policy area, target group,
source document and status. A funding or a quantity has no level, area or target group of its
own: it takes those of the measure it funds or counts, so that narrowing to a policy area keeps
the money spent on it.

Read with triple patterns from the store's default graph (the merge of the asserted graphs) and
its inferred graph (the types a class implies), so that a store of 10^6 triples is read in
seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import BASE, OA, RDF, RDFS, SG, SKOS
from sozialgraph.store.embedded import GRAPH_INFERRED

ID = BASE + "id/"

# kind -> the class whose instances are of that kind (first match wins), with its labels.
KINDS: dict[str, tuple[str, str, str]] = {
    "measure": (str(SG.Measure), "Maßnahme", "Measure"),
    "funding": (str(SG.Funding), "Förderung", "Funding"),
    "quantity": (str(SG.Quantity), "Mengenangabe", "Quantity"),
    "actor": (str(SG.Actor), "Akteur", "Actor"),
    "source": (str(SG.SourceDocument), "Quelldokument", "Source document"),
    "concept": (str(SKOS.Concept), "Begriff", "Concept"),
    "scheme": (str(SKOS.ConceptScheme), "Begriffsschema", "Concept scheme"),
}
# facet -> the properties whose values it lists (query parameter names: see FACET_PARAMETERS).
FACET_PROPERTIES: dict[str, tuple[str, ...]] = {
    "level": (str(SG.level),),
    "area": (str(SG.policyArea),),
    "target": (str(SG.targetGroup),),
    "source": (str(SG.sourceDocument),),
    "status": (str(SG.status),),
}
INHERITED = ("level", "area", "target")  # from the funded or counted measure
MEASURE_LINKS = (str(SG.fundedMeasure), str(SG.quantifiedMeasure))
NAMES = (str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel))
ABOUT = (str(SKOS.definition), str(SG.aim))
CONTEXT = (str(SG.jurisdiction), str(SG.responsibleActor), str(SG.implementingActor),
           str(SG.funder))


@dataclass
class Text:
    field: str  # "names", "about", "quotes" or "context"
    text: str
    lang: str  # "de", "en" or ""


@dataclass
class SearchDocument:
    iri: str
    kind: str
    types: list[str]  # asserted classes
    label_de: str | None = None
    label_en: str | None = None
    texts: list[Text] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)  # facet -> value IRIs


def _values(store: ox.Store, predicate: str, graph=None) -> Iterable[ox.Quad]:
    return store.quads_for_pattern(None, ox.NamedNode(predicate), None,
                                   graph if graph is not None else ox.DefaultGraph())


def _by_subject(store: ox.Store, predicate: str, graph=None) -> dict[str, list]:
    found: dict[str, list] = defaultdict(list)
    for quad in _values(store, predicate, graph):
        if isinstance(quad.subject, ox.NamedNode):
            found[quad.subject.value].append(quad.object)
    return found


def labels(store: ox.Store) -> dict[str, dict[str, str]]:
    """IRI -> language -> one label (rdfs:label, else skos:prefLabel; the smallest when several)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for predicate in (str(SKOS.prefLabel), str(RDFS.label)):  # rdfs:label wins
        chosen: dict[tuple[str, str], str] = {}
        for quad in _values(store, predicate):
            term = quad.object
            if isinstance(quad.subject, ox.NamedNode) and isinstance(term, ox.Literal):
                key = (quad.subject.value, term.language or "")
                if key not in chosen or term.value < chosen[key]:
                    chosen[key] = term.value
        for (iri, lang), text in chosen.items():
            found[iri][lang] = text
    return found


def _types(store: ox.Store, iri: str, graph) -> list[str]:
    return [q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), _RDF_TYPE, None,
                                                            graph)
            if isinstance(q.object, ox.NamedNode)]


_RDF_TYPE = ox.NamedNode(str(RDF.type))


def read_documents(store: ox.Store, label_map: dict[str, dict[str, str]] | None = None
                   ) -> list[SearchDocument]:
    """The search documents of `store`, in IRI order (`label_map`: `labels(store)`, if the
    caller has it already)."""
    label_map = labels(store) if label_map is None else label_map
    inferred = ox.NamedNode(GRAPH_INFERRED)
    documents: dict[str, SearchDocument] = {}
    for iri, by_lang in label_map.items():
        if not iri.startswith(ID):
            continue
        # the types of the labelled resources only (looked up one by one: far fewer than all
        # the rdf:type statements of evidence, amounts and selectors)
        own = sorted(set(_types(store, iri, ox.DefaultGraph())))
        types = {*own, *_types(store, iri, inferred)}
        kind = next((k for k, (cls, _, _) in KINDS.items() if cls in types), None)
        if kind is None:
            continue
        documents[iri] = SearchDocument(
            iri, kind, own, by_lang.get("de") or by_lang.get(""), by_lang.get("en"))

    for field_name, predicates in (("names", NAMES), ("about", ABOUT)):
        for predicate in predicates:
            for quad in _values(store, predicate):
                document = documents.get(quad.subject.value) \
                    if isinstance(quad.subject, ox.NamedNode) else None
                if document is not None and isinstance(quad.object, ox.Literal):
                    document.texts.append(Text(field_name, quad.object.value,
                                               quad.object.language or ""))

    for predicate in CONTEXT:  # asserted only: the inferred graph's funders are not the text's
        for iri, actors in _by_subject(store, predicate).items():
            document = documents.get(iri)
            for actor in actors if document is not None else ():
                for lang, text in label_map.get(actor.value, {}).items():
                    context = Text("context", text, lang)
                    if context not in document.texts:
                        document.texts.append(context)

    facets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for facet, predicates in FACET_PROPERTIES.items():
        for predicate in predicates:
            for iri, objects in _by_subject(store, predicate).items():
                if iri in documents:
                    facets[iri][facet].update(o.value for o in objects
                                              if isinstance(o, ox.NamedNode))
    _add_quotes(store, documents, facets)
    links = [(iri, measure) for predicate in MEASURE_LINKS
             for iri, objects in _by_subject(store, predicate).items() for measure in objects]
    for iri, measure in links:
        if iri in documents:
            for facet in INHERITED:
                if not facets[iri][facet]:
                    facets[iri][facet].update(facets.get(measure.value, {}).get(facet, ()))
    for iri, document in documents.items():
        document.facets = {"kind": [document.kind]} | {
            facet: sorted(facets.get(iri, {}).get(facet, ())) for facet in FACET_PROPERTIES}
    return [documents[iri] for iri in sorted(documents)]


def _add_quotes(store: ox.Store, documents: dict[str, SearchDocument],
                facets: dict[str, dict[str, set[str]]]) -> None:
    """Each document's evidence quotes, and the documents they quote as its source documents."""
    selectors = _by_subject_any(store, str(OA.hasSelector))
    exact = _by_subject_any(store, str(OA.exact))
    sources = _by_subject(store, str(OA.hasSource))
    for iri, evidence in _by_subject(store, str(SG.evidence)).items():
        document = documents.get(iri)
        if document is None:
            continue
        for piece in evidence:
            key = _key(piece)
            for source in sources.get(piece.value, ()) if isinstance(piece, ox.NamedNode) else ():
                if isinstance(source, ox.NamedNode):
                    facets[iri]["source"].add(source.value)
            for selector in selectors.get(key, ()):
                for text in exact.get(_key(selector), ()):
                    if isinstance(text, ox.Literal):
                        document.texts.append(Text("quotes", text.value, text.language or ""))


def _key(term) -> str:
    return str(term)


def _by_subject_any(store: ox.Store, predicate: str) -> dict[str, list]:
    """Like _by_subject, blank-node subjects included (keyed by their N-Triples form)."""
    found: dict[str, list] = defaultdict(list)
    for quad in _values(store, predicate):
        found[_key(quad.subject)].append(quad.object)
    return found


def facet_labels(label_map: dict[str, dict[str, str]], documents: list[SearchDocument]
                 ) -> dict[str, dict[str, str]]:
    """The labels (`labels(store)`) of every facet value and type the documents name
    (IRI -> language -> label)."""
    wanted = {v for d in documents for facet, values in d.facets.items() if facet != "kind"
              for v in values}
    wanted.update(t for d in documents for t in d.types)
    return {iri: by_lang for iri, by_lang in label_map.items() if iri in wanted}
