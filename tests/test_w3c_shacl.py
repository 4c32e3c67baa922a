"""The W3C SHACL Core and SHACL-SPARQL suites through `/validate` (own shapes, `context=none`,
without allow_warnings: sh:conforms as SHACL defines it) of `sozialgraph serve` on loopback,
and through `sozialgraph validate` (the test's data and shapes, an empty ontology file: the
command always merges one, and the suites' data stand alone). Reports are compared as the
SHACL test suite prescribes (sozialgraph_w3c.shacl); what fails and why:
sozialgraph_w3c.expected; the counts, beside pySHACL's: docs/conformance.md."""

from __future__ import annotations

import pytest
import requests
from storefixture import build_store
from w3c import assert_verdict, cases

from sozialgraph_w3c import suites
from sozialgraph_w3c.expected import SHACL_FAILURES
from sozialgraph_w3c.shacl import run_command, run_service
from sozialgraph_w3c.stores import our_endpoint

FOLDERS = (suites.SHACL_CORE, suites.SHACL_SPARQL)


def shacl_tests():
    return suites.shacl_tests(suites.SHACL_CORE) + suites.shacl_tests(suites.SHACL_SPARQL)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    work = tmp_path_factory.mktemp("w3c-shacl")
    with our_endpoint(build_store(work / "store"), work) as served:
        yield served.query_url.removesuffix("/sparql"), requests.Session()


@pytest.fixture(scope="module")
def no_ontology(tmp_path_factory):
    empty = tmp_path_factory.mktemp("w3c-shacl-command") / "no-ontology.ttl"
    empty.write_text("", encoding="utf-8")
    return empty


@pytest.mark.e2e
@pytest.mark.parametrize("test", cases(shacl_tests, FOLDERS, SHACL_FAILURES["service"]))
def test_validate_service(service, test):
    base_url, session = service
    assert_verdict(test.name, run_service(base_url, test, session), {})


@pytest.mark.slow
@pytest.mark.parametrize("test", cases(shacl_tests, FOLDERS, SHACL_FAILURES["command"]))
def test_validate_command(no_ontology, test):
    assert_verdict(test.name, run_command(test, no_ontology), {})
