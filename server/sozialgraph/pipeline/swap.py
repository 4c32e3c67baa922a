"""Step 6, swap: where builds live (`<store>.builds/<UTC timestamp>`), one build at a time, a
new build written aside under a partial name, the atomic swap of the `<store>` link to it, and
the removal of old and abandoned builds."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sozialgraph.pipeline.steps import BuildError
from sozialgraph.store.handle import in_use

BUILD_NAME = re.compile(r"^\d{8}T\d{12}Z$")


def builds_root(store_dir: Path) -> Path:
    """Where the versioned builds of `store_dir` live: `<store_dir>.builds/`."""
    return store_dir.with_name(store_dir.name + ".builds")


def check_target(store_dir: Path) -> None:
    """Refuse a target that exists and is not a link made by a build."""
    if store_dir.exists() and not store_dir.is_symlink():
        raise BuildError(
            f"{store_dir} exists and is not a link to a build: it was not made by "
            "`sozialgraph build`, so it is left alone. Move it away or choose another --store.")


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """One build at a time writes and swaps into `root`."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class NewBuild:
    partial: Path  # where the build is written: `.<name>.partial`
    final: Path  # its name once complete: `<UTC timestamp>`


@contextmanager
def new_build(store_dir: Path, built_at: datetime) -> Iterator[NewBuild]:
    """A build directory of `store_dir`, written at `partial` inside the block, renamed to
    `final` when the block succeeds and removed when it fails (nothing else is touched)."""
    root = builds_root(store_dir)
    final = root / built_at.strftime("%Y%m%dT%H%M%S%fZ")
    target = NewBuild(root / f".{final.name}.partial", final)
    try:
        yield target
        os.rename(target.partial, target.final)
    except BaseException:
        shutil.rmtree(target.partial, ignore_errors=True)
        raise


def swap(store_dir: Path, build_dir: Path, progress: Callable[[str], None]) -> None:
    """Point `store_dir` at the complete `build_dir`, keep the build it pointed at before, and
    remove older builds and what killed builds left behind."""
    previous = swap_in(store_dir, build_dir)
    removed = prune_builds(store_dir, keep={build_dir, previous})
    if removed:
        progress(f"  removed {len(removed)} old builds")


def swap_in(store_dir: Path, build_dir: Path) -> Path | None:
    """Point `store_dir` at `build_dir` atomically; return the build it pointed at before."""
    check_target(store_dir)
    previous = None
    if store_dir.is_symlink():
        previous = (store_dir.parent / os.readlink(store_dir)).resolve()
    link = store_dir.with_name(f".{store_dir.name}.{os.getpid()}.link")
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(build_dir, store_dir.parent), link)
    os.replace(link, store_dir)
    return previous


def prune_builds(store_dir: Path, keep: set[Path | None]) -> list[Path]:
    """Remove the builds (and abandoned partial builds) of `store_dir` that are not in `keep`
    and that no running process reads (`store.handle.in_use`: a server keeps its build until
    it is restarted), and what killed builds left behind: a partial build's N-Quads dump (only
    the build holding the lock writes one, and the caller holds it) and the validation files of
    builds whose process is gone."""
    keep_resolved = {p.resolve() for p in keep if p is not None}
    removed = []
    for entry in builds_root(store_dir).iterdir():
        name = entry.name.removeprefix(".").removesuffix(".partial")
        if BUILD_NAME.match(name) and entry.resolve() not in keep_resolved \
                and not in_use(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        elif _abandoned_file(entry):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


_PARTIAL_DUMP = re.compile(r"^\.\d{8}T\d{12}Z\.partial\.nq$")
_VALIDATION_FILE = re.compile(r"^\.validation-(\d+)-\d+\.")


def _abandoned_file(entry: Path) -> bool:
    if _PARTIAL_DUMP.match(entry.name):
        return True
    owner = _VALIDATION_FILE.match(entry.name)
    if owner is None:
        return False
    try:
        os.kill(int(owner.group(1)), 0)  # the build that wrote it is still running
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
