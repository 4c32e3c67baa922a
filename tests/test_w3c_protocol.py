"""The W3C SPARQL 1.1 Protocol tests (HTTP exchanges described in protocol/manifest.ttl) against
`sozialgraph serve` on loopback, over the Protocol's data loaded with `sozialgraph load` into
the graphs the manifest names. The update tests are refused by policy (the service is
read-only: 403 saying so), and so are the query tests whose dataset names data0.rdf, a graph
the tests never load (sozialgraph_w3c.expected)."""

from __future__ import annotations

import pytest
from w3c import assert_verdict, cases

from sozialgraph_w3c import suites
from sozialgraph_w3c.expected import SPARQL_FAILURES, SPARQL_POLICY
from sozialgraph_w3c.sparql import run_protocol
from sozialgraph_w3c.stores import load_protocol_store, our_endpoint

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    work = tmp_path_factory.mktemp("w3c-protocol")
    store = load_protocol_store(work / "store", suites.protocol_tests())
    with our_endpoint(store, work) as served:
        yield served


@pytest.mark.parametrize("test", cases(suites.protocol_tests, [suites.PROTOCOL_FOLDER],
                                       SPARQL_FAILURES))
def test_protocol(endpoint, test):
    assert_verdict(test.name, run_protocol(endpoint, test), SPARQL_POLICY)


def test_every_update_test_is_a_policy_refusal():
    """The manifest's update tests are exactly the ones listed as refused by policy (a new
    update test in the suite must be looked at, not counted silently)."""
    if suites.missing_reason(suites.PROTOCOL_FOLDER):
        pytest.skip(suites.missing_reason(suites.PROTOCOL_FOLDER))
    updates = {t.name for t in suites.protocol_tests() if t.is_update
               and any("2" in e.statuses for e in t.exchanges)}
    listed = {name for name, why in SPARQL_POLICY.items() if "read-only" in why}
    assert updates == listed
