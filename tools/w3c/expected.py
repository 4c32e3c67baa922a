"""What this project is expected to fail or refuse in the W3C suites: one place, each entry with
its cause. The tests mark the failures `xfail(strict=True)`, so a fix shows up as an unexpected
pass; `sozialgraph conformance` names them in docs/conformance.md.

Causes: `engine` is the behaviour of the engine underneath (pyoxigraph / Oxigraph for SPARQL,
pyshacl-turbo and pySHACL for SHACL: Oxigraph's server and pySHACL fail the same tests where
they run them), `endpoint` is ours. Policy refusals are not failures: the service says it will
not do something (SERVICE, graphs the store lacks, updates), and the message says it is policy.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGINE, ENDPOINT = "engine", "endpoint"


@dataclass(frozen=True)
class Known:
    cause: str  # ENGINE or ENDPOINT
    reason: str


def _engine(reason: str) -> Known:
    return Known(ENGINE, reason)


_CANONICAL = ("Oxigraph's store keeps literals in its own canonical form: "
              '"-3"^^xsd:negativeInteger comes back as "-3"^^xsd:integer and '
              '"1000000.0"^^xsd:double as "1000000"')
_NOT_APPROVED = " (a test the manifest gives no approval)"

SPARQL_FAILURES: dict[str, Known] = {
    # syntax
    "syntax-query/syntax-select-expr-04.rq": _engine(
        "an unknown function must be an expression error (the variable stays unbound); the "
        "engine stops the query instead: 'The custom function <http://example/function> is not "
        "supported' (400 here, 500 from Oxigraph's server)"),
    # query evaluation
    "aggregates/agg-groupconcat-04": _engine(
        'GROUP_CONCAT of "1"@en and "2"@en gives "1 2"@en, the test expects a simple literal'
        + _NOT_APPROVED),
    "aggregates/agg-groupconcat-06": _engine(
        'GROUP_CONCAT of "1"@en gives "1"@en, the test expects a simple literal'
        + _NOT_APPROVED),
    "aggregates/agg-empty-group-count-graph": _engine(
        "a grouped subquery inside GRAPH ?g gives one row without ?g instead of one row per "
        "named graph (COUNT 0 for the graph without matches)" + _NOT_APPROVED),
    "bindings/graph": _engine(
        "VALUES inside GRAPH ?g that binds ?g (or leaves it UNDEF) is not joined with each "
        "named graph" + _NOT_APPROVED),
    "csv-tsv-res/csv03": _engine(_CANONICAL + ", and CSV carries the lexical form"),
    "csv-tsv-res/tsv03": _engine(_CANONICAL),
    "functions/bnode01": _engine(
        "BNODE(str) gives the same blank node for the same string across solutions; SPARQL "
        "asks for the same node only within one solution"),
    "negation/graph-minus": _engine(
        "MINUS inside GRAPH ?g takes ?g as shared by both sides, so it removes a solution it "
        "shares no variable with" + _NOT_APPROVED),
    "property-path/zero_or_more_set_start": _engine(
        "a zero-length path (p*) with a constant end that is not in the data matches nothing; "
        "the test expects the constant itself" + _NOT_APPROVED),
    "property-path/zero_or_more_set_end": _engine(
        "as zero_or_more_set_start, with the constant at the start of the path" + _NOT_APPROVED),
    "property-path/zero_or_one_set_start": _engine(
        "as zero_or_more_set_start, for p?" + _NOT_APPROVED),
    "property-path/zero_or_one_set_end": _engine(
        "as zero_or_more_set_end, for p?" + _NOT_APPROVED),
    "graph/graph-variable-scope": _engine(
        "the variable of GRAPH ?g is in scope inside it (FILTER(BOUND(?g)) holds); the test "
        "expects it unbound there" + _NOT_APPROVED),
    "graph/graph-optional": _engine(
        "the variable of GRAPH ?g is used inside a nested OPTIONAL; the test expects it "
        "unbound there" + _NOT_APPROVED),
}

# Policy refusals: the test's name and why the service refuses it.
SERVICE = "SERVICE: the endpoint answers only from its own store and fetches nothing"
NO_SUCH_GRAPH = ("names a graph the store lacks ({}); the endpoint never fetches data and "
                 "refuses graphs it does not hold")
READ_ONLY = "an update: the service is read-only"
DATA0 = NO_SUCH_GRAPH.format("default-graph-uri http://kasei.us/2009/09/sparql/data/data0.rdf, "
                             "a graph the test never loads")

SPARQL_POLICY: dict[str, str] = {
    "syntax-query/syntax-construct-where-02.rq": NO_SUCH_GRAPH.format(
        "FROM <file>, resolved against the endpoint's URL"),
    "syntax-fed/syntax-service-01.rq": SERVICE,
    "syntax-fed/syntax-service-02.rq": SERVICE,
    "syntax-fed/syntax-service-03.rq": SERVICE,
    **{f"protocol/{name}": DATA0 for name in (
        "query_post_form", "query_get", "query_content_type_select", "query_content_type_ask",
        "query_content_type_describe", "query_content_type_construct")},
    **{f"protocol/{name}": READ_ONLY for name in (
        "update_dataset_default_graph", "update_dataset_default_graphs",
        "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
        "update_post_direct", "update_base_uri")},
}

_ILL_FORMED = ("the data are read through an Oxigraph store, which turns the ill-formed "
               '"300"^^xsd:byte into "300"^^xsd:integer, so the report names another value')
_UNIQUE_LANG = ('the data hold "HI"@en and "Hi"@en and the shape says sh:uniqueLang "1"^^'
                "xsd:boolean; the test expects conformance, pyshacl-turbo and pySHACL both "
                "report one violation")

# SHACL: per route, the test's name (suite/folder/name) and why it fails.
SHACL_FAILURES: dict[str, dict[str, Known]] = {
    "service": {
        "core/property/datatype-ill-formed": _engine(_ILL_FORMED),
        "core/property/uniqueLang-002": _engine(_UNIQUE_LANG),
        "core/property/or-datatypes-001": Known(ENDPOINT, (
            "/validate reads uploads with rdflib, which turns the ill-formed "
            '"none"^^xsd:boolean into false; the report then lacks the result for the value 42 '
            "(sozialgraph validate, which reads with Oxigraph, passes)")),
    },
    "command": {
        "core/property/datatype-ill-formed": _engine(_ILL_FORMED),
        "core/property/uniqueLang-002": _engine(_UNIQUE_LANG),
    },
}
