"""The phases before the queries: the synthetic data split into one file per graph, the
measured build (sozialgraph_bench.build in a child process), and the store loaded without the
build when the build did not finish. Imports config, sozialgraph and sozialgraph_synth."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from sozialgraph_bench.config import kill_group


def split_into_graph_files(synth_dir: Path, graphs_dir: Path) -> dict[str, int]:
    """The synthetic N-Quads as one `<name>.ttl` per named graph (N-Triples lines, valid Turtle)
    for `sozialgraph build`, which makes `graphs/<name>.ttl` the graph sgg:<name>."""
    from sozialgraph.rdf.namespaces import GRAPH
    from sozialgraph_synth.synth import read_manifest

    if graphs_dir.exists():
        shutil.rmtree(graphs_dir)
    graphs_dir.mkdir(parents=True)
    files, counts = {}, {}
    try:
        path = synth_dir / read_manifest(synth_dir)["file"]
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name.value
            if not graph.startswith(str(GRAPH)):
                raise ValueError(f"unexpected graph {graph} in the synthetic data")
            stem = graph.removeprefix(str(GRAPH))
            if stem not in files:
                files[stem] = open(graphs_dir / f"{stem}.ttl", "w",  # noqa: SIM115
                                   encoding="utf-8")
                counts[stem] = 0
            files[stem].write(f"{quad.triple} .\n")
            counts[stem] += 1
    finally:
        for handle in files.values():
            handle.close()
    return counts


def run_build(graphs_dir: Path, store_dir: Path, timeout: float, log_file: Path) -> dict:
    """`sozialgraph.pipeline.build.build` in a child process; stage times and peaks from its
    JSON lines (sozialgraph_bench.build)."""
    began = time.perf_counter()
    stages: list[dict] = []
    done: dict | None = None
    with open(log_file, "wb") as errors:
        process = subprocess.Popen([sys.executable, "-m", "sozialgraph_bench.build",
                                    str(graphs_dir), str(store_dir)], stdout=subprocess.PIPE,
                                   stderr=errors, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        timer = threading.Timer(timeout, lambda: kill_group(process))
        timer.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                record = json.loads(line)
                if record.get("done"):
                    done = record
                else:
                    stages.append(record)
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            timer.cancel()
    wall = time.perf_counter() - began
    result = {"stages": stages, "wall_seconds": round(wall, 2),
              "peak_mb": max((s["peak_mb"] for s in stages), default=None),
              "child_maxrss_mb": round(usage.ru_maxrss / 1024, 1)}
    if done is not None:
        result.update(status="ok", seconds=done["seconds"], timings=done["timings"],
                      total_triples=done["total_triples"], inferred=done["inferred"],
                      build_dir=done["build_dir"], per_stage_peaks=done["per_stage_peaks"],
                      validator_peak_mb=done.get("validator_peak_mb"))
        if result["peak_mb"] is not None and done.get("validator_peak_mb"):
            # the validation process runs beside the stages: the peak of both together, as
            # sampled, and the bound of both peaks added (each is rounded to 0.1 MB, so the
            # bound adds the 0.1 MB the two roundings may have taken off: a sampled peak of
            # 193.4 MB was seen above an unpadded bound of 193.3)
            result["peak_bound_mb"] = round(result["peak_mb"] + done["validator_peak_mb"] + 0.1,
                                            1)
            result["peak_mb"] = done.get("tree_peak_mb") or result["peak_bound_mb"]
    elif wall >= timeout:
        result.update(status="timeout", seconds=None)
    else:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-3:]
        result.update(status="failed", seconds=None, error=" / ".join(tail))
    return result


def fallback_store(synth_dir: Path, store_dir: Path) -> Path:
    """The build's store layout without the build (no validation, no inference): for the query
    benchmarks when the build did not finish."""
    from sozialgraph_synth.synth import load_into_store

    if store_dir.exists():
        shutil.rmtree(store_dir)
    store = ox.Store(str(store_dir))
    load_into_store(synth_dir, store)
    store.optimize()
    del store
    return store_dir
