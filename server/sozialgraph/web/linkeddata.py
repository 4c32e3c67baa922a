"""Linked data: every IRI of the namespace https://w3id.org/sozialgraph/ answers at this server.

The namespace maps onto the server's own address (`public_base()`): a request for
`<server>/id/measure/kita-ausbau` describes `<https://w3id.org/sozialgraph/id/measure/kita-ausbau>`.
This blueprint owns `/id/...` (actors, measures, funding, quantities, evidence, sources, policy
areas, target groups, schemes), `/graph/<name>` and `/query/<slug>`; what a page shows is built
in `sozialgraph.web.views`, negotiation and responses come from `sozialgraph.web.http`.
`/ontology` and `/shapes` are in `termdocs`, the VoID description in `void`, the dumps and the
dataset's own IRI in `downloads`.

People get an HTML page, machines RDF, chosen by `Accept` (q-values), by the `format`
parameter or by a file extension (`/id/measure/kita-ausbau.ttl`). Without `Accept`, or with
`*/*` alone, the answer is HTML. The answer is direct (200, no 303): the IRIs are slash IRIs on
w3id.org, which redirects to this server, and the document answered is the description of the
resource. What a description holds is documented in `describe()` and in docs/linked-data.md.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, abort

from sozialgraph.rdf.formats import HTML
from sozialgraph.rdf.namespaces import BASE, GRAPH, QUERY
from sozialgraph.web import dataset, void
from sozialgraph.web.http import (
    PAGE_FORMATS,
    choose_format,
    endpoint_url,
    html_response,
    rdf_response,
    refuse,
    split_extension,
    ui_url,
)
from sozialgraph.web.pages import answer, not_found, resource_page
from sozialgraph.web.views import Description, labels_for

bp = Blueprint("linkeddata", __name__)


# --- Routes ------------------------------------------------------------------------------------

@bp.get("/id/", defaults={"rest": ""})
@bp.get("/id/<path:rest>")
def resource(rest: str):
    path, extension = split_extension("id/" + rest)
    return answer(BASE + path, extension)


@bp.get("/graph/<path:rest>")
def graph(rest: str):
    name, extension = split_extension(rest)
    iri = str(GRAPH[name])
    if iri not in dataset.graph_names():
        return not_found(iri, choose_format(PAGE_FORMATS, extension))
    return answer(iri, extension, known=True, extra=void.graph_triples(iri),
                  graph=void.graph_page(iri))


@bp.get("/query/<path:rest>")
def curated_query(rest: str):
    from sozialgraph.sparql.catalogue import load_catalogue

    slug, extension = split_extension(rest)
    iri = str(QUERY[slug])
    chosen = next((q for q in dataset.cached("catalogue", load_catalogue) if q.iri == iri), None)
    fmt = choose_format(PAGE_FORMATS, extension)
    if chosen is None:
        return not_found(iri, fmt)
    if fmt is None:
        refuse(PAGE_FORMATS, extension, "a curated query")
    triples = dataset.cached(f"query-triples:{slug}", lambda: _query_triples(chosen.slug))
    if fmt is not HTML:
        return rdf_response(triples, fmt)
    description = Description(iri, outgoing=triples)
    description.label_map = labels_for({t.predicate.value for t in triples} | {iri})
    for lang, title in chosen.title.items():
        description.label_map.setdefault(iri, {})[lang] = title
    page = resource_page(description, query={
        "text": chosen.text, "kind": chosen.kind, "keywords": chosen.keywords,
        "title": chosen.title, "description": chosen.description,
        "ui": ui_url(curated=chosen.slug), "json": endpoint_url(chosen.text),
        "csv": endpoint_url(chosen.text, "csv")})
    page["graphs"] = []
    return html_response("resource.html", page=page)


def _query_triples(slug: str) -> list[ox.Triple]:
    """The triples of the query's file in queries/ (curated queries are not in the store)."""
    from sozialgraph.settings import QUERIES_DIR

    for path in sorted(QUERIES_DIR.glob("*.ttl")):
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
        if any(t.subject == ox.NamedNode(str(QUERY[slug])) for t in triples):
            return triples
    abort(404)
