"""The benchmark harness (`sozialgraph bench`, `make bench`): this endpoint against Oxigraph's
server, rdflib-endpoint and pyoxigraph in process, on synthetic data. Targets and findings live
in docs/benchmarks.md."""
