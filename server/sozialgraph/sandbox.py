"""Child processes under limits: the mechanism behind the query workers (executor.py) and the
validators (validate_service.py).

Both run work that cannot be interrupted from inside (pyoxigraph cannot cancel a query, pySHACL
cannot cancel a validation) and that untrusted input may make slow, huge or crashing. So the work
runs in child processes, and this module owns them:

- in the parent, `Child` (one child and our end of its socket pair) and `ProcessPool` (up to N
  children; a task over the time limit kills its child, a dead child is replaced by a fresh one).
  `ProcessPool.run` returns the child's outcome or raises `Busy`, `StartFailed`, `TimedOut` or
  `Died`; each caller turns these into its own refusals and messages.
- in the child, `serve`: leave the network, limit core dumps, memory and CPU time, set up once,
  then answer tasks one at a time until the parent closes the socket.

Tasks and outcomes cross the socket pickled (multiprocessing's Connection), so they must be
picklable values of modules the child can import.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

log = logging.getLogger(__name__)
STARTUP_TIMEOUT = 60  # seconds a new child may take to import and set up (open a store, load shapes)

State = TypeVar("State")


# ---- what can go wrong, for the caller to word -------------------------------------------------

class Busy(Exception):
    """Every child stayed busy for as long as a task may take."""


class StartFailed(Exception):
    """A child could not start; the message says why. Raised in a child's setup too: `serve`
    reports it to the parent, whose `Child.start` raises it again with the same message."""


class TimedOut(Exception):
    """The task passed the time limit; its child was killed."""


class Died(Exception):
    """The child stopped while working on the task (a crash, or a limit the OS enforced)."""


# ---- parent side --------------------------------------------------------------------------------

class Child:
    """One child process and our end of the socket pair it answers on."""

    def __init__(self, process: subprocess.Popen, conn: Connection, name: str):
        self.process, self.conn, self.name = process, conn, name
        self.isolated = False  # whether the child got its own empty network namespace

    @classmethod
    def start(cls, module: str, args: Sequence[str], name: str) -> Child:
        """Start `module.main()` in a fresh interpreter, as `main fd *args`, and wait for it to
        say it is ready. `name` ("query worker") is how messages and the log call it."""
        # A fresh interpreter (not multiprocessing's fork or spawn): no copied locks, threads or
        # store handles, and no re-import of whatever __main__ module started the server.
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-c", f"from {module} import main; main()",
             str(theirs.fileno()), *args],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        child = cls(process, Connection(ours.detach()), name)
        try:
            if not child.conn.poll(STARTUP_TIMEOUT):
                raise StartFailed(f"a {name} did not start in time")
            status, detail = child.conn.recv()
        except (EOFError, OSError) as error:
            child.stop()
            raise StartFailed(f"a {name} could not start") from error
        except StartFailed:
            child.stop()
            raise
        if status != "ready":
            child.stop()
            raise StartFailed(detail)
        child.isolated = detail == "isolated"
        return child

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.error("%s %s did not stop", self.name, self.process.pid)
        self.conn.close()


class ProcessPool:
    """Up to `size` children, made by `starter`; a task that passes `timeout` seconds kills its
    child. Children are started when needed and kept for the next task."""

    def __init__(self, size: int, timeout: float, starter: Callable[[], Child]):
        self.size, self.timeout, self.starter = max(1, size), timeout, starter
        self._reset()
        atexit.register(self.close)

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._cond = threading.Condition()
        self._idle: list[Child] = []
        self._count = 0  # children started and not yet discarded, idle or working

    def run(self, task: Any) -> Any:
        """The child's outcome for `task`; raises Busy, StartFailed, TimedOut or Died."""
        if self._pid != os.getpid():  # forked (e.g. a gunicorn worker): the children are not ours
            self._reset()
        child = self._acquire()
        try:
            child.conn.send(task)
            answered = child.conn.poll(self.timeout)
            outcome = child.conn.recv() if answered else None
        except (EOFError, OSError):
            self._discard(child)
            raise Died() from None
        if not answered:
            self._discard(child)  # killing the child is the only way to stop the work
            raise TimedOut()
        if getattr(outcome, "retire", False):  # the child may carry state from this task
            self._discard(child)
        else:
            self._release(child)
        return outcome

    def answer(self, task: Any, refusals: dict[str, Callable[[Exception], Any]]) -> Any:
        """The child's outcome for `task`, or what `refusals[problem](error)` makes of a problem:
        "busy" (every child busy), "start" (a child could not start), "timeout" (killed at the
        time limit) or "died" (the child stopped)."""
        try:
            return self.run(task)
        except Busy as error:
            return refusals["busy"](error)
        except StartFailed as error:
            return refusals["start"](error)
        except TimedOut as error:
            return refusals["timeout"](error)
        except Died as error:
            return refusals["died"](error)

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
        for child in idle:
            child.stop()

    def _acquire(self) -> Child:
        # Waiting longer than a task may take would only queue requests the client gives up on.
        deadline = time.monotonic() + max(self.timeout, 1)
        with self._cond:
            while True:
                while self._idle:
                    child = self._idle.pop()
                    if child.alive():
                        return child
                    child.stop()  # died while idle (killed from outside)
                    self._count -= 1
                if self._count < self.size:
                    self._count += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Busy()
                self._cond.wait(remaining)
        try:  # started outside the lock: a start takes a while, other tasks need not wait on it
            return self.starter()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, child: Child) -> None:
        with self._cond:
            self._idle.append(child)
            self._cond.notify()

    def _discard(self, child: Child) -> None:
        child.stop()
        with self._cond:
            self._count -= 1
            self._cond.notify()


# ---- child side ---------------------------------------------------------------------------------

def serve(conn: Connection, setup: Callable[[], State], handle: Callable[[State, Any], Any],
          timeout: float, memory_mb: int | None, isolate: bool,
          on_error: Callable[[], Any]) -> None:
    """A child's life: limit itself, `setup()` once, then send `handle(state, task)` for each
    task until the socket closes.

    `setup` raises StartFailed to report that the child cannot serve (the parent gets the
    message). When `handle` raises (a bug of ours), the exception is logged and `on_error()` is
    sent instead: the parent gets an answer it can word, and the child goes on serving."""
    # Limits first, so that setup already runs under them.
    isolated = leave_network() if isolate else False
    set_limit("RLIMIT_CORE", 0)  # a crash (deep recursion in an engine) should not dump core
    if memory_mb:
        set_limit("RLIMIT_AS", memory_mb * 2**20)
    try:
        state = setup()
    except StartFailed as error:  # report, don't die silently
        conn.send(("failed", str(error)))
        return
    conn.send(("ready", "isolated" if isolated else "shared"))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        # Backstop for a child whose parent died mid-task: CPU time beyond any sane task.
        set_limit("RLIMIT_CPU", int(cpu_seconds() + 2 * timeout + 10))
        try:
            outcome = handle(state, task)
        except Exception:  # a bug of ours: say so, keep serving
            log.exception("%s failed (internal error)", getattr(handle, "__qualname__", "a task"))
            outcome = on_error()
        conn.send(outcome)


def leave_network() -> bool:
    """Move this process into an empty network namespace if the OS lets us (Linux only)."""
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        unshare = libc.unshare
    except (OSError, AttributeError):
        return False
    # Without privileges a new network namespace needs a new user namespace along with it.
    for flags in (clone_newnet, clone_newuser | clone_newnet):
        if unshare(flags) == 0:
            return True
    return False


def die_with_parent() -> None:
    """For `subprocess.Popen(preexec_fn=...)`: the child is killed when the process that started
    it ends, however it ends (Linux's PR_SET_PDEATHSIG; elsewhere nothing happens)."""
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def cpu_seconds() -> float:
    """CPU time (user and system) this process has used so far; 0 where unknown."""
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def set_limit(name: str, soft: int) -> None:
    """Lower the soft limit `name` (e.g. "RLIMIT_AS") to `soft`, never above the hard limit;
    silently nothing where the OS lacks the limit (limits are a backstop, not a requirement)."""
    try:
        import resource

        limit = getattr(resource, name)
        _, hard = resource.getrlimit(limit)
        resource.setrlimit(limit, (soft if hard == resource.RLIM_INFINITY else min(soft, hard),
                                   hard))
    except (ImportError, AttributeError, ValueError, OSError):
        pass
