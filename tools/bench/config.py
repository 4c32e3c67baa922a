"""The benchmark's settings, constants and small helpers: sizes, percentiles, free ports, the machine."""

from __future__ import annotations

import math
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from sozialgraph.settings import CHECKOUT_ROOT

PEERS = ("sozialgraph", "oxigraph", "rdflib-endpoint", "pyoxigraph")
SERVERS = PEERS[:3]
LABELS = {"sozialgraph": "this endpoint", "oxigraph": "Oxigraph server",
          "rdflib-endpoint": "rdflib-endpoint", "pyoxigraph": "pyoxigraph in process"}
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "byte", "nonNegativeInteger", "positiveInteger",
                             "nonPositiveInteger", "negativeInteger", "unsignedInt",
                             "unsignedLong", "unsignedShort", "unsignedByte")}
REPORT_SECTIONS = ("## Summary", "## Targets", "## Machine", "## Method", "## Data",
                   "## Build", "## Correctness", "## Latency", "## Throughput",
                   "## Profiling and changes", "## Notes")


@dataclass
class Settings:
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
    out: Path = Path("docs") / "benchmarks.md"  # from the checkout, as `make bench` runs it
    plot: Path | None = None  # default: the report's name with .svg
    work_dir: Path | None = None  # default: a temporary folder, removed afterwards
    smoke: bool = False
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)

    @classmethod
    def for_smoke(cls, **overrides) -> Settings:
        values = {"sizes": [5_000], "clients": [1, 2], "requests": 16,
                  "throughput_seconds": 10, "repetitions": 3, "rdflib_repetitions": 2,
                  "query_budget": 5, "query_cap": 10, "build_timeout": 300, "smoke": True}
        values.update(overrides)
        return cls(**values)


# ---- small helpers ------------------------------------------------------------------------------

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


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    binary = oxigraph_binary()
    try:
        server_version = subprocess.run([str(binary), "--version"], capture_output=True,
                                        text=True, timeout=10, check=False).stdout.strip()
    except OSError:
        server_version = "missing"
    commit = None  # the report says "unknown" outside a checkout (an installed package)
    if CHECKOUT_ROOT is not None:
        try:
            commit = subprocess.run(["git", "-C", str(CHECKOUT_ROOT), "describe", "--always",
                                     "--dirty"], capture_output=True, text=True, timeout=10,
                                    check=False).stdout.strip() or None
        except OSError:
            commit = None
    packages = ["pyoxigraph", "oxigraph", "rdflib", "pyshacl", "owlrl", "flask", "gunicorn",
                "rdflib-endpoint", "fastapi", "uvicorn"]
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in packages},
        "oxigraph_binary": server_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "commit": commit,
    }


def oxigraph_binary() -> Path:
    return Path(sys.executable).parent / "oxigraph"
