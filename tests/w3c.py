"""What the W3C suite tests share (tests/test_w3c_*.py): the suites' tests as pytest parameters,
marked with the expected failures of sozialgraph_w3c.expected (xfail, strict), a skip that
says where the suites were looked for when they are absent, and the verdict each test asserts.

The harness itself (manifests, comparing answers and reports, stores, servers) is the package
sozialgraph_w3c in tools/w3c, which `sozialgraph conformance` uses for docs/conformance.md too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from sozialgraph_w3c.expected import Known
from sozialgraph_w3c.sparql import Outcome
from sozialgraph_w3c.suites import missing_reason


def cases(load: Callable[[], Iterable], folders: Iterable[str],
          failures: dict[str, Known]) -> list:
    """One pytest parameter per test of the suite (id: its name); the listed failures are
    xfail(strict=True) with their cause. When the suites are absent: one parameter that skips
    and says where they were looked for."""
    reason = missing_reason(*folders)
    if reason is not None:
        return [pytest.param(None, id="suite-absent", marks=pytest.mark.skip(reason=reason))]
    params = []
    for test in load():
        known = failures.get(test.name)
        marks = [pytest.mark.xfail(strict=True, reason=f"{known.cause}: {known.reason}")] \
            if known else []
        params.append(pytest.param(test, id=test.name, marks=marks))
    return params


def assert_verdict(name: str, outcome: Outcome, policy: dict[str, str]) -> None:
    """A test the service refuses by policy must be refused so (and say it is policy); every
    other test must pass."""
    if name in policy:
        assert outcome.verdict == "policy", \
            f"expected a policy refusal ({policy[name]}); got {outcome}"
    else:
        assert outcome.verdict == "pass", str(outcome)
