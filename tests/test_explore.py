"""/explore through HTTP (Flask's test client) over the store the real build makes: the page,
its tables, its links to /ui and its CSV downloads, held to what /sparql answers.
The charts themselves are drawn and checked in Chromium: tests/test_browser.py, "/explore"."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from explorepage import CHARTS, data_block, read_page, values
from storefixture import close_app, make_app

from sozialgraph.sparql.catalogue import load_catalogue

QUERIES = {q.slug: q for q in load_catalogue()}
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def store(request) -> Path:
    """The project's store as the build makes it (SOZIALGRAPH_BROWSER_STORE: a built one)."""
    prebuilt = os.environ.get("SOZIALGRAPH_BROWSER_STORE")
    return Path(prebuilt) if prebuilt else request.getfixturevalue("built_store")


@pytest.fixture(scope="module")
def client(store):
    app = make_app(store)
    yield app.test_client()
    close_app(app)


@pytest.fixture(scope="module")
def page(client) -> str:
    response = client.get("/explore?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def sparql(client, slug: str) -> list[dict[str, str]]:
    response = client.post("/sparql", data={"query": QUERIES[slug].text},
                           headers={"Accept": JSON_RESULTS})
    assert response.status_code == 200
    return values(response.get_json())


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_the_page_is_html_for_people(client):
    response = client.get("/explore")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert "Accept-Language" in response.headers["Vary"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    body = response.get_data(as_text=True)
    for asset in ("vendor/d3.min.js", "vendor/plot.umd.min.js", "explore.js", "explore.css"):
        assert f"/static/{asset}" in body
    etag = response.headers["ETag"]
    assert client.get("/explore", headers={"If-None-Match": etag}).status_code == 304
    # scripts, styles and alternates from this server only
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?!/)', body)


def test_the_landing_page_links_to_it(client):
    assert 'href="/explore"' in client.get("/").get_data(as_text=True)


def test_every_chart_has_a_table_with_caption_and_headers(page):
    tables = read_page(page).tables
    assert list(tables) == list(CHARTS)
    for key, table in tables.items():
        assert table["caption"].startswith("The numbers of the chart: "), key
        assert len(table["headers"]) >= 3, key
        assert table["rows"], key
        for row in table["rows"]:
            assert len(row) == len(table["headers"])
            assert row[0]["tag"] == "th" and row[0]["scope"] == "row"


def test_the_tables_hold_the_answers_of_sparql(client, page):
    """Each table has a row per solution of its query at /sparql, and the page's data block
    (what the chart is drawn from) is that answer."""
    tables = read_page(page).tables
    for key, slug in CHARTS.items():
        answer = sparql(client, slug)
        assert values(data_block(page, key)) == answer, key
        assert len(tables[key]["rows"]) == len(answer), key
    by_area = {(r[0]["text"], r[1]["text"]): r[2]["text"]
               for r in tables["funding-by-area"]["rows"]}
    assert by_area["Family policy", "per year"] == "1,000,000,000"
    assert by_area["Health policy", "in total"] == "1,054,000,000"
    side = {r[0]["text"]: [c["text"] for c in r[1:]] for r in tables["land-and-kassel"]["rows"]}
    assert side["Health policy"] == ["16", "17", "3"]


def test_cells_link_to_the_entity_pages(client, page):
    tables = read_page(page).tables
    area = tables["funding-by-area"]["rows"][0][0]["href"]
    assert "/id/policy-area/" in area
    assert client.get(local_path(area)).status_code == 200
    network = tables["actor-network"]["rows"]
    assert all("/id/actor/" in row[0]["href"] for row in network)
    assert any("/id/measure/" in row[2]["href"] for row in network)
    funding = tables["money-by-year"]["rows"][0][1]["href"]
    assert "/id/funding/" in funding and client.get(local_path(funding)).status_code == 200


def test_each_chart_opens_its_query_in_the_ui(client, page):
    links = read_page(page).links["open-ui"]
    assert [parse_qs(urlsplit(link).query)["query"][0] for link in links] == list(CHARTS.values())
    for link in links:
        response = client.get(local_path(link))
        assert response.status_code == 200
        slug = parse_qs(urlsplit(link).query)["query"][0]
        assert f'"select": "{slug}"' in response.get_data(as_text=True)


def test_each_chart_downloads_the_endpoints_csv(client, page):
    links = read_page(page).links["csv"]
    assert len(links) == len(CHARTS)
    for link, (key, slug) in zip(links, CHARTS.items(), strict=True):
        response = client.get(local_path(link))
        assert response.status_code == 200, key
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        answer = sparql(client, slug)
        assert [{k: v for k, v in r.items() if v} for r in rows] == answer, key
    assert 'download="money-by-year.csv"' in page


def test_german(client):
    body = client.get("/explore", headers={"Accept-Language": "de-DE,de;q=0.9"}) \
        .get_data(as_text=True)
    assert '<html lang="de">' in body
    tables = read_page(body).tables
    assert tables["funding-by-area"]["caption"] == \
        "Die Zahlen des Diagramms: Förderung je Politikfeld"
    assert tables["funding-by-area"]["headers"][:3] == ["Politikfeld", "Periodizität", "Summe (€)"]
    rows = {(r[0]["text"], r[1]["text"]): r[2]["text"] for r in tables["funding-by-area"]["rows"]}
    assert rows["Familienpolitik", "jährlich"] == "1.000.000.000"
    relations = {r[1]["text"] for r in tables["actor-network"]["rows"]}
    assert {"fördert", "führt durch"} <= relations
    assert "Wer wen fördert, was durchführt oder zu wem gehört" in body


def test_an_answer_that_fails_leaves_the_rest(store, monkeypatch):
    """A query that could not be answered (every worker busy, over the time limit) shows a
    notice in its place; the other charts are drawn, and the failure is not kept."""
    from sozialgraph.sparql.executor import Failure
    from sozialgraph.web import dataset

    app = make_app(store)
    try:
        executor = dataset.query_executor(app)
        run = executor.run

        def busy_for_one(task):
            if "?levelTerm" in task.query:
                return Failure("busy", "every query worker is busy")
            return run(task)

        monkeypatch.setattr(executor, "run", busy_for_one)
        body = app.test_client().get("/explore").get_data(as_text=True)
        assert "The answer is not available at the moment" in body
        assert 'id="status-and-level-table"' not in body
        assert 'id="funding-by-area-table"' in body
        monkeypatch.setattr(executor, "run", run)
        again = app.test_client().get("/explore").get_data(as_text=True)
        assert 'id="status-and-level-table"' in again
    finally:
        close_app(app)


def test_the_answers_are_kept_per_process(store):
    """The first page runs the five queries, the next runs none (Server-Timing says so)."""
    app = make_app(store)
    try:
        first = app.test_client().get("/explore").headers["Server-Timing"]
        second = app.test_client().get("/explore?lang=de").headers["Server-Timing"]
    finally:
        close_app(app)
    assert first.startswith("queries;dur=") and first.endswith('desc="5 run"')
    assert second.endswith('desc="0 run"')
