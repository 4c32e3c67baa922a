"""The generated regions of docs/conformance.md from one run (sozialgraph_w3c.run): the counts
side by side, every policy refusal, every failure with its cause. The prose around them is
written by hand; sozialgraph_bench.regions keeps it.
Imports the benchmark's regions and the harness's modules.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from sozialgraph_bench import regions
from sozialgraph_w3c.expected import SHACL_FAILURES, SPARQL_FAILURES, SPARQL_POLICY
from sozialgraph_w3c.run import Row, Run
from sozialgraph_w3c.suites import w3c_dir

REGIONS = ("run", "sparql-counts", "shacl-counts", "policy", "failures")
SHACL_NAMES = {"service": "/validate", "command": "sozialgraph validate", "pyshacl": "pySHACL"}


_PORT = re.compile(r"http://127\.0\.0\.1:[0-9]+")
_LABEL = re.compile(r"_:[0-9a-f]{16,}")


def _one_line(text: str, limit: int = 220) -> str:
    """One line for a Markdown list, without what differs between machines and runs: the
    suites' folder (as `<w3c>/`), the servers' ports, generated blank node labels."""
    text = text.replace(w3c_dir().resolve().as_uri() + "/", "<w3c>/")
    text = _LABEL.sub("_:b", _PORT.sub("http://127.0.0.1:PORT", text))
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _totals(rows: list[Row], suite: str) -> Row:
    total = Row(suite, "**all**")
    for row in rows:
        for target, outcomes in row.outcomes.items():
            for name, outcome in outcomes.items():
                total.add(target, name, outcome)
    return total


def _by_suite(run: Run, prefix: str) -> list[tuple[str, list[Row]]]:
    suites: dict[str, list[Row]] = {}
    for row in run.rows:
        if row.suite.startswith(prefix):
            suites.setdefault(row.suite, []).append(row)
    return list(suites.items())


def sparql_counts(run: Run) -> list[str]:
    lines = ["| suite | group | tests | Sozialgraph passed | refused by policy | failed | "
             "Oxigraph's server passed | failed |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for suite, rows in _by_suite(run, "SPARQL"):
        for row in rows + ([_totals(rows, suite)] if len(rows) > 1 else []):
            lines.append(f"| {suite} | {row.group} | {row.size} | "
                         f"{row.count('sozialgraph', 'pass')} | "
                         f"{row.count('sozialgraph', 'policy')} | "
                         f"{row.count('sozialgraph', 'fail')} | "
                         f"{row.count('oxigraph', 'pass')} | {row.count('oxigraph', 'fail')} |")
    return lines


def shacl_counts(run: Run) -> list[str]:
    heads = " | ".join(f"{SHACL_NAMES[t]} passed | failed" for t in SHACL_NAMES)
    lines = [f"| suite | folder | tests | {heads} |", "|---|---|---:" + "|---:" * 6 + "|"]
    for suite, rows in _by_suite(run, "SHACL"):
        for row in rows + [_totals(rows, suite)]:
            cells = " | ".join(f"{row.count(t, 'pass')} | {row.count(t, 'fail')}"
                               for t in SHACL_NAMES)
            lines.append(f"| {suite} | {row.group} | {row.size} | {cells} |")
    return lines


def policy(run: Run) -> list[str]:
    lines = []
    for row in run.rows:
        for name, outcome in row.outcomes.get("sozialgraph", {}).items():
            if outcome.verdict == "policy":
                why = SPARQL_POLICY.get(name, "NOT LISTED in sozialgraph_w3c.expected")
                lines.append(f"- `{name}` ({row.suite}): {why}. The answer: "
                             f"`{_one_line(outcome.detail, 160)}`")
    return lines or ["None."]


def _failures(run: Run, target: str, known: dict) -> list[str]:
    lines = []
    for row in run.rows:
        for name, outcome in row.outcomes.get(target, {}).items():
            if outcome.verdict != "fail":
                continue
            if target in ("sozialgraph", "service", "command"):
                entry = known.get(name)
                cause = f"{entry.cause}: {entry.reason}" if entry else \
                    "NOT LISTED in sozialgraph_w3c.expected: " + _one_line(outcome.detail)
            else:
                cause = _one_line(outcome.detail)
            lines.append(f"- `{name}` ({row.suite}): {cause}")
    return lines or ["None."]


def failures(run: Run) -> list[str]:
    sections = [("This endpoint (`/sparql`)", "sozialgraph", SPARQL_FAILURES),
                ("Oxigraph's server", "oxigraph", {}),
                ("`/validate`", "service", SHACL_FAILURES["service"]),
                ("`sozialgraph validate`", "command", SHACL_FAILURES["command"]),
                ("pySHACL", "pyshacl", {})]
    lines: list[str] = []
    for title, target, known in sections:
        lines += [f"**{title}**", ""] + _failures(run, target, known) + [""]
    return lines[:-1]


def run_facts(run: Run) -> list[str]:
    versions = ", ".join(f"{name} {number}" for name, number in run.versions.items())
    return [f"Measured {datetime.date.today().isoformat()} by `sozialgraph conformance` in "
            f"{run.seconds:.0f} s ({versions})."]


def write(run: Run, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    content = {"run": run_facts(run), "sparql-counts": sparql_counts(run),
               "shacl-counts": shacl_counts(run), "policy": policy(run),
               "failures": failures(run)}
    path.write_text(regions.fill(text, content, str(path)), encoding="utf-8")
