"""`sozialgraph extract`: the values, qualifiers, periods and offsets it finds in three short
texts of other styles than the corpus (tests/fixtures/extract/: a press release, a council
decision, a budget in prose, with their expected statements in expected.json), the number
parsing, SHACL conformance of a draft, and exact quotes over every corpus document."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph

pytest.importorskip("spacy")

from projectdata import corpus_present  # noqa: E402

from sozialgraph.cli.main import main  # noqa: E402
from sozialgraph.corpus import read_text  # noqa: E402
from sozialgraph.extract import Options, extract  # noqa: E402
from sozialgraph.extract.evaluate import corpus_documents  # noqa: E402
from sozialgraph.extract.numbers import find_counts, find_money  # noqa: E402
from sozialgraph.rdf.namespaces import ACTOR, OA, SCHEMA, SG, TARGET_GROUP  # noqa: E402
from sozialgraph.settings import GRAPHS_DIR, corpus_dir  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def local(iri) -> str | None:
    return None if iri is None else str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def quote_and_span(graph: Graph, evidence) -> tuple[str, int, int]:
    exact = start = end = None
    for selector in graph.objects(evidence, OA.hasSelector):
        if (selector, RDF.type, OA.TextQuoteSelector) in graph:
            exact = str(graph.value(selector, OA.exact))
        else:
            start, end = int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end))
    return exact, start, end


@pytest.fixture(scope="module")
def drafts() -> dict[str, tuple[str, Graph]]:
    found = {}
    for name, expected in EXPECTED.items():
        text = read_text(FIXTURES / f"{name}.txt")
        found[name] = text, extract(text, Options(name, f"{name}.txt", expected["level"]))
    return found


def fundings(graph: Graph, text: str) -> list[dict]:
    rows = []
    for funding in graph.subjects(RDF.type, SG.Funding):
        amount = graph.value(funding, SG.amount)
        period_type = graph.value(funding, SG.periodType)
        start, end = graph.value(funding, SG.periodStart), graph.value(funding, SG.periodEnd)
        rows.append({
            "value": str(Decimal(str(graph.value(amount, SCHEMA.value))).to_integral()),
            "qualifier": local(graph.value(amount, SG.qualifier)),
            "periodicity": local(graph.value(funding, SG.periodicity)),
            "period": None if period_type is None else [
                local(period_type), start and int(str(start)), end and int(str(end))],
            "change": local(graph.value(funding, SG.amountChange)),
            "status": local(graph.value(funding, SG.status)),
            "evidence": quote_and_span(graph, graph.value(funding, SG.evidence)),
        })
    return rows


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_money_values_qualifiers_periods_and_status(drafts, name):
    text, graph = drafts[name]
    got = fundings(graph, text)
    expected = EXPECTED[name]["funding"]
    assert sorted(row["value"] for row in got) == sorted(row["value"] for row in expected)
    for want in expected:
        row = next(r for r in got if r["value"] == want["value"])
        for key in ("qualifier", "periodicity", "period", "change", "status"):
            assert row[key] == want[key], (name, want["value"], key)
        exact, start, end = row["evidence"]
        assert want["quote"] in exact and text[start:end] == exact


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_and_nothing_else_counted(drafts, name):
    text, graph = drafts[name]
    got = []
    for quantity in graph.subjects(RDF.type, SG.Quantity):
        exact, start, end = quote_and_span(graph, graph.value(quantity, SG.evidence))
        assert text[start:end] == exact
        got.append((int(graph.value(quantity, SCHEMA.value)), local(graph.value(quantity, SG.unit)),
                    local(graph.value(quantity, SG.qualifier)), exact))
    expected = EXPECTED[name]["counts"]
    assert sorted(g[:3] for g in got) == sorted((c["value"], c["unit"], c["qualifier"])
                                                for c in expected)
    for want in expected:
        assert any(want["quote"] in g[3] for g in got if g[0] == want["value"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_actors_concepts_and_measures(drafts, name):
    text, graph = drafts[name]
    expected = EXPECTED[name]
    bodies = set(graph.objects(None, OA.hasBody))
    for actor in expected.get("actors", []):
        assert ACTOR[actor] in bodies
    labels = {str(graph.value(b, SG.proposed) and graph.value(b, __import__("rdflib").RDFS.label))
              for b in bodies}
    for proposed in expected.get("proposed_actors", []):
        assert proposed in labels, labels
        iri = next(b for b in bodies if str(graph.value(
            b, __import__("rdflib").RDFS.label)) == proposed)
        assert graph.value(iri, SG.closestMatch) is not None
    for group in expected["target_groups"]:
        assert TARGET_GROUP[group] in bodies
    measure_labels = {str(graph.value(m, __import__("rdflib").RDFS.label))
                      for m in graph.subjects(SG.level, None)}
    for measure in expected["measures"]:
        assert measure in measure_labels


def test_every_quote_is_at_its_offsets_with_its_context(drafts):
    for text, graph in drafts.values():
        for selector in graph.subjects(RDF.type, OA.TextQuoteSelector):
            evidence = next(graph.subjects(OA.hasSelector, selector))
            exact, start, end = quote_and_span(graph, evidence)
            assert text[start:end] == exact
            assert text[:start].endswith(str(graph.value(selector, OA.prefix)))
            assert text[end:].startswith(str(graph.value(selector, OA.suffix)))


@pytest.mark.parametrize("phrase, value, qualifier", [
    ("mit einer Milliarde Euro", Decimal(10**9), "Exact"),
    ("fast 1 Milliarde Euro", Decimal(10**9), "Almost"),
    ("bis zu fünf Millionen Euro", Decimal(5 * 10**6), "AtMost"),
    ("rund 2,5 Mrd. EUR", Decimal("2.5E9"), "About"),
    ("€ 4,7 Mio.", Decimal("4.7E6"), "Exact"),
    ("über 250.000 €", Decimal(250000), "MoreThan"),
    ("mindestens zwölf Euro", Decimal(12), "AtLeast"),
    ("ca. 800 Tsd. Euro", Decimal(800000), "About"),
    ("knapp 250\u00a0000 Euro", Decimal(250000), "Almost"),
    ("mehr als 5.000,- €", Decimal(5000), "MoreThan"),
    ("Ansatz 2025: 480 TEUR", Decimal(480000), "Exact"),
])
def test_money_forms(phrase, value, qualifier):
    [money] = find_money(phrase)
    assert money.value == value and money.qualifier == qualifier


@pytest.mark.parametrize("text", [
    "Am 21. Juni 2023 wurden 2023 Anträge gestellt.",  # years and dates
    "Telefon 0611 817-0 und § 51 Projekte der Gemeindeordnung",  # phone, paragraph
    "Stand der Links: 08.05.2023 Plätze",
    "ein Projekt und eine Stelle",  # articles are no counts
])
def test_years_dates_phones_and_paragraphs_are_no_counts(text):
    assert find_counts(text) == []


def test_counts_with_number_words_and_adjectives():
    text = "Zwölf weitere Zentren, 1.400 Ausbildungsplätze und 32 bestehende und neue Quartiere"
    assert [(c.value, c.unit) for c in find_counts(text)] == [
        (12, "UnitCentre"), (1400, "UnitTrainingPlace"), (32, "UnitNeighbourhood")]


def test_the_draft_conforms_to_the_shapes(tmp_path):
    draft = tmp_path / "pressemitteilung.ttl"
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(FIXTURES / "pressemitteilung.txt"),
                                  "--id", "pressemitteilung", "--out", str(draft)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["validate", str(draft), str(GRAPHS_DIR / "actors.ttl"),
                                  str(GRAPHS_DIR / "vocabularies.ttl"), "--allow-warnings"])
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def test_cli_writes_turtle_to_stdout_and_refuses_a_bad_id():
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(FIXTURES / "haushalt.txt"), "--id", "h",
                                  "--date", "2024-01-31", "--out", "-"])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.output, format="turtle")
    assert (None, RDF.type, SG.Draft) in graph and (None, RDF.type, SG.Extraction) in graph
    assert str(next(graph.objects(None, SG.asOfDate))) == "2024-01-31"
    assert runner.invoke(main, ["extract", str(FIXTURES / "haushalt.txt"), "--id", "Bad_Id",
                                "--out", "-"]).exit_code == 2


@pytest.mark.skipif(not corpus_present(), reason="corpus folder not present")
def test_corpus_drafts_quote_exactly_at_their_offsets():
    for slug, file_name, level, kind, _, as_of in corpus_documents():
        text = read_text(corpus_dir() / file_name)
        graph = extract(text, Options(slug, file_name, level, kind, as_of))
        spans = 0
        for selector in graph.subjects(RDF.type, OA.TextPositionSelector):
            evidence = next(graph.subjects(OA.hasSelector, selector))
            exact, start, end = quote_and_span(graph, evidence)
            assert text[start:end] == exact, (slug, start, end)
            spans += 1
        assert spans > 10
        assert int(next(graph.objects(None, SG.characterCount))) == len(text)


def test_a_relative_year_needs_the_documents_date():
    from datetime import date

    text = read_text(FIXTURES / "pressemitteilung.txt")
    dated = extract(text, Options("p", "p.txt", as_of=date(2024, 3, 1)))
    [raised] = [f for f in dated.subjects(RDF.type, SG.Funding)
                if (f, SG.amountChange, SG.RaisedTo) in dated]
    assert local(dated.value(raised, SG.periodType)) == "InYear"
    assert str(dated.value(raised, SG.periodStart)) == "2023"
    assert str(dated.value(raised, SG.relativePeriod)) == "im vergangenen Jahr"
    assert dated.value(raised, SG.periodRelativeTo) is not None
    undated = extract(text, Options("p", "p.txt"))
    assert not list(undated.objects(None, SG.relativePeriod))


@pytest.mark.parametrize("sentence, coalition, status", [
    ("Wir wollen die Beratung ausbauen.", True, "Pledged"),
    ("Wir setzen weiterhin auf die Sozialplanung.", True, "Ongoing"),
    ("Wir wollen die Beratung ausbauen.", False, "Planned"),
    ("Der Bericht wurde 2017 veröffentlicht.", False, "Done"),
    ("Das Land gründete eine Stiftung.", False, "Done"),
    ("Mit der vergüteten Ausbildung wirbt das Land für den Beruf.", False, "Ongoing"),
    ("Die Zentren werden vom Land gefördert.", False, "Ongoing"),
    ("Die Zahl der Plätze ist in Vorbereitung.", False, "Planned"),
])
def test_status_from_the_verbs(sentence, coalition, status):
    from sozialgraph.extract.nlp import analyse
    from sozialgraph.extract.status import status_of

    [analysed] = analyse(sentence).sentences
    assert status_of(analysed, sentence, coalition) == status


@pytest.mark.parametrize("sentence, figure, quote", [
    ("Um alle gut unterzubringen, haben wir 2022 mehr als 3.000 Plätze geschaffen.",
     "3.000", "haben wir 2022 mehr als 3.000 Plätze geschaffen."),
    ("Das Land hat rund zehn Millionen Euro zur Verfügung gestellt – so viel wie nie zuvor.",
     "zehn", "Das Land hat rund zehn Millionen Euro zur Verfügung gestellt"),
    ("4,7 Millionen Euro für „MitSprache – Deutsch4U“, die Sprachkurse des Landes.",
     "4,7", "4,7 Millionen Euro für „MitSprache – Deutsch4U“"),
    ("Mit 195.000 Euro werden Angebote für Vereine, die Ehrenamtliche betreuen, finanziert.",
     "195.000", "Mit 195.000 Euro werden Angebote für Vereine, die Ehrenamtliche betreuen, "
     "finanziert."),
])
def test_a_statement_quotes_its_clause_not_the_subordinate_ones(sentence, figure, quote):
    from sozialgraph.extract.nlp import analyse
    from sozialgraph.extract.rules import statement_span

    [analysed] = analyse(sentence).sentences
    at = sentence.index(figure)
    start, end = statement_span(sentence, analysed, (at, at + len(figure)))
    assert sentence[start:end] == quote


def test_proposed_entities_point_at_the_closest_existing_one():
    text = ("Das Land unterstützt Menschen mit Fluchthintergrund und Geflüchtete in den "
            "Frauenhäusern. Die Stadt Fulda fördert den Caritasverband Fulda.")
    graph = extract(text, Options("f", "f.txt"))
    bodies = set(graph.objects(None, OA.hasBody))
    assert {TARGET_GROUP["gefluechtete"], TARGET_GROUP["frauen"]} <= bodies
    proposed = {str(graph.value(b, SG.closestMatch)).rsplit("/", 1)[-1]
                for b in bodies if graph.value(b, SG.proposed)}
    assert proposed == {"gefluechtete", "stadt-kassel", "landeswohlfahrtsverband-hessen"}
    assert (ACTOR["f-stadt-fulda"], RDF.type, SG.Municipality) in graph
    assert (ACTOR["f-caritasverband-fulda"], RDF.type, SG.WelfareAssociation) in graph


def test_an_increase_points_at_the_measures_earlier_amount_and_units_the_ontology_lacks():
    text = ("Das Landesprogramm Nachbarschaft erhält 2 Mio. Euro. Im Jahr 2024 wird das "
            "Landesprogramm um 500.000 Euro erhöht. Es finanziert 3 neue Frauenhäuser, "
            "12 Stellen und 40 Betten.")
    graph = extract(text, Options("n", "n.txt"))
    by_value = {int(Decimal(str(graph.value(graph.value(f, SG.amount), SCHEMA.value)))): f
                for f in graph.subjects(RDF.type, SG.Funding)}
    assert set(by_value) == {2_000_000, 500_000}
    assert graph.value(by_value[500_000], SG.increaseOf) == by_value[2_000_000]
    assert graph.value(by_value[500_000], SG.amountChange) == SG.IncreaseBy
    assert graph.value(by_value[500_000], SG.fundedMeasure) == \
        graph.value(by_value[2_000_000], SG.fundedMeasure)
    proposed = {(int(graph.value(q, SCHEMA.value)), str(graph.value(q, SG.proposedUnit)))
                for q in graph.subjects(RDF.type, SG.ProposedQuantity)}
    assert {(v, u) for v, u in proposed} <= {(3, "Haus"), (3, "house"), (12, "Stelle"),
                                              (12, "post")}
    assert {v for v, _ in proposed} == {3, 12}
    [beds] = list(graph.subjects(RDF.type, SG.Quantity))
    assert int(graph.value(beds, SCHEMA.value)) == 40 and graph.value(beds, SG.unit) == \
        SG.UnitPlace


def test_the_test_extra_installs_what_extraction_needs():
    """CI installs `.[test]` only (Makefile), so it must hold every package of `extract`."""
    import tomllib

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    assert set(extras["extract"]) <= set(extras["test"])
    assert all("==" in requirement for requirement in extras["extract"])


@pytest.mark.skipif(not corpus_present(), reason="corpus folder not present")
def test_evaluate_writes_the_table_and_meets_the_money_and_count_targets(tmp_path):
    report = tmp_path / "quality.md"
    result = CliRunner().invoke(main, ["extract", "--evaluate", "--out", str(report)])
    assert result.exit_code == 0, result.output
    rows = {}
    for line in report.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[1] == "shared vocabularies":
            rows[cells[0]] = (cells[2], cells[3])
    assert set(rows) >= {"money (value)", "counts (value)", "actors", "target groups",
                         "policy areas", "measures (evidence overlap)"}

    def percent(cell):
        return int(cell.rstrip(" %"))

    for kind in ("money (value)", "counts (value)"):  # the targets
        precision, recall = map(percent, rows[kind])
        assert precision >= 90 and recall >= 95, (kind, rows[kind])
    assert percent(rows["money (value, qualifier, period)"][1]) >= 90


@pytest.mark.parametrize("sentence, status", [
    ("Das Netzwerk wird weiter ausgebaut.", "Ongoing"),
    ("Die Sprechstunde soll weiter unterstützt und abgesichert werden.", "Pledged"),
])
def test_in_a_coalition_agreement_a_continuation_is_ongoing_unless_pledged(sentence, status):
    from sozialgraph.extract.nlp import analyse
    from sozialgraph.extract.status import status_of

    [analysed] = analyse(sentence).sentences
    assert status_of(analysed, sentence, True) == status
