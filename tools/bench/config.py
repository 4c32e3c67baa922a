"""The benchmark's settings and small helpers: the peers, sizes, percentiles, ports, processes.

Imports only the standard library; every other module of sozialgraph_bench may import it.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

PEERS = ("sozialgraph", "oxigraph", "rdflib-endpoint", "pyoxigraph")
SERVERS = PEERS[:3]  # the peers that are servers; pyoxigraph runs in a process of the benchmark
LABELS = {"sozialgraph": "this endpoint", "oxigraph": "Oxigraph server",
          "rdflib-endpoint": "rdflib-endpoint", "pyoxigraph": "pyoxigraph in process"}


@dataclass
class Settings:
    """One run's settings. The report lists them (its `settings` region) and its method, written
    by hand in docs/benchmarks.md, refers to them by these names."""

    sizes: list[int]
    clients: list[int] = field(default_factory=lambda: [1, 4, 8])
    requests: int = 400  # per throughput run (one peer, one client count)
    throughput_seconds: float = 60.0  # and at most this long
    repetitions: int = 20  # timed requests per query and server (after one warm-up)
    rdflib_repetitions: int = 5  # rdflib-endpoint is slow at 10^6: fewer
    query_budget: float = 30.0  # stop repeating a query on a peer after this many seconds
    query_cap: float = 60.0  # a request taking longer counts as a timeout
    build_timeout: float = 1800.0
    seed: int = 1
    workers: int = 2  # gunicorn web processes of `sozialgraph serve`
    peers: tuple[str, ...] = PEERS
    out: Path | None = None  # None: docs/benchmarks.md of the checkout (environment.py)
    plot: Path | None = None  # None: the report's name with .svg
    work_dir: Path | None = None  # None: a temporary folder, removed afterwards
    smoke: bool = False
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)

    @classmethod
    def for_smoke(cls, **overrides) -> Settings:
        values = {"sizes": [5_000], "clients": [1, 2], "requests": 16,
                  "throughput_seconds": 10, "repetitions": 3, "rdflib_repetitions": 2,
                  "query_budget": 5, "query_cap": 10, "build_timeout": 300, "smoke": True}
        values.update(overrides)
        return cls(**values)

    def record(self) -> dict:
        """The settings as results.json keeps them (paths as text, no log function)."""
        record = asdict(self)
        record.pop("log", None)
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in record.items()}


def parse_sizes(text: str) -> list[int]:
    """`1e5,1e6` -> [100000, 1000000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().replace("_", "")
        if part:
            value = float(part)
            if value <= 0 or value != int(value):
                raise ValueError(f"not a positive whole number: {part!r}")
            sizes.append(int(value))
    if not sizes:
        raise ValueError("no sizes given")
    return sizes


def parse_ints(text: str) -> list[int]:
    values = [int(p) for p in text.split(",") if p.strip()]
    if not values or min(values) < 1:
        raise ValueError(f"expected positive whole numbers: {text!r}")
    return values


def size_name(size: int) -> str:
    exponent = round(math.log10(size)) if size > 0 else 0
    if 10 ** exponent == size:
        return f"10^{exponent}"
    return f"{size:,}".replace(",", " ")


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def oxigraph_binary() -> Path:
    """The Oxigraph server of the `oxigraph` package, installed beside this interpreter."""
    return Path(sys.executable).parent / "oxigraph"


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group of a child this benchmark started with start_new_session."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
