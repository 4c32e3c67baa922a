"""What the steps of the build share: its errors, the stage timer, the lower-priority runner for
the long CPU-bound steps, and how a source file is named in output."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sozialgraph.validation.report import ValidationResult

T = TypeVar("T")


class BuildError(Exception):
    """The build could not run: bad input, a refused target, a failed write."""


class ValidationFailed(BuildError):
    """The data violates the shapes; `result` holds the report."""

    def __init__(self, result: ValidationResult):
        super().__init__("validation failed: the data violates the shapes")
        self.result = result


# Fault injection for the test that kills the build in each stage (tools/bench/faults.py): with
# this variable naming a stage, the build stops itself (SIGSTOP) as it announces that stage, so
# that the SIGKILL that follows lands in the stage however short it is (the validate stage
# mostly waits for a worker that has finished: a kill sent on reading its announcement arrived,
# on a busy machine, after the swap). Unset, it does nothing.
STOP_AT_STAGE = "SOZIALGRAPH_STOP_AT_STAGE"


@contextmanager
def stage(name: str, timings: dict[str, float], progress) -> Iterator[None]:
    progress(f"{name} ...")
    if os.environ.get(STOP_AT_STAGE) == name:
        os.kill(os.getpid(), signal.SIGSTOP)
    start = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - start, 3)


def yielding(work: Callable[[], T]) -> T:
    """`work()`, run in a thread of lower scheduling priority (nice + 10), its result returned
    and its exceptions raised here.

    The validation worker is the longest path of a large build; inference and the bulk loader
    (whose threads inherit the priority of the thread that starts them) run beside it on the
    other core and finish sooner. Lowered, they take what the worker leaves and do not slow
    it down (measured at 10^6 triples: docs/benchmarks.md). Where the priority cannot be
    changed, the work runs as it is."""
    outcome: dict = {}

    def run() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19))
        except (AttributeError, OSError):
            pass
        try:
            outcome["result"] = work()
        except BaseException as error:  # noqa: BLE001 (raised again in the calling thread)
            outcome["error"] = error

    thread = threading.Thread(target=run, name="sozialgraph-build")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def shown(path: Path) -> str:
    """A source file as `folder/name`: no machine paths in output that may be shared."""
    return f"{path.parent.name}/{path.name}"
