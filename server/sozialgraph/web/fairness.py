"""Fair sharing between clients: each client may run at most CLIENT_CONCURRENT requests of a
kind (queries, validations) at once, and use at most CLIENT_SECONDS of their time within a
sliding window of CLIENT_WINDOW seconds; beyond either the answer is 429 with Retry-After, at
once, so that one client's expensive work never queues everyone else's behind it (public
endpoints such as Wikidata's query service do the same).

A client is its address; behind a proxy listed in TRUSTED_PROXIES it is the last address the
proxy adds to X-Forwarded-For. The accounts live in the web process (gunicorn runs several, so a
client's budget is per process; a proxy in front can enforce a global one).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, current_app, request

from sozialgraph.web.http import ApiError

EXTENSION = "sozialgraph.fairness"


@dataclass
class _Account:
    running: int = 0
    spent: deque = field(default_factory=deque)  # (finished at, seconds) in the window


class Fairness:
    """The per-client accounts of one kind of work (queries or validations) in this process."""

    def __init__(self, concurrent: int, seconds: float, window: float):
        self.concurrent, self.seconds, self.window = concurrent, seconds, window
        self._accounts: dict[str, _Account] = defaultdict(_Account)
        self._lock = threading.Lock()

    @contextmanager
    def turn(self, client: str, what: str) -> Iterator[None]:
        """Run the body as `client`'s turn, or raise 429 when the client is over its share."""
        now = time.monotonic()
        with self._lock:
            account = self._accounts[client]
            while account.spent and account.spent[0][0] <= now - self.window:
                account.spent.popleft()
            used = sum(seconds for _, seconds in account.spent)
            if self.concurrent and account.running >= self.concurrent:
                raise _too_many(f"you have {account.running} {what} running; this server runs "
                                f"at most {self.concurrent} at once per client", 1)
            if self.seconds and used >= self.seconds:
                wait = account.spent[0][0] + self.window - now
                raise _too_many(f"your {what} used {used:.0f} s of the {self.seconds:g} s each "
                                f"client may use per {self.window:g} s", max(1, round(wait)))
            account.running += 1
        began = time.monotonic()
        try:
            yield
        finally:
            finished = time.monotonic()
            with self._lock:
                account.running -= 1
                account.spent.append((finished, finished - began))


def _too_many(message: str, retry_after: int) -> ApiError:
    return ApiError(429, message + "; try again later", {"Retry-After": str(retry_after)})


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions[EXTENSION] = {
        kind: Fairness(int(config["CLIENT_CONCURRENT"]), float(config["CLIENT_SECONDS"]),
                       float(config["CLIENT_WINDOW"]))
        for kind in ("queries", "validations")}


def client_key() -> str:
    """The client of the current request: its address, or behind a trusted proxy the address
    that proxy forwarded for."""
    address = request.remote_addr or "unknown"
    trusted = {p.strip() for p in (current_app.config["TRUSTED_PROXIES"] or "").split(",")
               if p.strip()}
    if address in trusted:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")
                     if a.strip()]
        if forwarded:
            return forwarded[-1]
    return address


def turn(kind: str):
    """The current client's turn for `kind` ("queries" or "validations")."""
    return current_app.extensions[EXTENSION][kind].turn(client_key(), kind)
