"""The app's pools of child processes (query workers, validators), owned by the app: a pool
registered here closes when its app is garbage-collected or the process ends
(`weakref.finalize`), or at once with `close_pools(app)` (tests, embedding). Under gunicorn
each web process builds its own app after the fork, so each closes its own pools."""

from __future__ import annotations

import weakref
from typing import Protocol

from flask import Flask

POOLS = "sozialgraph.pools"


class Closable(Protocol):
    def close(self) -> None: ...


def own_pool(app: Flask, pool: Closable) -> None:
    """Make `app` responsible for closing `pool`."""
    app.extensions.setdefault(POOLS, []).append(weakref.finalize(app, pool.close))


def close_pools(app: Flask) -> None:
    """Close every pool of `app` now (each only once)."""
    for finalizer in app.extensions.get(POOLS, ()):
        finalizer()
