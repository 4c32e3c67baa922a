"""The graph held to the corpus: quotes are verbatim at their offsets, sources are the texts we
read, and every money expression and every count of places, centres or projects in the corpus is
represented by a funding or quantity of the right value whose evidence covers it (or stands in an
exclusion list below, with the reason).

These tests need the corpus (../shared/corpus or $SOZIALGRAPH_CORPUS); CI always has it.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from projectdata import corpus_present, project_graph, sha256_of

from sozialgraph.corpus import document_text

pytestmark = pytest.mark.skipif(not corpus_present(), reason="corpus folder not present")

PREFIXES = """
PREFIX sg: <https://w3id.org/sozialgraph/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <http://schema.org/>
"""

NUMBER_WORDS = {
    "ein": 1, "eine": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
}
SCALES = {"million": 10**6, "millionen": 10**6, "mio.": 10**6, "milliarde": 10**9,
          "milliarden": 10**9, "mrd.": 10**9}
_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|" + "|".join(NUMBER_WORDS)
MONEY = re.compile(
    rf"\b(?P<num>{_NUMBER})\s+(?:(?P<scale>Milliarden|Milliarde|Millionen|Million|Mio\.|Mrd\.)\s+)?Euro\b",
    re.IGNORECASE,
)
COUNT = re.compile(
    rf"\b(?P<num>{_NUMBER})\s+(?:[a-zäöüß]+\s+){{0,3}}"
    r"(?P<unit>[\wÄÖÜäöüß-]*(?:plätze|zentren|projekte|quartiere|landkreise|städte|lernclips))\b",
    re.IGNORECASE,
)

# Expressions deliberately not represented, by (corpus file, matched text): why.
MONEY_EXCLUSIONS: dict[tuple[str, str], str] = {}
COUNT_EXCLUSIONS: dict[tuple[str, str], str] = {}


def parse_number(text: str) -> Decimal:
    """German number words and numerals to a Decimal.

    >>> parse_number("2,03"), parse_number("3.000"), parse_number("einer")
    (Decimal('2.03'), Decimal('3000'), Decimal('1'))
    """
    word = NUMBER_WORDS.get(text.lower())
    if word is not None:
        return Decimal(word)
    return Decimal(text.replace(".", "").replace(",", "."))


def money_value(match: re.Match) -> Decimal:
    scale = SCALES[match["scale"].lower()] if match["scale"] else 1
    return parse_number(match["num"]) * scale


def _sources() -> dict[str, str]:
    rows = project_graph().query(
        PREFIXES + "SELECT ?s ?f WHERE { ?s a sg:SourceDocument ; sg:corpusFile ?f }")
    return {str(s): str(f) for s, f in rows}


def _facts(kind: str) -> list[tuple[str, str, Decimal, int, int]]:
    """(fact, corpus file, value, evidence start, evidence end) for every evidence of every fact."""
    value_path = "sg:amount/schema:value" if kind == "Funding" else "schema:value"
    rows = project_graph().query(PREFIXES + f"""
        SELECT ?fact ?file ?value ?start ?end WHERE {{
            ?fact a sg:{kind} ; {value_path} ?value ; sg:evidence ?ev .
            ?ev oa:hasSource/sg:corpusFile ?file ;
                oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
        }}""")
    return [(str(f), str(fi), Decimal(str(v)), int(s), int(e)) for f, fi, v, s, e in rows]


def test_every_source_is_the_text_we_read():
    rows = project_graph().query(PREFIXES + """
        SELECT ?file ?sha ?chars WHERE { ?s a sg:SourceDocument ; sg:corpusFile ?file ;
            sg:sha256 ?sha ; sg:characterCount ?chars }""")
    assert len(rows) >= 5  # the five corpus documents, and any promoted since (docs/extraction.md)
    for file, sha, chars in rows:
        text = document_text(str(file))
        assert sha256_of(text) == str(sha), file
        assert len(text) == int(chars), file


def test_every_quote_is_verbatim_at_its_offsets():
    rows = list(project_graph().query(PREFIXES + """
        SELECT ?ev ?file ?exact ?prefix ?suffix ?start ?end WHERE {
            ?ev a sg:Evidence ; oa:hasSource/sg:corpusFile ?file ;
                oa:hasSelector ?q , ?p .
            ?q a oa:TextQuoteSelector ; oa:exact ?exact .
            OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
            ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        }"""))
    assert len(rows) > 100, "expected evidence for every measure, funding and quantity"
    for ev, file, exact, prefix, suffix, start, end in rows:
        text = document_text(str(file))
        start, end = int(start), int(end)
        assert text[start:end] == str(exact), f"{ev}: quote not at {start}:{end} of {file}"
        if prefix is not None:
            assert text[:start].endswith(str(prefix)), f"{ev}: prefix does not precede the quote"
        if suffix is not None:
            assert text[end:].startswith(str(suffix)), f"{ev}: suffix does not follow the quote"


def test_every_evidenced_node_evidence_count():
    """Every measure, funding and quantity carries at least one evidence (the shapes say so too;
    this checks the real graph independently of SHACL)."""
    rows = project_graph().query(PREFIXES + """
        SELECT ?x WHERE { VALUES ?c { sg:Funding sg:Quantity } ?x a ?c
            FILTER NOT EXISTS { ?x sg:evidence ?e } }""")
    assert not list(rows)


def _assert_covered(pattern, value_of, kind, exclusions):
    facts = _facts(kind)
    missing = []
    for file in sorted(set(_sources().values())):
        text = document_text(file)
        for match in pattern.finditer(text):
            if (file, match.group(0)) in exclusions:
                continue
            value = value_of(match)
            covered = [
                fact for fact, f, v, s, e in facts
                if f == file and s <= match.start() and match.end() <= e and v == value
            ]
            if not covered:
                missing.append(f"{file}@{match.start()}: {match.group(0)!r} = {value}")
    assert not missing, f"{kind} missing for:\n" + "\n".join(missing)


def test_every_money_expression_is_a_funding_of_that_value():
    _assert_covered(MONEY, money_value, "Funding", MONEY_EXCLUSIONS)


def test_every_count_is_a_quantity_of_that_value():
    _assert_covered(COUNT, lambda m: parse_number(m["num"]), "Quantity", COUNT_EXCLUSIONS)


def test_every_amount_in_the_graph_is_stated_by_its_evidence():
    """The other direction: no funding value that its own evidence does not state."""
    wrong = []
    for fact, file, value, start, end in _facts("Funding"):
        quote = document_text(file)[start:end]
        if not any(money_value(m) == value for m in MONEY.finditer(quote)):
            wrong.append(f"{fact}: {value} not stated in {quote!r}")
    for fact, file, value, start, end in _facts("Quantity"):
        quote = document_text(file)[start:end]
        if not any(parse_number(m["num"]) == value for m in COUNT.finditer(quote)):
            wrong.append(f"{fact}: {value} not stated in {quote!r}")
    assert not wrong, "\n".join(wrong)


def test_the_patterns_find_every_form():
    samples = ["250.000 Euro", "4,7 Millionen Euro", "einer Milliarde Euro", "fünf Millionen Euro",
               "1 Milliarde Euro", "2,03 Millionen Euro"]
    values = [money_value(MONEY.search(s)) for s in samples]
    assert values == [Decimal(250000), Decimal(4700000), Decimal(10**9), Decimal(5 * 10**6),
                      Decimal(10**9), Decimal(2030000)]
    assert parse_number(COUNT.search("mehr als 3.000 Plätze erhöht")["num"]) == 3000
    assert COUNT.search("Alle 21 hessischen Landkreise")["unit"] == "Landkreise"
    assert COUNT.search("Kinder von 0 bis 10 Jahren") is None
