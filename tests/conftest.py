"""Shared pytest fixtures: the tiny build fixture (ontology, graphs, shapes, queries) and a store
built from it. Tests that change the fixture work on a copy in tmp_path."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

BUILD_FIXTURE = Path(__file__).parent / "fixtures" / "build"


@pytest.fixture
def build_sources(tmp_path) -> Path:
    """A private copy of tests/fixtures/build: ontology/, graphs/, shapes/, queries/, extra/."""
    target = tmp_path / "project"
    shutil.copytree(BUILD_FIXTURE, target)
    return target


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory) -> Path:
    """A store built once from the build fixture (read it, don't change it)."""
    from sozialgraph.pipeline.build import build

    store = tmp_path_factory.mktemp("fixture-store") / "store"
    build(store, ontology_file=BUILD_FIXTURE / "ontology" / "sozialgraph.ttl",
          graphs_dir=BUILD_FIXTURE / "graphs", shapes_dir=BUILD_FIXTURE / "shapes")
    return store


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The project's real ontology, graphs and shapes built once per session by the real build
    pipeline (parse, validate, infer, write) into tmp; read it, don't change it."""
    from sozialgraph.pipeline.build import build

    store = tmp_path_factory.mktemp("built-store") / "store"
    build(store)
    return store


# ---- one Chromium per test session --------------------------------------------------------------
# Playwright's sync API allows one running instance per thread: the browser tests
# (test_browser.py, test_drafts_browser.py) share this one instead of starting their own.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright, for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def loopback_page(browser, server_url: str, locale: str, timeout_ms: int):
    """A fresh browser context (no storage from other tests) whose requests may reach only the
    server at `server_url` on 127.0.0.1 (data: and blob: URLs aside); on leaving, asserts that
    nothing else was asked for and that no script failed."""
    from urllib.parse import urlsplit

    context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale=locale,
                                  service_workers="block")
    context.set_default_timeout(timeout_ms)
    own = urlsplit(server_url).netloc
    elsewhere: list[str] = []
    errors: list[str] = []

    def guard(route) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob") or (parts.hostname == "127.0.0.1"
                                                 and parts.netloc == own):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda request: None if urlsplit(request.url).hostname in (
        "127.0.0.1", None) else elsewhere.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.requests_elsewhere = elsewhere  # for the test of the guard itself
    yield page
    context.close()
    assert elsewhere == [], f"the browser asked other hosts: {elsewhere}"
    assert errors == [], f"script errors: {errors}"
