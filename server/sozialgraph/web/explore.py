"""/explore: pictures of the graph for people who would rather look than read.

Each chart is drawn from one curated query of queries/ (the catalogue), evaluated by the same
executor that answers /sparql (a query worker, the time limit, the row limit, the default
graph /sparql uses), as a SPARQL 1.1 JSON result. The page carries that result as a JSON data
block, and static/explore.js draws the chart from it with Observable Plot (and d3's force layout
for the network), both served from static/vendor; nothing is fetched from another host. Beneath
each chart the same rows stand as an HTML table (with caption and column headers) that screen
readers read and that works without JavaScript; beside it a link opens the query in /ui and
another downloads the endpoint's CSV answer. Why the server runs the queries rather than the
page: docs/decisions.md, "The /explore charts".

The store does not change while it is open, so each answer is kept per process (a failed one is
not kept: the next request tries again). Titles, notes and column headers are in English and
German (`?lang=`, else Accept-Language, as on the landing page); names of policy areas, actors
and measures come from their rdfs:label in the page's language.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, current_app, render_template, url_for

from sozialgraph.rdf.namespaces import BASE, SG
from sozialgraph.sparql.executor import Answer, QueryTask
from sozialgraph.web import dataset
from sozialgraph.web.http import endpoint_url, finish, local_url, public_base, ui_url
from sozialgraph.web.ui import catalogue, language
from sozialgraph.web.views import labels_for

bp = Blueprint("explore", __name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + name for name in ("integer", "decimal", "double", "float", "long", "int")}


@dataclass(frozen=True)
class Column:
    var: str  # the query's variable
    en: str
    de: str
    kind: str = "text"  # text, term (an ontology label, in the page's language), number, money
    link: str | None = None  # the variable whose IRI the cell links to

    def header(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


@dataclass(frozen=True)
class Chart:
    key: str  # the section's id
    slug: str  # the curated query it is drawn from
    kind: str  # how explore.js draws it
    title: dict[str, str]
    note: dict[str, str]
    columns: tuple[Column, ...]


AREA = Column("areaLabel", "Policy area", "Politikfeld", link="area")
CHARTS = (
    Chart("funding-by-area", "funding-by-policy-area", "areas",
          {"en": "Funding per policy area", "de": "Förderung je Politikfeld"},
          {"en": "Sums of the funding facts per policy area, in three charts that are never "
                 "added together: amounts per year, one-off amounts (in total, over a period or "
                 "at once) and amounts whose period the text does not state. Each fact counts "
                 "once; increases are not added to their base.",
           "de": "Summen der Förderungen je Politikfeld, in drei Diagrammen, die nie addiert "
                 "werden: jährliche Beträge, einmalige Beträge (insgesamt, über einen Zeitraum "
                 "oder auf einmal) und Beträge, deren Zeitraum der Text nicht nennt. Jede "
                 "Tatsache zählt einmal; Erhöhungen werden nicht zu ihrem Grundbetrag addiert."},
          (AREA, Column("periodicity", "Periodicity", "Periodizität", "term"),
           Column("total", "Sum (€)", "Summe (€)", "money"),
           Column("fundings", "Funding facts", "Förderungen", "number"),
           Column("qualifiedAmounts", "of them qualified (about, at most, …)",
                  "davon mit Einschränkung (rund, bis zu, …)", "number"))),
    Chart("land-and-kassel", "land-and-kassel-side-by-side", "side-by-side",
          {"en": "Land Hessen and Stadt Kassel side by side",
           "de": "Land Hessen und Stadt Kassel nebeneinander"},
          {"en": "Measures per policy area: those the Land's documents report, those Kassel's "
                 "coalition agreement names as the coalition's, and, apart, the SPD's election "
                 "points the agreement reproduces.",
           "de": "Maßnahmen je Politikfeld: die die Dokumente des Landes nennen, die der Kasseler "
                 "Koalitionsvertrag als Maßnahmen der Koalition nennt, und getrennt davon die "
                 "Punkte aus dem Wahlprogramm der SPD, die der Vertrag wiedergibt."},
          (AREA, Column("landHessen", "Land Hessen", "Land Hessen", "number"),
           Column("stadtKassel", "Stadt Kassel (coalition)", "Stadt Kassel (Koalition)", "number"),
           Column("spdKassel", "SPD Kassel (election points)", "SPD Kassel (Wahlprogramm)",
                  "number"))),
    Chart("money-by-year", "money-by-year", "timeline",
          {"en": "Money over the years, from 2016", "de": "Geld im Lauf der Jahre, ab 2016"},
          {"en": "Every amount a text dates, at the years the text gives: in one year, over a "
                 "range of years, since a year (no end given) or until a year (no start given). "
                 "Amounts are neither spread over years nor added up. Yearly amounts that no "
                 "text dates are in the first chart and in query 01.",
           "de": "Jeder Betrag, den ein Text datiert, in den Jahren, die der Text nennt: in "
                 "einem Jahr, über mehrere Jahre, seit einem Jahr (ohne Ende) oder bis zu einem "
                 "Jahr (ohne Anfang). Beträge werden weder auf Jahre verteilt noch addiert. "
                 "Jährliche Beträge, die kein Text datiert, stehen im ersten Diagramm und in "
                 "Abfrage 01."},
          (Column("measureLabel", "Measure", "Maßnahme", link="measure"),
           Column("amount", "Amount (€)", "Betrag (€)", "money", link="funding"),
           Column("qualifier", "Qualifier", "Genauigkeit", "term"),
           Column("periodType", "Period", "Zeitraum", "term"),
           Column("fromYear", "From", "Von"), Column("toYear", "To", "Bis"),
           Column("budget", "Double budget", "Doppelhaushalt"),
           Column("increases", "Increase of", "Erhöhung von", link="increases"))),
    Chart("status-and-level", "measures-by-status-and-level", "status",
          {"en": "Measures by status and level", "de": "Maßnahmen nach Stand und Ebene"},
          {"en": "How many measures each level reports as done or ongoing, names as planned, "
                 "or pledges.",
           "de": "Wie viele Maßnahmen jede Ebene als umgesetzt oder laufend berichtet, als "
                 "geplant nennt oder zusagt."},
          (Column("level", "Level", "Ebene", "term", link="levelTerm"),
           Column("status", "Status", "Stand", "term", link="statusTerm"),
           Column("measures", "Measures", "Maßnahmen", "number"))),
    Chart("actor-network", "actor-network", "network",
          {"en": "Who funds, implements or belongs to whom",
           "de": "Wer wen fördert, was durchführt oder zu wem gehört"},
          {"en": "Actors (circles) and the measures they fund or implement (squares); lines "
                 "are the relations the texts state.",
           "de": "Akteure (Kreise) und die Maßnahmen, die sie fördern oder durchführen "
                 "(Quadrate); Linien sind die Beziehungen, die die Texte nennen."},
          (Column("fromLabel", "From", "Von", link="from"),
           Column("relation", "Relation", "Beziehung", "term", link="property"),
           Column("toLabel", "To", "Zu", link="to"))),
)

# The page's own words.
WORDS = {
    "en": {"title": "Explore the graph", "ui": "Open the query in the query UI",
           "csv": "Download the answer (CSV)", "about": "About the query",
           "subtitle": "Pictures drawn from the curated queries: each chart's numbers are the "
                       "answer /sparql gives to its query, and the table beneath gives them as "
                       "text. Select a bar, line or circle to open what it stands for.",
           "unavailable": "The answer is not available at the moment",
           "table": "The numbers of the chart", "loading": "Drawing the chart …",
           "nojs": "The charts need JavaScript; the tables give the same numbers.",
           "languages": "Language", "contents": "Charts"},
    "de": {"title": "Den Graphen erkunden", "ui": "Die Abfrage in der Abfrageoberfläche öffnen",
           "csv": "Die Antwort herunterladen (CSV)", "about": "Über die Abfrage",
           "subtitle": "Bilder aus den kuratierten Abfragen: die Zahlen jedes Diagramms sind die "
                       "Antwort von /sparql auf seine Abfrage, und die Tabelle darunter nennt sie "
                       "als Text. Ein Balken, eine Linie oder ein Kreis öffnet, wofür er steht.",
           "unavailable": "Die Antwort ist im Moment nicht verfügbar",
           "table": "Die Zahlen des Diagramms", "loading": "Das Diagramm wird gezeichnet …",
           "nojs": "Die Diagramme brauchen JavaScript; die Tabellen nennen dieselben Zahlen.",
           "languages": "Sprache", "contents": "Diagramme"},
}

class _NotAnswered(Exception):
    pass


def answer_of(slug: str, ran: list[str] | None = None) -> dict[str, Any] | None:
    """The SPARQL JSON result of the curated query `slug`, evaluated as /sparql evaluates it and
    kept per process (None when it could not be answered now: busy, over the time limit, no
    store; that is not kept). A query that runs is added to `ran`."""
    def compute() -> dict[str, Any]:
        query = next(q for q in catalogue() if q.slug == slug)
        task = QueryTask(query.text, None, None,
                         bool(current_app.config["INCLUDE_INFERRED_DEFAULT"]), "json", None,
                         int(current_app.config["MAX_RESULT_ROWS"]),
                         base_iri=public_base() + "sparql")
        if ran is not None:
            ran.append(slug)
        outcome = dataset.query_executor().run(task)
        if not isinstance(outcome, Answer):
            raise _NotAnswered(outcome.message)
        return json.loads(outcome.body)

    try:
        return dataset.cached(f"explore:{slug}", compute)
    except _NotAnswered as error:
        current_app.logger.warning("/explore: %s not answered: %s", slug, error)
        return None


def term_labels() -> dict[str, str]:
    """English label -> German label of the ontology's terms (periodicities, levels, statuses,
    relations, …), which the queries give in English."""
    def compute() -> dict[str, str]:
        rows = dataset.select(f"""SELECT ?en ?de WHERE {{ ?t rdfs:label ?en , ?de .
            FILTER (STRSTARTS(STR(?t), "{SG}") && lang(?en) = "en" && lang(?de) = "de") }}""")
        return {row["en"].value: row["de"].value for row in rows}
    return dataset.cached("explore:terms", compute)


def names_for(results: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """rdfs:label (or skos:prefLabel) by language of every IRI in the answers."""
    iris = {cell["value"] for result in results for row in result["results"]["bindings"]
            for cell in row.values() if cell["type"] == "uri"}
    names = labels_for(iris)
    missing = sorted(iri for iri in iris if iri not in names and iri.startswith(BASE))
    if missing:
        values = " ".join(f"<{iri}>" for iri in missing)
        for row in dataset.select(f"SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} "
                                  "?x skos:prefLabel ?label }"):
            names.setdefault(row["x"].value, {}).setdefault(row["label"].language or "",
                                                            row["label"].value)
    return names


def table_rows(chart: Chart, result: dict[str, Any], lang: str, names, terms) -> list[list[dict]]:
    """The rows of a chart's table: for each column a cell (text, number, link)."""
    rows = []
    for binding in result["results"]["bindings"]:
        cells = []
        for column in chart.columns:
            cell = binding.get(column.var)
            value = cell["value"] if cell else ""
            text, number = value, None
            if column.kind in ("number", "money") and cell:
                number = _number(value)
                text = format_number(number, lang) if number is not None else value
            elif column.kind == "term" and lang == "de":
                text = terms.get(value, value)
            target = binding.get(column.link or "", {}) if column.link else {}
            href = None
            if target.get("type") == "uri":
                href = local_url(target["value"])
                if column.kind == "text":
                    text = names.get(target["value"], {}).get(lang) or text
            cells.append({"text": text, "value": value, "number": number, "href": href,
                          "numeric": column.kind in ("number", "money")})
        rows.append(cells)
    return rows


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def format_number(number: Decimal, lang: str) -> str:
    """1,000,000 in English, 1.000.000 in German (decimals as the query gives them)."""
    text = f"{int(number):,}" if number == number.to_integral() else f"{number:,f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") if lang == "de" else text


@bp.route("/explore")
def explore():
    lang = language()
    queries = {q.slug: q for q in catalogue()}
    began, ran = time.perf_counter(), []
    results = {chart.slug: answer_of(chart.slug, ran) for chart in CHARTS}
    spent = (time.perf_counter() - began) * 1000
    answered = [r for r in results.values() if r is not None]
    names, terms = names_for(answered), term_labels()
    sections = []
    for chart in CHARTS:
        query, result = queries[chart.slug], results[chart.slug]
        sections.append({
            "key": chart.key, "slug": chart.slug, "kind": chart.kind,
            "title": chart.title[lang], "note": chart.note[lang],
            "query_title": query.title_in(lang),
            "ui": ui_url(curated=chart.slug), "csv": endpoint_url(query.text, "csv"),
            "about": url_for("linkeddata.curated_query", rest=chart.slug),
            "headers": [c.header(lang) for c in chart.columns],
            "numeric": [c.kind in ("number", "money") for c in chart.columns],
            "rows": table_rows(chart, result, lang, names, terms) if result else None,
            "result": result,
        })
    config = {"lang": lang, "namespace": BASE, "base": public_base(), "names": names,
              "terms": terms if lang == "de" else {},
              "charts": [{"key": c.key, "slug": c.slug, "kind": c.kind} for c in CHARTS]}
    page = render_template("explore.html", sections=sections, config=config, words=WORDS[lang],
                           lang=lang, text_lang=lang)
    response = current_app.response_class(page, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept-Language"
    finish(response, negotiated=False)  # an ETag, and 304 for a conditional GET
    # how many of the charts' queries this request ran (the rest were kept from before), and
    # how long getting the answers took (the speed benchmark tells cold loads apart by it)
    response.headers["Server-Timing"] = f'queries;dur={spent:.1f};desc="{len(ran)} run"'
    return response
