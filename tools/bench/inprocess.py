"""The benchmark's floor, pyoxigraph in process, in a process the benchmark can stop:

    python -m sozialgraph_bench.inprocess STORE_DIR

opens the store read-only and answers JSON lines on stdin, one JSON line each on stdout:

- `{"query": text}` -> `{"seconds": s, "body": SPARQL JSON results}` (or `{"error": message}`):
  the query evaluated with sozialgraph.store.embedded.query and written as SPARQL JSON, timed here;
- `{"throughput": [texts], "clients": n, "requests": r, "seconds": t}` -> the same figures as
  sozialgraph_bench.clients.throughput_run, from n threads in this process.

pyoxigraph cannot stop a running query, so the benchmark kills this process when a query passes
its cap and starts a fresh one; the times it reports are measured inside, without the pipe.
Imports sozialgraph.store.embedded and clients.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    import pyoxigraph as ox

    from sozialgraph.store.embedded import query as store_query

    store = ox.Store.read_only((argv or sys.argv[1:])[0])

    def ask(text: str) -> bytes:
        return store_query(store, text).serialize(format=ox.QueryResultsFormat.JSON)

    class Client:
        def ask(self, text: str) -> bytes:
            return ask(text)

        def close(self) -> None:
            pass

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "query" in request:
            began = time.perf_counter()
            try:
                body = ask(request["query"])
            except (SyntaxError, ValueError, OSError, RuntimeError) as error:
                reply = {"error": str(error)}
            else:
                reply = {"seconds": time.perf_counter() - began, "body": body.decode()}
        else:
            from sozialgraph_bench.clients import throughput_run

            mix = [_Text(t) for t in request["throughput"]]
            reply = throughput_run(Client, mix, request["clients"], request["requests"],
                                   request["seconds"])
        print(json.dumps(reply), flush=True)
    return 0


class _Text:
    """What throughput_run needs of a curated query."""

    def __init__(self, text: str):
        self.text = text


if __name__ == "__main__":
    raise SystemExit(main())
