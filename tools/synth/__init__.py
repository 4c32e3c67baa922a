"""Deterministic synthetic data shaped like the real graph (`sozialgraph synth`), for the
benchmark and for tests at scale. It imports sozialgraph; nothing of the product imports it.
sozialgraph_synth.synth is the entry point (generate, load_into_store, load_graph)."""
