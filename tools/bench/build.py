"""One measured build, run by the benchmark in a process of its own:

    python -m sozialgraph_bench.build GRAPHS_DIR STORE_DIR

runs `sozialgraph.pipeline.build.build` on the graphs in GRAPHS_DIR (the project's ontology and
shapes) and prints one JSON line per finished stage, `{"stage": name, "seconds": s, "peak_mb":
m}`, then a last line `{"done": true, ...}`. The peak is the process's resident-set high-water
mark during that stage: Linux lets a process reset its own mark (writing 5 to
/proc/self/clear_refs), which is done as each stage begins, so a stage's peak includes what the
earlier stages still hold but not their own transient peaks. Validation runs in a worker
process of its own, alongside the stages after `entail`; its own peak comes in the last line
(`validator_peak_mb`), with `tree_peak_mb`, the largest resident size of both processes
together, sampled every 0.2 s: the build's peak. (The largest stage peak plus the validator's
is an upper bound, as if both peaks were at the same moment and the pages the two processes
share were held twice.) Lines are printed as stages end, so a build stopped by the benchmark's
time limit still reports the stages it finished. Imports only sozialgraph.pipeline (and the
standard library).
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import threading
import time
from pathlib import Path

_STAGE_START = re.compile(r"^(\w+) \.\.\.$")
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    peak = _kib("VmHWM")
    if peak is None:  # no /proc: the peak of the whole process so far
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / 1024, 1)


class _TreeMemory:
    """Samples the resident set size of this process and its children (the build's validation
    worker) every `interval` seconds and keeps the largest sum: the memory the build holds at
    once. (Pages both map, e.g. of shared libraries, count twice: an upper bound. The cheaper
    resident sizes are used because the proportional set size, which would count them once,
    walks every page table and cost the build a fifth of its time at 10^6 triples.)"""

    def __init__(self, interval: float = 0.2):
        self.peak_kib = 0
        self._interval, self._stop = interval, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self._interval):
            total = sum(filter(None, (_rss_kib(pid) for pid in [me, *_children(me)])))
            self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak_kib / 1024, 1)


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except (OSError, ValueError):
            pass
    return found


def _emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def main(argv: list[str] | None = None) -> int:
    graphs_dir, store_dir = (Path(a) for a in (argv or sys.argv[1:])[:2])
    began = time.perf_counter()
    from sozialgraph.pipeline.build import build  # imported here: the import is not a stage

    _emit({"stage": "start", "seconds": round(time.perf_counter() - began, 3),
           "peak_mb": _peak_mb()})
    current: dict = {}
    resettable = True

    def finish_stage() -> None:
        if current:
            _emit({"stage": current["name"],
                   "seconds": round(time.perf_counter() - current["start"], 3),
                   "peak_mb": _peak_mb()})

    def progress(line: str) -> None:
        nonlocal resettable
        match = _STAGE_START.match(line)
        if match:
            finish_stage()
            resettable = _reset_peak() and resettable
            current.update(name=match.group(1), start=time.perf_counter())

    tree = _TreeMemory()
    report = build(store_dir, graphs_dir=graphs_dir, progress=progress)
    finish_stage()
    tree_peak_mb = tree.stop()
    _emit({"done": True, "seconds": round(time.perf_counter() - began, 3),
           "timings": report.timings, "total_triples": report.total,
           "inferred": report.inferred, "build_dir": str(report.build_dir),
           "per_stage_peaks": resettable, "validator_peak_mb": report.validator_peak_mb,
           "tree_peak_mb": tree_peak_mb})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
