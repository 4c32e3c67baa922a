"""Every curated query checked by its actual answer on the real graph.

The expected values were read off the source documents (amounts, counts, partners); where a query
aggregates, the test also recomputes the answer independently with rdflib where that is simple.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from projectdata import corpus_present, project_graph, select
from rdflib import URIRef
from rdflib.namespace import SKOS

from sozialgraph.corpus import document_text
from sozialgraph.rdf.namespaces import MEASURE, SG, TARGET_GROUP
from sozialgraph.sparql.catalogue import load_catalogue

CATALOGUE = {q.slug: q for q in load_catalogue()}
M = str(MEASURE)


def run(slug: str) -> list[dict]:
    return select(CATALOGUE[slug].text)


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_catalogue_is_complete_and_described():
    assert len(CATALOGUE) >= 12
    for query in CATALOGUE.values():
        assert query.title.get("en") and query.title.get("de"), query.slug
        assert query.description.get("en") and query.description.get("de"), query.slug
        assert query.keywords, query.slug
        assert query.kind == "select"


def test_funding_per_year():
    """Each yearly fact once, with every quote of the statements that state it: the 5 million a
    year for the schools of the health professions are stated three times (twice on one page),
    the 250,000 twice (caption and text); each is one row."""
    rows = run("funding-per-year")
    facts = [(local(r["measure"]), r["amount"], r["qualifier"], r["statements"]) for r in rows]
    assert sorted(facts) == sorted([
        ("foerderung-kinderbetreuung", Decimal(10**9), "more than", 2),
        ("foerderung-schulen-gesundheitsfachberufe", Decimal(5 * 10**6), "at most", 2),
        ("landesprogramm-gemeinwesenarbeit", Decimal(4_500_000), "exact", 1),
        ("rechtsberatung-erstaufnahme", Decimal(250_000), "exact", 1),
    ])
    quotes = {local(r["funding"]): r["quotes"].split(" | ") for r in rows}
    assert len(quotes["schulen-gesundheitsfachberufe-bis-zu-5-mio"]) == 3
    assert len(quotes["rechtsberatung-erstaufnahme-jaehrlich"]) == 2
    assert "Mit einer Milliarde Euro investiert die Landesregierung massiv in diese " \
        "Zukunftsaufgabe" in quotes["kinderbetreuung-jaehrlich-ueber-1-mrd"]
    for row in rows:
        assert re.search("jährlich", row["quotes"], re.IGNORECASE), row["quotes"]
        assert row["periodStart"] is None and row["periodEnd"] is None
        assert len(row["positions"].split()) == len(row["quotes"].split(" | "))


@pytest.mark.skipif(not corpus_present(), reason="corpus folder not present")
def test_funding_per_year_is_complete_against_the_land_documents():
    """Every money expression in a Land document next to the word 'jährlich' ("jährlich bis zu
    fünf Millionen Euro", "250.000 Euro jährlich") is covered by a quote of the answer: the answer
    misses no yearly funding the documents state."""
    from test_corpus_coverage import MONEY

    rows = run("funding-per-year")
    spans = set()
    for row in rows:  # "<source>#char=<start>,<end>" (RFC 5147) for every quote of a fact
        for position in row["positions"].split():
            source, _, span = position.partition("#char=")
            start, end = span.split(",")
            spans.add((source, int(start), int(end)))
    files = {r["s"]: r["f"] for r in select(
        "PREFIX sg: <https://w3id.org/sozialgraph/ontology#> "
        "SELECT ?s ?f { ?s sg:corpusFile ?f ; sg:level sg:StateLevel }")}
    for source, file in files.items():
        text = document_text(file)
        for match in MONEY.finditer(text):
            context = text[max(0, match.start() - 25) : match.end() + 12]
            if "jährlich" not in context.lower():
                continue
            assert any(s == source and a <= match.start() and match.end() <= b
                       for s, a, b in spans), f"{file}: {match.group(0)!r} in {context!r}"


def test_funding_by_policy_area():
    totals = {(r["areaLabel"], r["periodicity"]): r["total"] for r in run("funding-by-policy-area")}
    assert totals == {
        # the billion a year; "Mit einer Milliarde" restates it and is not added again
        ("Familienpolitik", "per year"): Decimal(10**9),
        ("Familienpolitik", "in total"): Decimal(110_000_000),     # Fachkräfteoffensive since 2020
        ("Familienpolitik", "not stated"): Decimal(169_000_000),   # Kita-Ausbau, "Hinzu kommen"
        ("Integrationspolitik", "per year"): Decimal(250_000),
        ("Integrationspolitik", "in total"): Decimal(15_000_000),  # Vielfaltszentren until 2025
        ("Integrationspolitik", "not stated"): Decimal(4_700_000),  # MitSprache
        ("Sozialpolitik", "per year"): Decimal(4_500_000),
        ("Sozialpolitik", "in total"): Decimal(10_000_000),        # Frauenschutzsystem
        # the social budget's 19,2 Mio and KoFaB's 195.000 without a period; their increases
        # (2,03 + 4,1 Mio, 290.000 + 540.000) are left out, never added to their base
        ("Sozialpolitik", "not stated"): Decimal(19_395_000),
        ("Gesundheitspolitik", "in total"): Decimal(1_054_000_000),  # hospitals + Sofortprogramm
        ("Arbeitsmarktpolitik", "per year"): Decimal(5_000_000),   # one flow, stated three times
        ("Arbeitsmarktpolitik", "in total"): Decimal(164_000_000),  # 110 Mio + 54 Mio
        ("Pflegepolitik", "per year"): Decimal(5_000_000),
    }


def test_measures_for_refugees_include_narrower_target_groups():
    graph = project_graph()
    refugees = URIRef(TARGET_GROUP["gefluechtete"])
    narrower = {refugees} | set(graph.transitive_subjects(SKOS.broader, refugees))
    expected = {str(m) for tg in narrower for m in graph.subjects(SG.targetGroup, tg)
                if str(m).startswith(M)}
    rows = run("measures-for-refugees")
    assert {r["measure"] for r in rows} == expected
    assert {"erstaufnahmeeinrichtung-hessen", "mitsprache-deutsch4u", "rechtsberatung-erstaufnahme",
            "dezentrale-unterbringung-gefluechteter", "sicherer-hafen-kassel"} <= {
        local(r["measure"]) for r in rows}
    assert {r["level"] for r in rows} == {"state level", "municipal level"}


def test_who_funds_what():
    rows = run("who-funds-what")
    assert len(rows) == sum(1 for _ in project_graph().subjects(
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SG.Funding))
    triples = {(r["funderLabel"], r["measureLabel"], r["amount"]) for r in rows}
    assert ("Land Hessen", "KoFaB-Hessen", Decimal(195_000)) in triples
    assert ("Hessische Landesregierung", "Kita-Ausbau", Decimal(169_000_000)) in triples
    assert ("Land Hessen", "Investitionen in Hessens Krankenhäuser", Decimal(10**9)) in triples
    assert [r["amount"] for r in rows if r["funderLabel"] == "Land Hessen"] == sorted(
        (r["amount"] for r in rows if r["funderLabel"] == "Land Hessen"), reverse=True)


def test_kassel_pledges_by_policy_area():
    """The coalition's and the SPD's pledges apart: the SPD's 14 places in the women's shelter
    are the SPD's alone, never the coalition's."""
    rows = {(r["areaLabel"], local(r["pledgedBy"])): r
            for r in run("kassel-pledges-by-policy-area")}
    coalition, spd = "koalition-kassel-2021", "spd-kassel"
    assert rows["Gemeinwesenarbeit und Quartiersentwicklung", coalition]["pledges"] == 10
    assert rows["Gemeinwesenarbeit und Quartiersentwicklung", spd]["pledges"] == 2
    # the Quartiersansatz, the Stadtteiltreffs and the Soziale Beratung run and are to be
    # strengthened or developed further: pledges, and continuations
    assert rows["Gemeinwesenarbeit und Quartiersentwicklung", coalition]["continuations"] == 3
    # the Teilhabecard exists; only its extension is pledged
    assert rows["Armutsbekämpfung", coalition]["continuations"] == 1
    # "über den Förderzeitraum weiter finanzieren": three projects, two named, go on
    assert rows["Integration in Arbeit", coalition]["continuations"] == 5
    assert rows["Sucht- und Drogenpolitik", coalition]["continuations"] == 3
    assert sum(r["continuations"] for (_, who), r in rows.items() if who == spd) == 1
    assert rows["Gewaltschutz", coalition]["continuations"] == 0
    assert rows["Gewaltschutz", coalition]["pledges"] == 3
    assert rows["Gewaltschutz", spd]["pledges"] == 3
    assert "Umsetzung der Istanbul-Konvention" in rows["Gewaltschutz", coalition]["measures"]
    assert "Umsetzung der Istanbul-Konvention" not in rows["Gewaltschutz", spd]["measures"]
    assert "14" in rows["Gewaltschutz", spd]["measures"]
    assert "14" not in rows["Gewaltschutz", coalition]["measures"]
    assert "Mittendrin! Teilhabecard" in rows["Armutsbekämpfung", coalition]["measures"]
    assert "Landesprogramm Gemeinwesenarbeit" not in rows[
        "Gemeinwesenarbeit und Quartiersentwicklung", coalition]["measures"]


def test_land_and_kassel_side_by_side():
    rows = {r["areaLabel"]: (r["landHessen"], r["stadtKassel"], r["spdKassel"])
            for r in run("land-and-kassel-side-by-side")}
    assert set(rows) == {"Sozialpolitik", "Familienpolitik", "Integrationspolitik",
                         "Gesundheitspolitik", "Pflegepolitik", "Arbeitsmarktpolitik"}
    # the "Konzept zur Gewinnung von Erzieherinnen und Erziehern" (002) is a measure of its own,
    # no longer merged into the Fachkräfteoffensive that page never names
    assert rows["Familienpolitik"] == (20, 4, 0)
    # the SPD's points are measures of their own, counted apart from the coalition's
    # (docs/model.md): its 14 shelter places, housing after the shelter, prevention in the
    # districts, social planning, the pact against poverty, the participation card … (social
    # policy); the GNH in public hands, the medical care centres, drug policy (health)
    assert rows["Gesundheitspolitik"] == (16, 17, 3)
    # the campaign "Hessen. Da geht noch was." has its three activities as measures
    assert rows["Sozialpolitik"] == (36, 22, 12)
    assert sum(spd for _, _, spd in rows.values()) == 17


def test_funding_with_quotes():
    rows = run("funding-with-quotes")
    assert len({r["funding"] for r in rows}) == 19
    assert len({r["fact"] for r in rows}) == 17  # two restate another document's statement
    assert len(rows) == 22  # three fundings are stated twice (graphic caption and text)
    if corpus_present():
        files = {r["t"]: r["f"] for r in select(
            "PREFIX sg: <https://w3id.org/sozialgraph/ontology#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            "SELECT ?t ?f { ?s sg:corpusFile ?f ; dct:title ?t FILTER(lang(?t) = 'de') }")}
        for r in rows:
            assert document_text(files[r["document"]])[r["start"]:r["end"]] == r["quote"]


def test_measures_without_funding():
    rows = {local(r["measure"]) for r in run("measures-without-funding")}
    funded = {"foerderung-kinderbetreuung", "kita-ausbau", "rechtsberatung-erstaufnahme",
              "landesprogramm-gemeinwesenarbeit", "kofab-hessen", "wir-vielfaltszentren"}
    assert not rows & funded
    assert {"frauenhaus-kassel", "fruehe-hilfen", "humanitaere-sprechstunde"} <= rows
    assert "erstaufnahmeeinrichtung-hessen" not in rows  # its part, the legal advice, is funded
    assert len(rows) == 136


def test_actors_with_identifiers():
    rows = {local(r["actor"]): (r["wikidata"], r["nuts"], r["officialKey"])
            for r in run("actors-with-identifiers")}
    assert rows == {
        "land-hessen": ("http://www.wikidata.org/entity/Q1199", "DE7", "06"),
        "stadt-kassel": ("http://www.wikidata.org/entity/Q2865", "DE731", "06611000"),
        "vereinte-nationen": ("http://www.wikidata.org/entity/Q1065", None, None),
    }


def test_quantities():
    """Each count once: the 33 WIR-Vielfaltszentren (21 and 12 of them are parts, its caption
    repeats it) are one row with three statements, the 24 projects (caption and text) one."""
    rows = run("quantities")
    counted = sorted((r["value"], r["unit"]) for r in rows)
    assert counted == sorted([
        (3000, "Platz"), (1400, "Ausbildungsplatz"), (14, "Platz"), (18, "Lernclip"),
        (21, "Landkreis"), (5, "kreisfreie Stadt"), (24, "Projekt"), (32, "Quartier"),
        (33, "Zentrum"),
    ])
    (centres,) = [r for r in rows if r["unit"] == "Zentrum"]
    assert centres["statements"] == 3 and len(centres["quotes"].split(" | ")) == 4
    assert sum(r["value"] for r in rows if r["unit"] == "Zentrum") == 33
    assert {r["qualifier"] for r in rows if r["value"] == 3000} == {"more than"}


def test_measures_by_status_and_level():
    rows = {(r["level"], r["status"]): r["measures"] for r in run("measures-by-status-and-level")}
    # 25 of Kassel's measures run and are pledged to go on or grow ("weiterhin", "Fortführung",
    # "weiter finanzieren", "weiter ausgebaut", "verstärkt"), three are described in the present
    # tense (the public health service's reporting, monitoring and cooperation), two are the
    # city's running programmes: ongoing, not new pledges
    assert rows == {("municipal level", "pledged"): 42, ("municipal level", "ongoing"): 30,
                    # the Gehörlosengeld and the rights monitoring run on; their start is done
                    ("state level", "ongoing"): 56, ("state level", "reported as done"): 25}


def test_budget_increases():
    rows = sorted((r["measureLabel"], r["baseAmount"], r["increase"], r["year"])
                  for r in run("budget-increases"))
    assert rows == [
        ("KoFaB-Hessen", Decimal(195_000), Decimal(290_000), "2018"),
        ("KoFaB-Hessen", Decimal(195_000), Decimal(540_000), "2019"),
        ("Kommunalisierung sozialer Hilfen", Decimal(19_200_000), Decimal(2_030_000), "2018"),
        ("Kommunalisierung sozialer Hilfen", Decimal(19_200_000), Decimal(4_100_000), "2019"),
    ]


def test_budget_series():
    """The 2016-2019 series per budget line as the portal states it: bases and KoFaB's additional
    funds have no year (the text gives none), each increase has its year and its double budget,
    and no level is stated, so none is computed."""
    rows = [(r["lineLabel"], r["role"], r["year"], r["amount"], r["baseAmount"], r["budget"],
             r["levelStated"]) for r in run("budget-series")]
    kofab, social = "KoFaB-Hessen", "Kommunalisierung sozialer Hilfen"
    assert rows == [
        (kofab, "increase", "not stated", Decimal(195_000), None, None, None),
        (kofab, "increase", "2018", Decimal(290_000), Decimal(195_000), "2018/19", None),
        (kofab, "increase", "2019", Decimal(540_000), Decimal(195_000), "2018/19", None),
        (social, "base", "not stated", Decimal(19_200_000), None, None, None),
        (social, "increase", "2018", Decimal(2_030_000), Decimal(19_200_000), "2018/19", None),
        (social, "increase", "2019", Decimal(4_100_000), Decimal(19_200_000), "2018/19", None),
    ]
    quotes = {(r["lineLabel"], r["year"]): r["quotes"] for r in run("budget-series")}
    assert "für 2019" in quotes[social, "2019"] and "weitere Erhöhung" in quotes[kofab, "2018"]


def test_sources_overview():
    rows = {local(r["source"]): (r["kind"], r["level"], r["fundings"], r["quantities"])
            for r in run("sources-overview")}
    assert rows == {
        "hmsi-bilanz": ("balance report", "state level", 3, 2),
        "hmsi-wir-in-hessen": ("balance report", "state level", 9, 4),
        "hmsi-politik-fuer-alle-generationen": ("self-description", "state level", 0, 0),
        "portal-gemeinschaft-selbsthilfe": ("information page", "state level", 7, 3),
        "kassel-koalitionsvertrag-2021": ("coalition agreement", "municipal level", 0, 2),
    }
    assert all(r["measures"] > 15 for r in run("sources-overview"))


def test_actor_network():
    rows = {(r["fromLabel"], r["relation"], r["toLabel"]) for r in run("actor-network")}
    assert ("Hessischer Minister für Soziales und Integration", "held by", "Kai Klose") in rows
    assert ("Hessisches Ministerium für Soziales und Integration", "sub-organisation of",
            "Hessische Landesregierung") in rows
    assert ("SPD Kassel", "member of", "Grün-rote Koalition in Kassel 2021") in rows


def test_partners_of_agreements():
    rows = {local(r["agreement"]): set(r["actors"].split(" | ")) if r["actors"] else set()
            for r in run("partners-of-agreements")}
    # the page names no partner of the Bündnis ("die Bündnispartner"): none is invented
    assert rows["neues-buendnis-fachkraeftesicherung"] == set()
    assert {"Land Hessen", "Hessischer Städtetag", "Hessischer Landkreistag",
            "Landeswohlfahrtsverband Hessen", "Liga der Freien Wohlfahrtspflege in Hessen"} <= rows[
        "rahmenvereinbarung-kommunalisierung-sozialer-hilfen"]
    # the coalition's pact and the SPD's: each party's pledge is its own
    assert rows["kasseler-pakt-gegen-kinder-und-altersarmut"] == {
        "Grün-rote Koalition in Kassel 2021"}
    assert rows["spd-kasseler-pakt-gegen-kinder-und-altersarmut"] == {"SPD Kassel"}


def test_where_documents_disagree():
    rows = run("where-documents-disagree")
    found = {(local(r["statement"]), local(r["designated"])): r for r in rows}
    assert set(found) == {
        ("kinderbetreuung-eine-milliarde", "kinderbetreuung-jaehrlich-ueber-1-mrd"),
        ("schulen-gesundheitsfachberufe-jaehrlich-5-mio",
         "schulen-gesundheitsfachberufe-bis-zu-5-mio"),
    }
    billion = found["kinderbetreuung-eine-milliarde", "kinderbetreuung-jaehrlich-ueber-1-mrd"]
    assert set(billion["differsIn"].split(", ")) == {"qualifier", "periodicity"}
    assert (billion["qualifier"], billion["periodicity"]) == ("exact", "not stated")
    assert (billion["designatedQualifier"], billion["designatedPeriodicity"]) == \
        ("more than", "per year")
    assert local(billion["source"]) == "hmsi-bilanz"
    assert local(billion["designatedSource"]) == "hmsi-wir-in-hessen"
    assert "jährlich über einer Milliarde" in billion["designatedQuote"]
    assert "Mit einer Milliarde" in billion["quote"]
    schools = found["schulen-gesundheitsfachberufe-jaehrlich-5-mio",
                    "schulen-gesundheitsfachberufe-bis-zu-5-mio"]
    assert schools["differsIn"] == "qualifier"
    assert (schools["qualifier"], schools["designatedQualifier"]) == ("exact", "at most")
    assert "bis zu fünf Millionen" in schools["designatedQuote"]


def test_measures_by_year():
    """Years only as the texts give them: the Fachkräfteoffensive "seit 2020" counts for 2020
    (and for 2023/24, the years its training places are stated for), the diversity centres
    "bis 2025" for 2025, not for the years between; Kassel's agreement dates no measure."""
    answer = run("measures-by-year")
    rows = {(r["year"], r["level"]): set(r["measureLabels"].split(" | ")) for r in answer}
    assert all(r["measures"] == len(rows[r["year"], r["level"]]) for r in answer)
    assert {level for _, level in rows} == {"state level"}
    assert {year for year, _ in rows} == set(range(2016, 2026))
    assert rows[2018, "state level"] == rows[2019, "state level"] == {
        "Kommunalisierung sozialer Hilfen", "KoFaB-Hessen"}
    assert rows[2020, "state level"] == {"Einsetzung des Corona-Krisenstabs",
                                         "Fachkräfteoffensive Erzieherinnen und Erzieher"}
    assert rows[2025, "state level"] == {"WIR-Vielfaltszentren"}
    # "in den Jahren 2016 und 2017": both years (sg:startYear to sg:endYear)
    assert {"STARK", "Projekt zur Förderung der Flüchtlingsdienste in Hessen"} <= \
        rows[2016, "state level"] & rows[2017, "state level"]
    assert "WIR-Vielfaltszentren" not in rows[2022, "state level"]


def test_every_query_has_a_test():
    tested = {name[5:].replace("_", "-") for name in globals() if name.startswith("test_")}
    missing = [slug for slug in CATALOGUE if not any(t.startswith(slug) for t in tested)]
    assert not missing, f"curated queries without an answer test: {missing}"
