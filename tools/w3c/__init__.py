"""The W3C test suites (SPARQL 1.1 syntax, Protocol and query evaluation; SHACL Core and
SHACL-SPARQL) run against this project's endpoint and validators, and against the reference
implementations (Oxigraph's server, pySHACL). The suites are read from ../shared/w3c beside the
checkout ($SOZIALGRAPH_W3C), never copied. `tests/test_w3c_*.py` run them as tests;
`sozialgraph conformance` counts them for docs/conformance.md.
"""
