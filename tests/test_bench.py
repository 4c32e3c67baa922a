"""The benchmark harness (tools/bench/): the answer comparison, the report, its generated regions
and its targets, the measured build, and one end-to-end smoke run (`sozialgraph bench --smoke`)
with all four peers on a tiny size. No timing is asserted anywhere: the machine is shared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sozialgraph.settings import CHECKOUT_ROOT
from sozialgraph_bench import answers, config, environment, phases, plot, regions, report, targets

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def _json(bindings, names=("x",)):
    return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": bindings}}).encode()


# ---- comparing answers ------------------------------------------------------------------------

def test_answers_compare_as_multisets_with_normalised_terms():
    a = _json([{"x": {"type": "literal", "value": "1.50",
                      "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}},
               {"x": {"type": "bnode", "value": "b0"}},
               {"x": {"type": "literal", "value": "Kita", "xml:lang": "DE"}},
               {"x": {"type": "literal", "value": "plain",
                      "datatype": "http://www.w3.org/2001/XMLSchema#string"}}])
    b = _json([{"x": {"type": "literal", "value": "plain"}},
               {"x": {"type": "literal", "value": "Kita", "xml:lang": "de"}},
               {"x": {"type": "bnode", "value": "f81d"}},
               {"x": {"type": "literal", "value": "1.5E0",
                      "datatype": "http://www.w3.org/2001/XMLSchema#double"}}])
    assert answers.compare(answers.normal_answer(a), answers.normal_answer(b)) == "match"


def test_a_missing_row_is_a_mismatch():
    one = _json([{"x": {"type": "uri", "value": "http://x/a"}}])
    two = _json([{"x": {"type": "uri", "value": "http://x/a"}},
                 {"x": {"type": "uri", "value": "http://x/a"}}])  # a duplicate counts
    verdict = answers.compare(answers.normal_answer(one), answers.normal_answer(two))
    assert verdict.startswith("2 rows vs 1")
    ask = json.dumps({"head": {}, "boolean": True}).encode()
    assert answers.normal_answer(ask) == ("boolean", True)


def test_group_concat_order_and_language_tag_compare_loosely():
    query = 'SELECT (GROUP_CONCAT(?l; separator=" | ") AS ?x) WHERE { ?a ?b ?l }'
    oxigraph = _json([{"x": {"type": "literal", "value": "b | a", "xml:lang": "de"}}])
    rdflib = _json([{"x": {"type": "literal", "value": "a | b"}}])
    strict = answers.compare(answers.normal_answer(oxigraph), answers.normal_answer(rdflib))
    assert strict != "match"
    assert answers.compare(answers.loosely(answers.normal_answer(oxigraph), query),
                         answers.loosely(answers.normal_answer(rdflib), query)) == "match"
    other = _json([{"x": {"type": "literal", "value": "a | c"}}])
    assert answers.compare(answers.loosely(answers.normal_answer(oxigraph), query),
                         answers.loosely(answers.normal_answer(other), query)) != "match"


def test_sizes_and_percentiles():
    assert config.parse_sizes("1e5, 1e6") == [100_000, 1_000_000]
    assert config.parse_sizes("20_000") == [20_000]
    with pytest.raises(ValueError):
        config.parse_sizes("1.5")
    assert config.size_name(1_000_000) == "10^6"
    assert config.percentile([3, 1, 2, 4], 50) == 2
    assert config.percentile([3, 1, 2, 4], 95) == 4
    assert config.percentile([], 50) is None


# ---- report and targets -----------------------------------------------------------------------

def _fake_results(ours_p50: float, oxigraph_p50: float, rdflib_timeout: bool) -> dict:
    slugs = ["funding-per-year", "sources-overview"]
    latency = {
        "sozialgraph": {s: {"n": 5, "p50": ours_p50, "p95": ours_p50 * 2} for s in slugs},
        "oxigraph": {s: {"n": 5, "p50": oxigraph_p50, "p95": oxigraph_p50} for s in slugs},
        "rdflib-endpoint": {s: ({"timeout": "no answer", "n": 0} if rdflib_timeout else
                                {"n": 2, "p50": ours_p50 * 5, "p95": ours_p50 * 5})
                            for s in slugs},
        "pyoxigraph": {s: {"n": 5, "p50": 0.001, "p95": 0.002} for s in slugs},
    }
    answers = {s: {p: {"rows": 3, "match": "match"} for p in config.PEERS} for s in slugs}
    run = {"clients": 8, "completed": 40, "errors": 0, "timeouts": 0, "seconds": 4.0,
           "p50": 0.1, "p95": 0.2, "stopped_by": "requests"}
    settings = config.Settings(sizes=[1_000_000]).record()
    return {
        "started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T01:00:00Z",
        "machine": environment.machine(), "settings": settings,
        "sizes": {"1000000": {
            "size": 1_000_000, "notes": [], "data": {"triples": 1_000_000, "graphs": 3,
                                                     "documents": 1, "seconds": 1.0},
            "store_quads": 2_000_000, "store_from": "build",
            "build": {"status": "ok", "seconds": 80.0, "wall_seconds": 81.0, "peak_mb": 3000.0,
                      "stages": [{"stage": "parse", "seconds": 40.0, "peak_mb": 3000.0}]},
            "answers": answers, "mismatches": [], "latency": latency,
            "throughput": {p: {"mix": slugs, "runs": {"8": dict(run, qps=q)}}
                           for p, q in (("sozialgraph", 9.0), ("oxigraph", 10.0))},
            "search": {"index": {"entities": 10, "bytes": 1000, "seconds": 0.1},
                       "timing": {"requests": 32, "p50": ours_p50, "p95": ours_p50 * 3,
                                  "max": ours_p50 * 4, "queries": {}}},
        }},
    }


def test_targets_met_and_missed():
    met = {row["target"]: row["verdict"] for row in targets.verdicts(_fake_results(0.011, 0.010,
                                                                                    True))}
    assert set(met.values()) == {"met"}
    missed = {row["target"]: row["verdict"] for row in targets.verdicts(_fake_results(0.02, 0.01,
                                                                                      False))}
    assert missed[targets.NAMES[0]] == "missed"  # rdflib only 5x slower
    assert missed[targets.NAMES[1]] == "missed"  # 2x Oxigraph
    assert missed[targets.NAMES[2]] == "met"
    assert missed[targets.NAMES[3]] == "met"
    assert missed[targets.NAMES[4]] == "missed"  # search p95 3 x 20 ms = 60 ms


def test_report_has_every_section_and_the_plot(tmp_path):
    results = _fake_results(0.011, 0.010, True)
    svg = plot.render_svg(results)
    assert svg.startswith("<svg") and "funding-per-year" in svg and "timeout" in svg
    text = report.render_report(results, tmp_path / "benchmarks.svg", tmp_path / "b.md")
    for section in report.HEADINGS:
        assert section in text
    assert "![p50 per curated query](benchmarks.svg)" in text
    assert "| funding-per-year |" in text


def test_the_report_keeps_what_people_wrote_and_replaces_the_figures(tmp_path):
    out = tmp_path / "b.md"
    first = report.render_report(_fake_results(0.011, 0.010, True), None, out)
    # a new report starts from the checkout's docs/benchmarks.md: its prose, these figures
    assert "## How to run" in first and "**met**" in first and "**missed**" not in first
    written = first.replace("## Profiling and changes\n", "## Profiling and changes\n\n"
                            "A finding of ours, written by hand.\n")
    begin = regions.BEGIN.format("notes")
    written = written.replace(begin + "\n", begin + "\nstale text inside a region\n")
    out.write_text(written, encoding="utf-8")
    second = report.render_report(_fake_results(0.02, 0.01, False), None, out)
    assert "A finding of ours, written by hand." in second
    assert "stale text inside a region" not in second
    assert "**missed**" in second
    # outside the regions, the text is what was written
    assert _outside_regions(second) == _outside_regions(written)


def _outside_regions(text: str) -> list[str]:
    kept, inside = [], False
    for line in text.splitlines():
        if line.startswith("<!-- begin generated:"):
            inside = True
        elif line.startswith("<!-- end generated:"):
            inside = False
        elif not inside:
            kept.append(line)
    return kept


def test_a_report_without_its_regions_is_refused_and_left_alone(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps(_fake_results(0.011, 0.010, True)), encoding="utf-8")
    out = tmp_path / "notes.md"
    out.write_text("# My notes\n\nNot a report.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sozialgraph.cli", "bench", "--render",
                           str(results), "--out", str(out)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode != 0
    assert "lacks the generated regions" in done.stderr and "summary" in done.stderr
    assert out.read_text(encoding="utf-8") == "# My notes\n\nNot a report.\n"
    assert not out.with_suffix(".svg").exists()
    # the same report with its regions is filled
    good = tmp_path / "good.md"
    done = subprocess.run([sys.executable, "-m", "sozialgraph.cli", "bench", "--render",
                           str(results), "--out", str(good)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "| funding-per-year |" in good.read_text(encoding="utf-8")


@pytest.mark.parametrize("text, problem", [
    ("<!-- begin generated: a -->\n", "no end marker"),
    ("<!-- end generated: a -->\n", "none is open"),
    ("<!-- begin generated: a -->\n<!-- begin generated: b -->\n", "begins inside"),
    ("<!-- begin generated: a -->\n<!-- end generated: a -->\n" * 2, "twice"),
    ("<!-- begin generated: A -->\n", "not a region marker"),
])
def test_broken_region_markers_are_named(text, problem):
    with pytest.raises(ValueError, match=problem):
        regions.names(text)


def test_unknown_and_missing_regions_are_named():
    text = "<!-- begin generated: a -->\n<!-- end generated: a -->\n"
    with pytest.raises(ValueError, match="lacks the generated regions b.*nobody generates: a"):
        regions.fill(text, {"b": ["x"]})
    assert regions.fill(text, {"a": ["x"]}) == ("<!-- begin generated: a -->\n\nx\n\n"
                                                "<!-- end generated: a -->\n")


def test_outside_a_checkout_a_report_starts_from_an_outline(tmp_path):
    text = report.render_report(_fake_results(0.011, 0.010, True), None, tmp_path / "b.md",
                                fallback=None)
    assert regions.names(text) == list(report.REGIONS)
    for section in report.HEADINGS:
        assert section in text
    assert "## How to run" not in text  # the checkout's prose is not there


def test_the_report_names_the_commit_of_the_checkout():
    assert CHECKOUT_ROOT is not None  # the tests run from a checkout
    assert environment.default_report() == CHECKOUT_ROOT / "docs" / "benchmarks.md"
    described = subprocess.run(["git", "-C", str(CHECKOUT_ROOT), "describe", "--always",
                                "--dirty"], capture_output=True, text=True, check=False)
    if described.returncode != 0:
        pytest.skip("the checkout has no git history")
    commit = environment.machine()["commit"]
    assert commit == described.stdout.strip()
    results = dict(_fake_results(0.011, 0.010, True), machine=environment.machine())
    assert f"- Code: commit {commit} of this repository" in "\n".join(
        report.generated(results, None, Path("b.md"))["machine"])


def test_the_committed_report_has_every_region():
    text = (CHECKOUT_ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    regions.check(text, report.REGIONS, "docs/benchmarks.md")
    for name in targets.NAMES:  # the targets as targets.toml states them
        assert f"| {name} |" in text


# ---- the measured build -----------------------------------------------------------------------

def test_measured_build_reports_every_stage(tmp_path):
    from sozialgraph_synth import synth

    synth.generate(synth.MIN_TRIPLES, 5, tmp_path / "synth")
    counts = phases.split_into_graph_files(tmp_path / "synth", tmp_path / "graphs")
    manifest = synth.read_manifest(tmp_path / "synth")
    assert sum(counts.values()) == manifest["triples"]
    result = phases.run_build(tmp_path / "graphs", tmp_path / "store", 600, tmp_path / "log")
    assert result["status"] == "ok", result
    assert [s["stage"] for s in result["stages"]] == ["start", "parse", "entail", "infer", "write",
                                                       "index", "validate"]
    assert all(s["peak_mb"] > 0 for s in result["stages"])
    # validation ran in a process of its own; the build's peak counts both processes
    assert result["timings"]["validator"] > 0 and result["validator_peak_mb"] > 0
    assert result["peak_bound_mb"] > max(s["peak_mb"] for s in result["stages"])
    assert 0 < result["peak_mb"] <= result["peak_bound_mb"]
    assert result["total_triples"] > manifest["triples"]


# ---- end to end -------------------------------------------------------------------------------

@pytest.mark.skipif(not OXIGRAPH.exists(), reason="the oxigraph server binary is missing")
def test_smoke_run_end_to_end(tmp_path):
    pytest.importorskip("rdflib_endpoint", reason="the bench extra is not installed")
    pytest.importorskip("uvicorn", reason="the bench extra is not installed")
    out = tmp_path / "report" / "benchmarks.md"
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, "-m", "sozialgraph.cli", "bench", "--smoke", "--work", str(tmp_path / "w"),
         "--out", str(out)], capture_output=True, text=True, timeout=600, env=env,
        cwd=PROJECT_ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    for section in report.HEADINGS:
        assert section in text, section
    assert "All answers matched." in text
    assert "**Smoke run**" in text and "## How to run" in text  # the checkout's prose
    assert out.with_suffix(".svg").read_text(encoding="utf-8").startswith("<svg")

    results = json.loads((tmp_path / "w" / "results.json").read_text())
    (record,) = results["sizes"].values()
    assert record["build"]["status"] == "ok"
    assert record["mismatches"] == []
    for slug, row in record["answers"].items():
        assert set(row) == set(config.PEERS), slug
        for peer in ("sozialgraph", "oxigraph", "pyoxigraph"):
            assert row[peer]["match"] in ("match", "reference"), (slug, peer, row[peer])
    # the curated queries answer on synthetic data: most of them with rows
    assert sum(1 for row in record["answers"].values() if row["pyoxigraph"]["rows"]) >= 12
    for peer in config.PEERS:
        assert record["latency"][peer], peer
        assert record["throughput"][peer]["runs"], peer
    # every server the run started has stopped
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path / "w")], capture_output=True,
                              text=True, check=False).stdout.split()
    assert leftover == []


def test_loadtest_smoke(tmp_path):
    """`make loadtest` end to end at a tiny size: every request answered, fair sharing, a
    killed worker and a build killed at one stage reported (the figures mean nothing here)."""
    out = tmp_path / "reliability.md"
    done = subprocess.run(
        [sys.executable, "-m", "sozialgraph_bench.loadtest", "--requests", "60", "--clients",
         "4", "--fairness-seconds", "3", "--stages", "write", "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert results["load"]["statuses"] == {"200": 60}
    assert results["killed_worker"]["killed_request"] == 503
    assert results["killed_worker"]["next_query"] == 200
    assert results["fairness"]["cheap_ok"] >= 1
    (killed_build,) = results["killed_builds"]
    assert killed_build["stage"] == "write" and killed_build["query_after"] == 200
    assert killed_build["served_after"] == killed_build["served_before"]
    report = out.read_text(encoding="utf-8")
    for section in ("## Load", "## Fair sharing", "## A killed query worker",
                    "## The build killed at each stage"):
        assert section in report
