"""Reading /explore in the tests: its tables, links and data blocks (html.parser, no browser),
and the answers of the curated queries its charts are drawn from, as /sparql gives them."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# chart key -> the curated query it is drawn from (server/sozialgraph/web/explore.py)
CHARTS = {"funding-by-area": "funding-by-policy-area",
          "land-and-kassel": "land-and-kassel-side-by-side",
          "money-by-year": "money-by-year",
          "status-and-level": "measures-by-status-and-level",
          "actor-network": "actor-network"}
SERIES = ("landHessen", "stadtKassel", "spdKassel")


class Tables(HTMLParser):
    """Each <table id="KEY-table">: caption, column headers (with scope), rows of cells
    (text, href), and every link of the page by class."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict] = {}
        self.links: dict[str, list[str]] = {}
        self._table = self._cell = self._in_caption = None
        self._row: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").endswith("-table"):
            self._table = {"caption": "", "headers": [], "scopes": [], "rows": []}
            self.tables[attrs["id"].removesuffix("-table")] = self._table
        elif self._table is not None and tag == "caption":
            self._in_caption = True
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._table is not None and tag in ("th", "td"):
            self._cell = {"text": "", "href": None, "tag": tag, "scope": attrs.get("scope")}
        elif tag == "a":
            if self._cell is not None:
                self._cell["href"] = attrs.get("href")
            for name in (attrs.get("class") or "").split():
                self.links.setdefault(name, []).append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell is not None:
            cell, self._cell = self._cell, None
            cell["text"] = " ".join(cell["text"].split())
            if cell["scope"] == "col":
                self._table["headers"].append(cell["text"])
            elif self._row is not None:
                self._row.append(cell)
        elif tag == "tr" and self._row is not None:
            if self._row:
                self._table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        elif self._in_caption and self._table is not None:
            self._table["caption"] += data


def read_page(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


def data_block(html: str, key: str) -> dict:
    """The SPARQL JSON result a chart is drawn from, as the page carries it."""
    match = re.search(rf'<script type="application/json" id="{key}-data">(.*?)</script>', html,
                      re.DOTALL)
    assert match, f"no data block for {key}"
    return json.loads(match.group(1))


def values(result: dict) -> list[dict[str, str]]:
    """Rows of a SPARQL JSON result: variable -> lexical value."""
    return [{name: cell["value"] for name, cell in row.items()}
            for row in result["results"]["bindings"]]


def expected_marks(key: str, rows: list[dict[str, str]]) -> dict[str, float]:
    """data-key -> data-value of the marks a chart should draw for the query's answer."""
    if key == "funding-by-area":
        return {f'{r["area"]}|{r["periodicity"]}': float(r["total"]) for r in rows}
    if key == "land-and-kassel":
        return {f'{r["area"]}|{s}': float(r[s]) for r in rows for s in SERIES}
    if key == "money-by-year":
        return {r["funding"]: float(r["amount"]) for r in rows}
    if key == "status-and-level":
        return {f'{r["levelTerm"]}|{r["statusTerm"]}': float(r["measures"]) for r in rows}
    if key == "actor-network":
        return {f'{r["from"]}|{r["property"]}|{r["to"]}': 1.0 for r in rows}
    raise KeyError(key)
