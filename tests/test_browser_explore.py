"""/explore in a real browser: Debian's chromium driven by Playwright against `sozialgraph serve`
over a store the real build made (the fixtures of tests/test_browser.py: every request that
leaves this server on 127.0.0.1 is refused and fails the test, and so does a script error).

Each chart is drawn, and its marks are held to the answer /sparql gives to its curated query:
one mark per row with the row's number (data-key, data-value), and the marks' lengths in
proportion to the numbers. A screenshot of the page is saved under the test's tmp folder. The
time to draw is measured by the benchmark (`make bench-explore`, docs/explore-speed.md), not
asserted here.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import pytest
from explorepage import CHARTS, expected_marks, values
from playwright.sync_api import expect
from test_browser import browser, browser_store, page, server_url  # noqa: F401 (fixtures)

from sozialgraph.sparql.catalogue import load_catalogue

pytestmark = pytest.mark.e2e
QUERIES = {q.slug: q for q in load_catalogue()}
BARS = {"funding-by-area", "land-and-kassel", "money-by-year", "status-and-level"}


def sparql_rows(server_url: str, slug: str) -> list[dict[str, str]]:
    """The curated query's answer from /sparql, fetched apart from the page."""
    request = urllib.request.Request(
        server_url + "/sparql", data=urlencode({"query": QUERIES[slug].text}).encode(),
        headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return values(json.load(response))


def open_explore(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-explore=ready]")
    for key in CHARTS:
        expect(page.locator(f"#{key}-plot")).to_have_attribute("data-state", "ready")


def marks(page, key: str, group: str) -> list[dict]:
    """The drawn marks of a chart: key, value and size (a bar's width, a link's path)."""
    return page.evaluate("""([key, group]) => Array.from(document.querySelectorAll(
        `#${key}-plot g[aria-label=${group}] [data-key]`)).map(el => ({
            key: el.getAttribute("data-key"), value: Number(el.getAttribute("data-value")),
            width: el.getBBox().width, panel: el.closest("svg").getAttribute("data-panel"),
            href: (el.closest("a") || {getAttribute: () => null}).getAttribute("href")}))""",
                         [key, group])


def test_every_chart_draws_the_answer_of_its_query(page, server_url, tmp_path):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    open_explore(page, server_url + "/explore?lang=en")
    page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)
    assert (tmp_path / "explore.png").stat().st_size > 10_000

    for key, slug in CHARTS.items():
        expected = expected_marks(key, sparql_rows(server_url, slug))
        drawn = marks(page, key, "bar" if key in BARS else "link")
        assert len(drawn) == len(expected), key  # one mark per number
        assert {m["key"]: m["value"] for m in drawn} == expected, key
        assert all(m["href"] for m in drawn), f"{key}: every mark links somewhere"
    assert violations == []


def test_bar_lengths_are_in_proportion_to_the_numbers(page, server_url):
    """Within one chart (one panel of the funding chart) a bar's length over its number is the
    same for every bar: the picture shows the numbers, not only carries them."""
    open_explore(page, server_url + "/explore")
    for key in ("funding-by-area", "land-and-kassel", "status-and-level"):
        panels: dict = {}
        for mark in marks(page, key, "bar"):
            if mark["value"] > 0:
                panels.setdefault(mark["panel"], []).append(mark["width"] / mark["value"])
        assert panels, key
        for ratios in panels.values():
            assert max(ratios) - min(ratios) <= 0.01 * max(ratios) + 1e-9, (key, ratios)
    # the timeline: the 2023-2024 sum spans two years, each 2018 increase one
    years = {m["key"].rsplit("/", 1)[-1]: m["width"] for m in marks(page, "money-by-year", "bar")}
    one = years["sozialbudget-erhoehung-2018"]
    assert years["kofab-hessen-erhoehung-2018"] == pytest.approx(one, rel=0.01)
    assert years["krankenhausinvestitionen-2023-2024"] == pytest.approx(2 * one, rel=0.05)


def test_the_network_draws_every_actor_and_measure(page, server_url):
    open_explore(page, server_url + "/explore")
    rows = sparql_rows(server_url, "actor-network")
    nodes = {m["key"] for m in marks(page, "actor-network", "dot")}
    assert nodes == {r["from"] for r in rows} | {r["to"] for r in rows}


def test_a_bar_opens_its_entity_page(page, server_url):
    open_explore(page, server_url + "/explore")
    bar = page.locator("#funding-by-area-plot g[aria-label=bar] a").first
    target = bar.get_attribute("href")
    assert target.startswith(server_url + "/id/policy-area/")
    bar.click()
    page.wait_for_url(target)
    expect(page.locator("h1")).to_be_visible()


def test_a_node_opens_its_entity_page(page, server_url):
    open_explore(page, server_url + "/explore")
    node = page.locator("#actor-network-plot g[aria-label=dot] a",
                        has=page.locator("[data-key$='/id/actor/land-hessen']"))
    node.click()
    page.wait_for_url(server_url + "/id/actor/land-hessen")
    expect(page.locator("h1")).to_contain_text("Land Hessen")


def test_german_labels(page, server_url):
    open_explore(page, server_url + "/explore?lang=de")
    expect(page.locator("#status-and-level-plot")).to_contain_text("zugesagt")
    expect(page.locator("#funding-by-area-plot h3").first).to_contain_text("jährlich")
    expect(page.locator("#land-and-kassel-plot")).to_contain_text("Stadt Kassel (Koalition)")
