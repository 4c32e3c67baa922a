"""`make bench-explore` (`python -m sozialgraph_bench.explore`): how long /explore takes to draw
in Chromium, written to docs/explore-speed.md.

It builds the project's store (or takes one with --store), starts `sozialgraph serve` on
loopback (two web processes, as documented), and loads /explore in Debian's chromium through
Playwright, each load in a fresh browser context (no HTTP cache, so the libraries come over the
wire every time). A load's time is from the start of the navigation to the page's
`explore-ready` performance mark, which explore.js sets once every chart is drawn; the HTML's
own time (request start to response end) and DOMContentLoaded are given beside it.

The first load of each web process also runs the five curated queries (their answers are then
kept per process), so the loads whose page says so in its `Server-Timing` header ("cold") are
reported apart from the rest ("warm"). The target of issue 12 is under 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sozialgraph_bench.config import free_port, percentile
from sozialgraph_bench.environment import commit

TARGET_MS = 1500
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMING = """() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const ready = performance.getEntriesByName("explore-ready")[0];
    const queries = (nav.serverTiming || []).find(t => t.name === "queries");
    return {ready: ready ? ready.startTime : null, html: nav.responseEnd - nav.requestStart,
            dom: nav.domContentLoadedEventEnd,
            cold: Boolean(queries && !queries.description.startsWith("0 "))};
}"""


def serve(store: Path):
    """`sozialgraph serve` on a free loopback port: (process, base URL)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from sozialgraph.cli import main; main()", "serve", "--store",
         str(store), "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def measure(url: str, loads: int) -> list[dict]:
    """`loads` loads of /explore, each in a fresh context; only this server may be reached."""
    from playwright.sync_api import sync_playwright

    own = url.split("//", 1)[1]
    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for _ in range(loads):
                context = browser.new_context(viewport={"width": 1300, "height": 1000})
                context.route("**/*", lambda route: route.continue_()
                              if route.request.url.split("//", 1)[-1].startswith(own)
                              else route.abort())
                page = context.new_page()
                page.goto(url + "/explore", wait_until="commit")
                page.wait_for_selector("body[data-explore=ready]", timeout=60_000)
                timings.append(page.evaluate(TIMING))
                context.close()
        finally:
            browser.close()
    return timings


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                              timeout=30, check=False).stdout.strip() or "unknown"
    except OSError:
        return "missing"


def report(timings: list[dict]) -> str:
    """The Markdown report: one row for the cold loads, one for the warm ones."""
    def row(name: str, part: list[dict]) -> str:
        if not part:
            return f"| {name} | 0 | – | – | – | – | – |"
        ready = [t["ready"] for t in part]
        html = [t["html"] for t in part]
        met = "met" if ready and max(ready) < TARGET_MS else "**missed**"
        return (f"| {name} | {len(part)} | {percentile(ready, 50):.0f} | "
                f"{percentile(ready, 95):.0f} | {max(ready):.0f} | "
                f"{percentile(html, 50):.0f} | {met} |")
    lines = [
        "# /explore in the browser: time to draw",
        "",
        "Written by `make bench-explore` (`python -m sozialgraph_bench.explore`, "
        "tools/bench/explore.py); do not edit by hand.",
        "",
        "Each load of `/explore` runs in a fresh Chromium context (no HTTP cache: Observable "
        "Plot, d3 and the page come over loopback each time), against `sozialgraph serve` "
        "(two web processes) over the store the build makes from the project's graphs. "
        "**ready** is from the start of the navigation to the moment every chart is drawn "
        "(explore.js's `explore-ready` performance mark); **HTML** is the page's own request. "
        "The first load of each web process also runs the five curated queries the charts "
        "are drawn from (then kept per process): those loads, told apart by the page's "
        "`Server-Timing` header, are the cold row. Target "
        f"(issue 12): every load under {TARGET_MS / 1000:g} s.",
        "",
        "| loads | n | ready p50 (ms) | ready p95 (ms) | ready max (ms) | HTML p50 (ms) | "
        f"under {TARGET_MS / 1000:g} s |",
        "|---|---|---|---|---|---|---|",
        row("cold (the web process ran the queries)", [t for t in timings if t["cold"]]),
        row("warm (answers kept)", [t for t in timings if not t["cold"]]),
        "",
        f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"{chromium_version()}, Python {platform.python_version()}; load average at the end "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (the machine is shared). "
        f"Commit {commit() or 'unknown'}, "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC.",
        "",
    ]
    return "\n".join(lines)


def run(store: Path | None, loads: int, out: Path) -> list[dict]:
    """Build (unless `store` is given), serve, measure, write `out`; the timings."""
    with tempfile.TemporaryDirectory(prefix="bench-explore-") as work:
        if store is None:
            from sozialgraph.pipeline.build import build

            store = Path(work) / "store"
            build(store)
        server, url = serve(store)
        try:
            # a first load for each of the two web processes, as far as connections spread
            timings = measure(url, loads + 2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    out.write_text(report(timings), encoding="utf-8")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build one)")
    parser.add_argument("--loads", type=int, default=20, help="warm loads (default 20)")
    parser.add_argument("--out", type=Path, default=Path("docs/explore-speed.md"))
    options = parser.parse_args()
    timings = run(options.store, options.loads, options.out)
    print(f"{options.out}: {len(timings)} loads, ready max "
          f"{max(t['ready'] for t in timings):.0f} ms")


if __name__ == "__main__":
    main()
