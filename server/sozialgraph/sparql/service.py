"""Which executor answers the /sparql queries of a store: query workers under the time limit
for the embedded store (`executor.WorkerPool`), the calling process without a limit when
QUERY_TIMEOUT is 0 (`executor.InlineExecutor`), the remote store's for a remote store
(`remote.RemoteExecutor`). Each has `run(task) -> Answer | Failure` and `close()`."""

from __future__ import annotations

from sozialgraph.sparql.executor import InlineExecutor, WorkerPool
from sozialgraph.sparql.remote import RemoteExecutor
from sozialgraph.store.remote import RemoteHandle


def executor_for(handle, config: dict):
    """The executor of /sparql queries for a store handle and the app's settings: the remote
    store's for a remote handle, else query workers under QUERY_TIMEOUT (0: in the calling
    process, without a limit)."""
    if isinstance(handle, RemoteHandle):
        return RemoteExecutor(handle.remote)
    timeout = float(config["QUERY_TIMEOUT"] or 0)
    if timeout <= 0:
        return InlineExecutor(handle.get)
    return WorkerPool(handle.location, int(config["QUERY_WORKERS"]), timeout,
                      int(config["QUERY_MEMORY_MB"] or 0) or None,
                      bool(config["QUERY_ISOLATE_NETWORK"]))
