"""Shared pytest fixtures: the tiny build fixture (ontology, graphs, shapes, queries) and a store
built from it. Tests that change the fixture work on a copy in tmp_path."""

from __future__ import annotations

import shutil
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
