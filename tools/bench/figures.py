"""Reading a run's results for the report, the targets and the plot: a query's p50 on a peer,
whether it timed out, and milliseconds and ratios as the report writes them. Imports nothing
of the benchmark."""

from __future__ import annotations


def p50(record: dict, peer: str, slug: str) -> float | None:
    """The p50 latency (seconds) of query `slug` on `peer` in one size's record, if measured."""
    cell = record.get("latency", {}).get(peer, {}).get(slug)
    return None if cell is None else cell.get("p50")


def timed_out(record: dict, peer: str, slug: str) -> bool:
    cell = record.get("latency", {}).get(peer, {}).get(slug)
    return bool(cell and "timeout" in cell)


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds with three significant digits or so: 0.0123 -> 12.3."""
    if seconds is None:
        return "–"
    if seconds >= 10:
        return f"{seconds * 1000:,.0f}".replace(",", " ")
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f}"
    return f"{seconds * 1000:.2f}" if seconds < 0.01 else f"{seconds * 1000:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    value = a / b
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def qps(record: dict, peer: str, clients: str) -> float | None:
    """Queries per second of `peer` with `clients` client threads, if measured."""
    run = record.get("throughput", {}).get(peer, {}).get("runs", {}).get(clients)
    return None if run is None else run.get("qps")
