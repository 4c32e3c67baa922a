"""What a run is measured on: the machine, the packages, and the source checkout.

The benchmark is a tool of the source checkout, not of an installed Sozialgraph: the report
names the commit it measured (`git describe --always --dirty` in the checkout), its hand-written
prose is docs/benchmarks.md of the checkout, and that file is where `sozialgraph bench` writes
by default. The checkout is `sozialgraph.settings.CHECKOUT_ROOT`, the one the `sozialgraph`
package is imported from (an editable install, as `make install` makes), wherever the command is
started. Outside a checkout (sozialgraph installed from a wheel), or in a checkout without git,
the report says the commit is unknown, `--out` has no default and must be given, and a new
report starts from a bare outline of headings and generated regions.

Imports sozialgraph.settings and config.
"""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sozialgraph.settings import CHECKOUT_ROOT
from sozialgraph_bench.config import oxigraph_binary

REPORT = Path("docs") / "benchmarks.md"  # in the checkout
PACKAGES = ("pyoxigraph", "oxigraph", "rdflib", "pyshacl", "owlrl", "flask", "gunicorn",
            "rdflib-endpoint", "fastapi", "uvicorn")


def checkout_report() -> Path | None:
    """docs/benchmarks.md of the checkout, or None outside a checkout."""
    return None if CHECKOUT_ROOT is None else CHECKOUT_ROOT / REPORT


def default_report() -> Path:
    """Where the report goes when no --out is given: the checkout's docs/benchmarks.md."""
    report = checkout_report()
    if report is None:
        raise ValueError("sozialgraph is not imported from a source checkout, so the report has "
                         "no default place: give --out (the report then names no commit and "
                         "starts from a bare outline)")
    return report


def commit() -> str | None:
    """The checkout's `git describe --always --dirty`, or None (no checkout, no git)."""
    if CHECKOUT_ROOT is None:
        return None
    try:
        done = subprocess.run(["git", "-C", str(CHECKOUT_ROOT), "describe", "--always",
                               "--dirty"], capture_output=True, text=True, timeout=10,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def machine() -> dict:
    """CPU, memory, system, packages, the Oxigraph server's version, load, and the commit."""
    binary = oxigraph_binary()
    try:
        server_version = subprocess.run([str(binary), "--version"], capture_output=True,
                                        text=True, timeout=10, check=False).stdout.strip()
    except OSError:
        server_version = "missing"
    memory_kib = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "cpu": _proc_field("/proc/cpuinfo", "model name") or "unknown",
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory_kib.split()[0]) / 2**20, 1) if memory_kib else None,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in PACKAGES},
        "oxigraph_binary": server_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "commit": commit(),
    }


def _proc_field(path: str, name: str) -> str | None:
    """The value of the first `name: value` line of a /proc file, if there is one."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.split(":", 1)[0].strip() == name:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
