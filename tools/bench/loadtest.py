"""`make loadtest` (`python -m sozialgraph_bench.loadtest`): load and faults, measured, written to
docs/reliability.md.

It builds the project's store, starts `sozialgraph serve` on loopback (two web processes, the
documented settings, per-client shares on, the loopback address a trusted proxy so that each
load thread is a client of its own through X-Forwarded-For), and then:

1. sends a bounded mix of curated queries, linked-data pages, dumps and validations from 16
   client threads: throughput, p50/p95/p99 per kind, errors, and the web processes' memory
   before and after;
2. fair sharing: one client keeps 8 expensive queries going while another sends cheap ASK
   queries; the cheap query's p50 and p99, and how the expensive client was answered;
3. a killed query worker: its request's status and the next query's;
4. the build killed at each of its stages while the server serves its store (faults.py): the
   served store, the build's processes and files afterwards, and the server's answers.

Memory is read three times: once the server answers, after a warm-up that has started every
web process's query workers and validators, and after the load; growth is the last two apart.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from sozialgraph.pipeline.build import build
from sozialgraph.sparql.catalogue import load_catalogue
from sozialgraph_bench.config import free_port, percentile
from sozialgraph_bench.faults import STAGES, kill_build_at

HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
         "?m ?n2 ?o }")
VALID = ("@prefix sgm: <https://w3id.org/sozialgraph/id/measure/> . "
         "@prefix sg: <https://w3id.org/sozialgraph/ontology#> . "
         "sgm:load-test a sg:Programme ; "
         "<http://www.w3.org/2000/01/rdf-schema#label> \"Lasttest\"@de .")


def request(port: int, method: str, path: str, client: str, body: bytes | None = None,
            headers: dict | None = None, timeout: float = 60) -> tuple[int, float]:
    """(status, seconds) of one request, as client `client` (X-Forwarded-For)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    began = time.perf_counter()
    try:
        connection.request(method, path, body=body,
                           headers={"X-Forwarded-For": client, **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - began
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - began
    finally:
        connection.close()


def mix() -> list[tuple[str, str, str, bytes | None, dict]]:
    """(kind, method, path, body, headers) of the load: every curated query, pages, dumps and
    validations."""
    items = []
    for query in load_catalogue():
        items.append(("query", "GET", "/sparql?" + urllib.parse.urlencode(
            {"query": query.text}), None, {"Accept": "application/sparql-results+json"}))
    for path in ("/id/measure/kita-ausbau", "/id/actor/land-hessen", "/", "/ontology"):
        items.append(("page", "GET", path, None, {"Accept": "text/html"}))
        items.append(("page", "GET", path, None, {"Accept": "text/turtle"}))
    for name in ("actors.ttl", "sozialgraph.nq"):
        items.append(("dump", "GET", "/downloads/" + name, None, {}))
    items.append(("validation", "POST", "/validate", VALID.encode(),
                  {"Content-Type": "text/turtle", "Accept": "application/json"}))
    return items


def memory_mb(pid: int) -> dict:
    """Resident memory of a process and its descendants (web processes and their workers), and
    how many processes that is."""
    total, processes = 0, 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _descends_from(int(entry.name), pid):
            try:
                total += int((entry / "statm").read_text().split()[1]) * \
                    os.sysconf("SC_PAGE_SIZE")
                processes += 1
            except (OSError, ValueError, IndexError):
                continue
    return {"mb": round(total / 2**20, 1), "processes": processes}


def _descends_from(pid: int, ancestor: int) -> bool:
    for _ in range(5):
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
        pid = _parent(pid)
    return False


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _ms(values: list[float], q: float) -> float | None:
    value = percentile(values, q)
    return None if value is None else round(1000 * value, 1)


def load(port: int, requests: int, clients: int) -> dict:
    items, results = mix(), defaultdict(list)
    statuses: Counter = Counter()
    lock, counter = threading.Lock(), iter(range(requests))

    def worker(number: int) -> None:
        for index in counter:
            kind, method, path, body, headers = items[index % len(items)]
            status, seconds = request(port, method, path, f"192.0.2.{number}", body, headers)
            with lock:
                statuses[status] += 1
                results[kind].append(seconds)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"requests": requests, "clients": clients, "seconds": round(elapsed, 1),
            "per_second": round(requests / elapsed, 1), "statuses": dict(statuses),
            "latency_ms": {kind: {q: _ms(times, q) for q in (50, 95, 99)}
                           for kind, times in results.items()}}


def fairness(port: int, seconds: float) -> dict:
    stop, greedy = threading.Event(), Counter()

    def expensive() -> None:
        while not stop.is_set():
            status, _ = request(port, "GET", "/sparql?" + urllib.parse.urlencode(
                {"query": HEAVY}), "198.51.100.1")
            greedy[status] += 1
            if status == 429:
                time.sleep(0.2)

    threads = [threading.Thread(target=expensive) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    cheap = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, took = request(port, "GET", "/sparql?query=ASK%20%7B%7D", "198.51.100.2")
        cheap.append((status, took))
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join()
    times = [t for s, t in cheap if s == 200]
    return {"cheap_queries": len(cheap), "cheap_ok": len(times),
            "cheap_p50_ms": _ms(times, 50), "cheap_p99_ms": _ms(times, 99),
            "expensive_client": dict(greedy)}


def killed_worker(port: int, server_pid: int) -> dict:
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("status", request(
        port, "GET", "/sparql?" + urllib.parse.urlencode({"query": HEAVY}), "203.0.113.1")[0]))
    thread.start()
    time.sleep(1)
    killed = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and "sozialgraph.sparql.executor" in _cmdline(entry) and \
                _descends_from(int(entry.name), server_pid):
            os.kill(int(entry.name), signal.SIGKILL)
            killed += 1
    thread.join(60)
    after = request(port, "GET", "/sparql?query=ASK%20%7B%7D", "203.0.113.2")[0]
    return {"workers_killed": killed, "killed_request": outcome.get("status"),
            "next_query": after}


def killed_builds(port: int, store: Path, stages: list[str]) -> list[dict]:
    """The build killed at each of `stages` over the store the server serves; after each, the
    server's answer to a query."""
    outcomes = []
    for stage in stages:
        outcome = kill_build_at(stage, store)
        answer = request(port, "GET", "/sparql?query=ASK%20%7B%7D", "203.0.113.3")[0]
        outcomes.append(dict(outcome, query_after=answer))
    return outcomes


def _cmdline(entry: Path) -> str:
    try:
        return (entry / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def render(results: dict) -> str:
    load_, fair, kill = results["load"], results["fairness"], results["killed_worker"]
    lines = ["# Reliability", "",
             "Generated by `make loadtest` (tools/bench/loadtest.py) on "
             f"{results['date']}: `sozialgraph serve` with two web processes (three query "
             "workers each, two queries at once per client) on loopback over the "
             "project's store, per-client shares on (each load thread a client of its own "
             "through a trusted proxy's X-Forwarded-For).", "",
             "## Load", "",
             f"{load_['requests']} requests from {load_['clients']} clients in "
             f"{load_['seconds']} s ({load_['per_second']} per second); statuses: "
             + ", ".join(f"{s}: {n}" for s, n in sorted(load_["statuses"].items())) + ".", "",
             "| kind | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|"]
    lines += [f"| {kind} | {v[50]} | {v[95]} | {v[99]} |"
              for kind, v in sorted(load_["latency_ms"].items())]
    started, warm, after = (results[key] for key in
                            ("memory_started", "memory_warm", "memory_after"))
    lines += ["", "Resident memory of the server (web processes and every worker they start): "
              f"{started['mb']} MB in {started['processes']} processes once it answers; "
              f"{warm['mb']} MB in {warm['processes']} after a warm-up that starts the query "
              f"workers and validators; {after['mb']} MB in {after['processes']} after the "
              f"load: {round(after['mb'] - warm['mb'], 1)} MB of growth over "
              f"{load_['requests']} requests.",
              "", "## Fair sharing", "",
              f"One client keeps 8 expensive queries going; another sends cheap `ASK {{}}` "
              f"queries: {fair['cheap_ok']} of {fair['cheap_queries']} answered, p50 "
              f"{fair['cheap_p50_ms']} ms, p99 {fair['cheap_p99_ms']} ms. The expensive "
              "client's answers: " + ", ".join(f"{s}: {n}" for s, n in
                                              sorted(fair["expensive_client"].items())) + ".",
              "", "## A killed query worker", "",
              f"{kill['workers_killed']} query worker(s) killed while evaluating: that request "
              f"answered {kill['killed_request']}, the next query {kill['next_query']}.", "",
              "A killed web process and slow or lying clients are answered by the proxy of "
              "the public deployment (docs/deployment.md, tests/test_proxy.py).", "",
              "## The build killed at each stage", "",
              "`sozialgraph build` over the store being served, killed (SIGKILL) as it "
              "announces each stage (it stops itself there first, SOZIALGRAPH_STOP_AT_STAGE, "
              "so the kill lands in the stage however short); then a full build.", "",
              "| stage | served store | processes left | files left | after the next build "
              "| query after |", "|---|---|---|---|---|---|"]
    for outcome in results["killed_builds"]:
        same = "unchanged" if outcome["served_after"] == outcome["served_before"] \
            else "CHANGED"
        lines.append(f"| {outcome['stage']} | {same} ({outcome['served_after'][1]} quads) | "
                     f"{outcome['processes_left']} | {_names(outcome['files_left'])} | "
                     f"{_names(outcome['files_after_next_build'])} | "
                     f"{outcome['query_after']} |")
    lines.append("")
    return "\n".join(lines)


def _names(files: list[str]) -> str:
    """Leftover files by kind (their names carry process ids and times)."""
    if not files:
        return "none"
    kinds = Counter(re.sub(r"\d+", "N", name) for name in files)
    return ", ".join(f"`{kind}`" + (f" ×{n}" if n > 1 else "") for kind, n in sorted(kinds.items()))


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--requests", type=int, default=10_000)
    options.add_argument("--clients", type=int, default=16)
    options.add_argument("--fairness-seconds", type=float, default=20)
    options.add_argument("--out", type=Path, default=Path("docs") / "reliability.md")
    options.add_argument("--stages", type=lambda text: text.split(","), default=list(STAGES),
                         help=f"build stages to kill the build at (default: {','.join(STAGES)})")
    args = options.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="sozialgraph-loadtest-"))
    build(work / "store")
    port = free_port()
    # fair sharing as docs/endpoint.md describes it: more query workers than one client may use
    # at once, so that a greedy client cannot hold them all
    env = dict(os.environ, SOZIALGRAPH_TRUSTED_PROXIES="127.0.0.1",
               SOZIALGRAPH_QUERY_TIMEOUT="10", SOZIALGRAPH_QUERY_WORKERS="3",
               SOZIALGRAPH_CLIENT_CONCURRENT="2")
    server = subprocess.Popen([sys.executable, "-m", "sozialgraph.cli", "serve", "--store",
                               str(work / "store"), "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while request(port, "GET", "/health", "127.0.0.1", timeout=5)[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        request(port, "GET", "/sparql?query=ASK%20%7B%7D", "192.0.2.250")
        results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                   "memory_started": memory_mb(server.pid)}
        load(port, max(len(mix()) * 4, args.requests // 20), args.clients)  # warm-up
        results["memory_warm"] = memory_mb(server.pid)
        results["load"] = load(port, args.requests, args.clients)
        results["memory_after"] = memory_mb(server.pid)
        results["fairness"] = fairness(port, args.fairness_seconds)
        results["killed_worker"] = killed_worker(port, server.pid)
        results["killed_builds"] = killed_builds(port, work / "store", args.stages)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(results), encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
