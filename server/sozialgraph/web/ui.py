"""Pages for people: the landing page at / and the query UI at /ui.

The query UI is YASGUI (@zazuko/yasgui from the npm registry, served from static/vendor/), set up
by static/ui.js with the configuration this module writes into the page: the endpoint (/sparql on
this server), every curated query of queries/ as a named tab with its description, and what the
URL asks for (`?query=<slug>` opens that tab, `?q=<SPARQL>` a fresh tab with that text). Nothing
is fetched from another host: no CDN, no prefix.cc, no LOV (see ui.js).

The landing page says what the dataset is, shows a few figures counted in the store (once per
process and store), and links to everything the server offers.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Response, render_template, request, url_for

from sozialgraph.rdf.namespaces import BASE
from sozialgraph.sparql.catalogue import CuratedQuery, load_catalogue
from sozialgraph.store.embedded import query as store_query
from sozialgraph.store.handle import StoreUnavailable
from sozialgraph.web import dataset
from sozialgraph.web.dataset import store_handle
from sozialgraph.web.http import public_base

bp = Blueprint("ui", __name__)
LANGUAGES = ("en", "de")

# What the landing page counts: (key, class). Classes are matched with their subclasses through
# the ontology's rdfs:subClassOf, which is part of the default graph.
FIGURES = (("measures", "Measure"), ("fundings", "Funding"), ("sources", "SourceDocument"),
           ("actors", "Actor"), ("evidence", "Evidence"))
_VALUES = " ".join(f'("{key}" sg:{cls})' for key, cls in FIGURES)
FIGURES_QUERY = f"""PREFIX sg: <https://w3id.org/sozialgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?key (COUNT(DISTINCT ?x) AS ?n)
WHERE {{
  VALUES (?key ?class) {{ {_VALUES} }}
  ?x a/rdfs:subClassOf* ?class .
}}
GROUP BY ?key"""



@cache
def catalogue() -> tuple[CuratedQuery, ...]:
    """The curated queries, read once per process."""
    return tuple(load_catalogue())


def language() -> str:
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="en")


def figures() -> dict[str, int] | None:
    """Triples and counts of measures, fundings, sources, actors and evidence; None when the
    store is not available. Counted once per process and app (the store does not change while
    it is open)."""
    handle = store_handle()

    def count() -> dict[str, int]:
        counts = {key: 0 for key, _ in FIGURES}
        for row in store_query(handle.get(), FIGURES_QUERY):
            counts[row["key"].value] = int(row["n"].value)
        counts["triples"] = handle.default_graph_size(False)
        return counts

    try:
        return dataset.cached("figures", count)
    except StoreUnavailable:
        return None


@bp.route("/")
def index():
    lang = language()
    page = render_template("index.html", figures=figures(), queries=catalogue(), text_lang=lang,
                           endpoint_url=public_base() + "sparql")
    return _html(page, vary="Accept-Language")


@bp.route("/ui")
def query_ui():
    lang = language()
    queries = catalogue()
    wanted = request.args.get("query")
    slugs = {q.slug for q in queries}
    status, notice = 200, None
    if wanted is not None and wanted not in slugs:
        status, notice = 404, f"There is no curated query named “{wanted}”."
        wanted = None
    config = {
        "endpoint": url_for("sparql.endpoint"),  # relative: ui.js resolves it against the page
        "namespace": BASE, "base": public_base(),  # project IRIs in results link to this server
        "queries": [{"slug": q.slug, "title": q.title_in(lang),
                     "description": q.description_in(lang), "keywords": list(q.keywords),
                     "text": q.text} for q in queries],
        "select": wanted,
        "sparql": request.args.get("q"),
        "lang": lang,  # of the titles and descriptions
        "labels": {"own": "Own query" if lang == "en" else "Eigene Abfrage"},
    }
    page = render_template("ui.html", config=config, queries=queries, text_lang=lang,
                           endpoint_url=public_base() + "sparql",
                           notice=notice)
    return _html(page, status, vary="Accept-Language")


def _html(page: str, status: int = 200, vary: str | None = None) -> Response:
    response = Response(page, status, content_type="text/html; charset=utf-8")
    if vary:
        response.headers["Vary"] = vary
    return response
