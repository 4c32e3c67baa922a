"""Deterministic synthetic data shaped like the real graph (`sozialgraph synth`), for the
benchmark and for tests at scale."""
