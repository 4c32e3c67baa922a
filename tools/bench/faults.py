"""Faults of the build, measured: `sozialgraph build` killed (SIGKILL) as it enters each stage,
while a store built before is the one being served. What is observed, for docs/reliability.md
(`make loadtest`) and for tests/test_build.py, which asserts on the same observations:

- whether the served store changed (the link's target, and the number of quads in it);
- which processes the killed build started are still running a second later;
- which files it left beside the builds, and which of them the next build removes.

Imports the package's build (its stages and where builds live) and nothing of the web.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from sozialgraph.pipeline.steps import STOP_AT_STAGE
from sozialgraph.pipeline.swap import builds_root

# The stages `sozialgraph build` announces, in order ("<stage> ..."), then the swap it reports.
STAGES = ("parse", "entail", "infer", "write", "index", "validate")


def _served(store: Path) -> tuple[str, int]:
    """The build the store link names, and the quads in it (read-only, as a server opens it)."""
    target = store.resolve()
    quads = len(ox.Store.read_only(str(target)))
    return target.name, quads


def _session_processes(session: int) -> list[int]:
    """Live processes of a session (the build was started as the leader of its own)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _left_files(store: Path) -> list[str]:
    """Files and folders beside the builds that no finished build owns (the lock file that
    every build takes stays: it is the lock, not a leftover)."""
    return sorted(entry.name for entry in builds_root(store).iterdir()
                  if entry.name.startswith(".") and entry.name != ".lock")


def _build_command(store: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "sozialgraph.cli", "build", "--store", str(store), *options]


def kill_build_at(stage: str, store: Path, options: tuple[str, ...] = ()) -> dict:
    """Start a build of `store` (which must hold a build), SIGKILL it as it announces `stage`,
    and report what it left; then run a full build and report what remains."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r} (the build's stages: {', '.join(STAGES)})")
    before = _served(store)
    # the build stops itself as it announces the stage (sozialgraph.pipeline.steps), so the kill
    # lands in that stage even when the stage takes no time
    environment = os.environ | {STOP_AT_STAGE: stage}
    build = subprocess.Popen(_build_command(store, *options), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True,
                             env=environment)
    reached = False
    for line in build.stdout:
        if line.startswith(f"{stage} ..."):
            os.kill(build.pid, signal.SIGKILL)
            reached = True
            break
    build.stdout.close()
    build.wait()
    time.sleep(1.0)  # a child that dies with its parent has had its second
    left_processes = _session_processes(build.pid)
    for pid in left_processes:  # measured; now ended, so that one fault does not reach the next
        os.kill(pid, signal.SIGKILL)
    after = _served(store)
    left_files = _left_files(store)
    subprocess.run(_build_command(store, *options), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return {"stage": stage, "reached": reached, "served_before": before, "served_after": after,
            "processes_left": len(left_processes), "files_left": left_files,
            "files_after_next_build": _left_files(store)}


def kill_build_at_each_stage(store: Path, options: tuple[str, ...] = ()) -> list[dict]:
    return [kill_build_at(stage, store, options) for stage in STAGES]
