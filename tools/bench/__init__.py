"""The benchmark harness (`sozialgraph bench`, `make bench`): this endpoint against Oxigraph's
server, rdflib-endpoint and pyoxigraph in process, on synthetic data (sozialgraph_bench.bench
describes a run and its modules). It imports sozialgraph and sozialgraph_synth; nothing of the
product imports it. The targets' numbers are in targets.toml; the prose of the report (method,
findings) is written by hand in docs/benchmarks.md around the regions a run fills."""
