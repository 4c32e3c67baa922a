"""The curated queries the charts of /explore draw from, checked by their actual answer on the
real graph: query 19 (money by year, new for the timeline) and what the charts added to queries
11 (the IRIs of level and status) and 14 (who funds and implements, with IRIs). Kept apart from
tests/test_queries.py, which tests every other query's answer.
"""

from __future__ import annotations

from decimal import Decimal

from projectdata import project_graph, select

from sozialgraph.rdf.namespaces import SG
from sozialgraph.sparql.catalogue import load_catalogue

CATALOGUE = {q.slug: q for q in load_catalogue()}


def run(slug: str) -> list[dict]:
    return select(CATALOGUE[slug].text)


def local(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1] if iri else None


def test_money_by_year():
    """Every amount a text dates, from 2016 on, once, with its years as the text gives them:
    the increases of the double budget 2018/19 in their years, 'seit 2020' without a last
    year, 'bis 2025' without a first, the hospitals' 'fast 1 Milliarde' over 2023 and 2024 as
    one sum (never spread over the years); yearly amounts without a year are not here."""
    rows = [(local(r["funding"]), r["amount"], r["qualifier"], r["periodicity"], r["periodType"],
             r["fromYear"], r["toYear"], r["budget"], local(r["increases"]))
            for r in run("money-by-year")]
    assert rows == [
        ("kofab-hessen-erhoehung-2018", Decimal(290_000), "exact", "in total", "in one year",
         2018, 2018, "2018/19", "kofab-hessen-195000"),
        ("sozialbudget-erhoehung-2018", Decimal(2_030_000), "exact", "in total", "in one year",
         2018, 2018, "2018/19", "sozialbudget-kommunalisierung"),
        ("kofab-hessen-erhoehung-2019", Decimal(540_000), "exact", "in total", "in one year",
         2019, 2019, "2018/19", "kofab-hessen-195000"),
        ("sozialbudget-erhoehung-2019", Decimal(4_100_000), "exact", "in total", "in one year",
         2019, 2019, "2018/19", "sozialbudget-kommunalisierung"),
        ("fachkraefteoffensive-erzieher-seit-2020", Decimal(110_000_000), "exact", "in total",
         "since a year", 2020, None, None, None),
        ("frauenschutzsystem-2022", Decimal(10_000_000), "about", "in total", "in one year",
         2022, 2022, None, None),
        ("krankenhausinvestitionen-2023-2024", Decimal(1_000_000_000), "almost", "in total",
         "year range", 2023, 2024, None, None),
        ("vielfaltszentren-bis-2025", Decimal(15_000_000), "more than", "in total",
         "until a year", None, 2025, None, None),
    ]
    assert [r["year"] for r in run("money-by-year")] == [2018, 2018, 2019, 2019, 2020, 2022,
                                                          2023, 2025]  # the first year given
    quotes = {local(r["funding"]): r["quotes"] for r in run("money-by-year")}
    assert "für 2019" in quotes["sozialbudget-erhoehung-2019"]
    assert "Seit 2020 wurden 110 Millionen Euro" in quotes["fachkraefteoffensive-erzieher-seit-2020"]


def test_money_by_year_misses_no_dated_fact():
    """Recomputed with rdflib: every designated funding statement with a year (2016 or later,
    or open-ended) is a row."""
    graph = project_graph()
    expected = set()
    for funding in graph.subjects(SG.fundedMeasure, None):
        if (funding, SG.restates, None) in graph or (funding, SG.partOfTotal, None) in graph:
            continue
        start, end = graph.value(funding, SG.periodStart), graph.value(funding, SG.periodEnd)
        if start is None and end is None:
            continue
        if end is not None and int(str(end)) < 2016:
            continue
        expected.add(str(funding))
    assert {r["funding"] for r in run("money-by-year")} == expected


def test_measures_by_status_and_level_name_their_terms():
    rows = {(r["level"], r["status"]): (local(r["levelTerm"]), local(r["statusTerm"]))
            for r in run("measures-by-status-and-level")}
    assert {term.rsplit("#")[-1] for pair in rows.values() for term in pair} == {
        "MunicipalLevel", "StateLevel", "Ongoing", "Pledged", "Done"}
    assert rows["state level", "reported as done"] == ("ontology#StateLevel", "ontology#Done")


def test_actor_network_funds_implements_and_belongs():
    """Who funds (each designated fact's funder, to the measure and the recipients the text
    names), who implements, who belongs to whom; both ends and the relation as IRIs."""
    rows = run("actor-network")
    edges = {(local(r["from"]), local(r["property"]).rsplit("#")[-1], local(r["to"]))
             for r in rows}
    assert len(rows) == len(edges) == 48
    relations = [p for _, p, _ in edges]
    assert {p: relations.count(p) for p in set(relations)} == {
        "funds": 18, "implements": 12, "subOrganisationOf": 7, "establishedBy": 5,
        "postIn": 3, "memberOf": 2, "heldBy": 1}
    assert ("land-hessen", "funds", "krankenhausinvestitionen") in edges
    assert ("land-hessen", "funds", "krankenhaeuser-hessen") in edges  # a recipient the text names
    assert ("landesregierung-hessen", "funds", "kita-ausbau") in edges  # the funder as named
    assert ("lag-soziale-brennpunkte", "implements", "servicestelle-gemeinwesenarbeit") in edges
    assert ("hmsi", "subOrganisationOf", "landesregierung-hessen") in edges
    # the relations as tests/test_queries.py reads them
    labelled = {(r["fromLabel"], r["relation"], r["toLabel"]) for r in rows}
    assert ("SPD Kassel", "member of", "Grün-rote Koalition in Kassel 2021") in labelled
    assert ("Land Hessen", "funds", "WIR-Vielfaltszentren") in labelled
