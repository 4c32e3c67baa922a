"""The landing page (/) and the query UI (/ui), through HTTP (Flask's test client)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markupsafe import escape
from rdflib import Graph
from rdflib.namespace import RDF, RDFS
from storefixture import close_app, make_app

from sozialgraph.rdf.namespaces import SG
from sozialgraph.sparql.catalogue import load_catalogue
from sozialgraph.web import ui

BUILD_FIXTURE = Path(__file__).parent / "fixtures" / "build"
CATALOGUE = load_catalogue()
LANDING_LINKS = ("/ui", "/sparql", "/downloads", "/ontology", "/shapes", "/validate",
                 "/.well-known/void")


@pytest.fixture(scope="module")
def app(fixture_store):
    app = make_app(fixture_store)
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


def esc(text: str) -> str:
    """Text as Jinja writes it into a page."""
    return str(escape(text))


def ui_config(page: str) -> dict:
    match = re.search(r'<script id="ui-config" type="application/json">(.*?)</script>', page,
                      re.DOTALL)
    assert match, "the page carries its configuration"
    return json.loads(match.group(1))


def instances(graph: Graph, cls) -> set:
    """Instances of `cls` and of its subclasses, as the ontology states them."""
    classes, todo = set(), [cls]
    while todo:
        current = todo.pop()
        if current not in classes:
            classes.add(current)
            todo.extend(graph.subjects(RDFS.subClassOf, current))
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


# ---- landing page -------------------------------------------------------------------------------

def test_landing_page_says_what_the_dataset_is(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert "open knowledge graph of social policy in Hessen" in page
    assert "exact quoted words" in page


def test_landing_page_links_to_everything(client):
    page = client.get("/").get_data(as_text=True)
    links = set(re.findall(r'href="([^"]+)"', page))
    for link in LANDING_LINKS:
        assert link in links, link
    assert "http://localhost/sparql" in page  # the endpoint's address, as clients use it


def test_landing_page_lists_the_curated_queries(client):
    page = client.get("/").get_data(as_text=True)
    for query in CATALOGUE:
        assert f'href="/ui?query={query.slug}"' in page
        assert esc(query.title_in("en")) in page


def test_landing_page_figures_are_counted_in_the_store(client):
    data = Graph()
    for path in [BUILD_FIXTURE / "ontology" / "sozialgraph.ttl",
                 *sorted((BUILD_FIXTURE / "graphs").glob("*.ttl"))]:
        data.parse(path, format="turtle")
    expected = {"measures": len(instances(data, SG.Measure)),
                "fundings": len(instances(data, SG.Funding)),
                "sources": len(instances(data, SG.SourceDocument)),
                "actors": len(instances(data, SG.Actor)),
                "evidence": len(instances(data, SG.Evidence)),
                "triples": len(data)}
    assert expected["measures"] and expected["fundings"] and expected["sources"]
    page = client.get("/").get_data(as_text=True)
    shown = {key: int(value.replace(",", "")) for key, value in
             re.findall(r'<dd data-figure="(\w+)">([\d,]+)</dd>', page)}
    assert shown == expected


def test_landing_page_figures_are_counted_once(client, monkeypatch):
    client.get("/")
    calls = []
    monkeypatch.setattr(ui, "store_query", lambda *a, **k: calls.append(a) or [])
    assert client.get("/").status_code == 200
    assert calls == []


def test_landing_page_without_a_store(tmp_path):
    app = make_app(tmp_path / "nowhere")
    try:
        response = app.test_client().get("/")
        assert response.status_code == 200
        assert "store is not available" in response.get_data(as_text=True)
    finally:
        close_app(app)


def test_landing_page_in_german(client):
    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert esc(CATALOGUE[0].title_in("de")) in page
    assert '<html lang="en">' in page  # the page itself stays English; the titles say lang="de"
    assert 'lang="de">' + esc(CATALOGUE[0].title_in("de")) in page


# ---- query UI -----------------------------------------------------------------------------------

def test_ui_has_every_curated_query(client):
    response = client.get("/ui")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for query in CATALOGUE:
        assert esc(query.title_in("en")) in page
        assert esc(query.description_in("en")) in page
    config = ui_config(page)
    assert [q["slug"] for q in config["queries"]] == [q.slug for q in CATALOGUE]
    for shown, query in zip(config["queries"], CATALOGUE, strict=True):
        assert shown["title"] == query.title_in("en")
        assert shown["description"] == query.description_in("en")
        assert shown["text"] == query.text
    assert config["endpoint"] == "/sparql"
    assert config["select"] is None and config["sparql"] is None


def test_ui_opens_the_named_query(client):
    config = ui_config(client.get("/ui?query=funding-per-year").get_data(as_text=True))
    assert config["select"] == "funding-per-year"


def test_ui_with_an_unknown_query(client):
    response = client.get("/ui?query=no-such-query")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "no curated query named “no-such-query”" in page
    assert ui_config(page)["select"] is None


def test_ui_opens_a_fresh_tab_with_given_text(client):
    text = 'SELECT * WHERE { ?s ?p "</script><script>alert(1)</script>" }'
    page = client.get("/ui", query_string={"q": text}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page  # tojson escapes <, > and &
    assert ui_config(page)["sparql"] == text


def test_ui_in_german(client):
    config = ui_config(client.get("/ui?lang=de").get_data(as_text=True))
    assert config["queries"][0]["title"] == CATALOGUE[0].title_in("de")
    assert config["lang"] == "de"


def test_ui_assets_are_local_and_served(client):
    page = client.get("/ui").get_data(as_text=True)
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert "/static/vendor/yasgui.min.js" in scripts
    assert "/static/ui.js" in scripts
    assert "/static/vendor/yasgui.min.css" in styles
    for url in scripts + styles:
        assert url.startswith("/static/"), f"{url} is not served by this app"
        response = client.get(url)
        assert response.status_code == 200, url
        expected = "javascript" if url.endswith(".js") else "text/css"
        assert expected in response.content_type, (url, response.content_type)
        response.close()


def test_no_page_loads_anything_from_elsewhere(client):
    for path in ("/", "/ui", "/validate"):
        page = client.get(path).get_data(as_text=True)
        for url in re.findall(r'<(?:script|link|img|iframe)[^>]*\s(?:src|href)="([^"]+)"', page):
            assert url.startswith("/"), (path, url)


def test_ui_script_keeps_to_this_server(client):
    script = client.get("/static/ui.js").get_data(as_text=True)
    # no storage between visits, no YASGUI URL parsing, no prefix.cc, no LOV completers
    for needle in ("persistenceId: null", "populateFromUrl: false", "prefixCcApi = null",
                   'name !== "class" && name !== "property"'):
        assert needle in script


def test_browsers_asking_the_endpoint_get_the_ui(client):
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ui")
