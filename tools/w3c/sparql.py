"""Running the SPARQL suites through an endpoint over HTTP: syntax, query evaluation, Protocol.

Each run gives an Outcome: `pass`, `policy` (the endpoint refused by policy, and its message says
so: SERVICE, a graph the store lacks, an update on a read-only service) or `fail`, with what
was seen. The same code runs against this project's `/sparql` and Oxigraph's server.

How a query-evaluation test is run (docs/conformance.md says why):

- every data file of the tests is loaded once into the store, into the named graph named by its
  `file:` IRI (`sozialgraph load --graph IRI --separate-default-graph`); a test's dataset is
  then given with the Protocol: `default-graph-uri` for each qt:data file,
  `named-graph-uri` for each qt:graphData file. A query with FROM or FROM NAMED gets no
  Protocol dataset (its own clauses choose, as the test expects);
- the query is sent with `BASE <its file IRI>` before it, the base the test suite assumes, so
  relative IRIs (FROM <data-g1.ttl>, results such as <a>) resolve as the expected results say;
- the answer is asked for in the format of the expected file (XML, JSON, CSV, TSV; Turtle for
  graphs) and compared by sozialgraph_w3c.results.

Imports requests and the harness's own modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from sozialgraph_w3c.results import (
    BY_EXTENSION,
    RDF_TYPES,
    RESULT_TYPES,
    parse_answer,
    query_facts,
    read_expected,
    same_answer,
)
from sozialgraph_w3c.suites import EvaluationTest, ProtocolTest, SyntaxTest

TIMEOUT = 60
ANY_ANSWER = "application/sparql-results+json, text/turtle;q=0.9"


@dataclass(frozen=True)
class Outcome:
    verdict: str  # pass, policy or fail
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.verdict}: {self.detail}" if self.detail else self.verdict


@dataclass
class Endpoint:
    """An endpoint under test: its query URL and, where it takes updates, its update URL."""

    name: str
    query_url: str
    update_url: str | None = None

    def __post_init__(self):
        self.session = requests.Session()


def is_policy_refusal(response: requests.Response) -> bool:
    """A 4xx whose message says the refusal is the service's policy, not a fault of the query."""
    return response.status_code in (400, 403) and "policy" in response.text.lower()


def _seen(response: requests.Response) -> str:
    return f"{response.status_code} {response.text.strip()[:400]}"


def run_syntax(endpoint: Endpoint, test: SyntaxTest) -> Outcome:
    """Positive: 200, or a policy refusal. Negative: 400 that is not a policy refusal (the
    endpoint saw the syntax error, not something else it would refuse anyway)."""
    query = test.query_file.read_text(encoding="utf-8")
    response = endpoint.session.post(endpoint.query_url, data={"query": query},
                                     headers={"Accept": ANY_ANSWER}, timeout=TIMEOUT)
    if test.positive:
        if response.status_code == 200:
            return Outcome("pass")
        if is_policy_refusal(response):
            return Outcome("policy", response.text.strip())
        return Outcome("fail", _seen(response))
    if response.status_code == 400 and not is_policy_refusal(response):
        return Outcome("pass")
    return Outcome("fail", "a negative syntax test, answered " + _seen(response))


def run_evaluation(endpoint: Endpoint, test: EvaluationTest) -> Outcome:
    text = test.query_file.read_text(encoding="utf-8")
    base = test.query_file.resolve().as_uri()
    facts = query_facts(text, base)
    form: dict[str, object] = {"query": f"BASE <{base}>\n{text}"}
    if not facts.dataset:
        form["default-graph-uri"] = list(test.data)
        form["named-graph-uri"] = list(test.graph_data)
    wanted = BY_EXTENSION.get(test.result_file.suffix, "application/sparql-results+json")
    response = endpoint.session.post(endpoint.query_url, data=form, timeout=TIMEOUT,
                                     headers={"Accept": f"{wanted}, text/turtle;q=0.9"})
    if response.status_code != 200:
        if is_policy_refusal(response):
            return Outcome("policy", response.text.strip())
        return Outcome("fail", _seen(response))
    try:
        actual = parse_answer(response.content, response.headers.get("Content-Type", ""), base)
    except Exception as error:  # an answer rdflib cannot read is a failed test
        return Outcome("fail", f"unreadable answer ({error}): {response.text[:300]}")
    expected = read_expected(test.result_file)
    if same_answer(expected, actual, facts.ordered):
        return Outcome("pass")
    return Outcome("fail", f"expected {expected.describe()}; got {actual.describe()}"
                   + (" (in this order)" if facts.ordered else ""))


def _exchange_url(endpoint: Endpoint, path: str, update: bool) -> str | None:
    target = endpoint.update_url if update else endpoint.query_url
    if target is None:
        return None
    rest = path.removeprefix("/sparql/").removeprefix("/sparql")
    return target + rest if rest.startswith("?") or not rest else target + "?" + rest


def run_protocol(endpoint: Endpoint, test: ProtocolTest) -> Outcome:
    """Every request of the test in order; each must answer a status of the expected class and,
    where the manifest says so, the expected kind of answer and boolean."""
    for number, exchange in enumerate(test.exchanges, 1):
        url = _exchange_url(endpoint, exchange.path, exchange.is_update)
        if url is None:
            return Outcome("fail", f"{endpoint.name} takes no updates")
        headers = {"Accept": None, **dict(exchange.headers)}  # only the manifest's headers
        response = endpoint.session.request(exchange.method, url, data=exchange.body,
                                            headers=headers, timeout=TIMEOUT,
                                            allow_redirects=False)
        where = f"request {number} ({exchange.method} {urlsplit(url).path})"
        if str(response.status_code)[0] not in exchange.statuses:
            if "2" in exchange.statuses and is_policy_refusal(response):
                return Outcome("policy", response.text.strip())
            return Outcome("fail", f"{where}: expected status {'/'.join(sorted(exchange.statuses))}"
                           f"xx, got {_seen(response)}")
        if exchange.expected_format is None:
            continue
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        kinds = RDF_TYPES if exchange.expected_format == "RDF" else RESULT_TYPES
        if media_type not in kinds:
            return Outcome("fail", f"{where}: expected {exchange.expected_format} results, got "
                           f"{media_type or 'no Content-Type'}")
        try:
            answer = parse_answer(response.content, media_type)
        except Exception as error:
            return Outcome("fail", f"{where}: unreadable {media_type} answer: {error}")
        if exchange.expected_format == "boolean" and answer.boolean is None:
            return Outcome("fail", f"{where}: expected a boolean, got {answer.describe()}")
        if exchange.expected_format == "tabular" and answer.solutions is None:
            return Outcome("fail", f"{where}: expected solutions, got {answer.describe()}")
        if exchange.expected_boolean is not None and answer.boolean != exchange.expected_boolean:
            return Outcome("fail", f"{where}: expected {exchange.expected_boolean}, got "
                           f"{answer.describe()}")
    return Outcome("pass")
