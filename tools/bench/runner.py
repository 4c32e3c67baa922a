"""The run: per size, synthetic data, the measured build, the servers, then the answers
compared, latency and throughput, with results.json and the report written again after every
phase (a stopped run still leaves a report of what finished). Imports answers, clients,
config, environment, phases, report and servers, and sozialgraph and sozialgraph_synth.
"""

from __future__ import annotations

import json
import shutil
import signal
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import requests

from sozialgraph.sparql.catalogue import CuratedQuery, load_catalogue
from sozialgraph_bench.answers import answer_size, compare, loosely, normal_answer
from sozialgraph_bench.clients import HttpClient, InProcessClient, RequestFailed, throughput_run
from sozialgraph_bench.config import LABELS, SERVERS, Settings, percentile, size_name
from sozialgraph_bench.environment import machine
from sozialgraph_bench.phases import fallback_store, run_build, split_into_graph_files
from sozialgraph_bench.report import write_report
from sozialgraph_bench.search import index_facts
from sozialgraph_bench.search import measure as measure_search
from sozialgraph_bench.servers import Server, oxigraph_server, rdflib_server, sozialgraph_server


class Bench:
    """One run with settings whose report path is set (bench.prepare)."""

    def __init__(self, settings: Settings):
        if settings.out is None:
            raise ValueError("the report's path is not set: run through bench.run or "
                             "bench.prepare")
        self.settings = settings
        self.queries: list[CuratedQuery] = [q for q in load_catalogue() if q.kind == "select"
                                            or q.kind == "ask"]
        self.results: dict = {"started": _now(), "machine": machine(),
                              "settings": settings.record(), "sizes": {}}
        self.log = settings.log

    # -- orchestration --
    def run(self) -> dict:
        settings = self.settings
        own_work = settings.work_dir is None
        work = Path(settings.work_dir or tempfile.mkdtemp(prefix="sozialgraph-bench-"))
        work.mkdir(parents=True, exist_ok=True)
        self.work = work
        if threading.current_thread() is threading.main_thread():
            # a stopped run (kill, Ctrl-C) still stops its servers and writes its report
            signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            for size in settings.sizes:
                self.run_size(size)
        finally:
            self.results["finished"] = _now()
            self.save()
            if own_work:
                shutil.rmtree(work, ignore_errors=True)
        return self.results

    def save(self) -> None:
        (self.work / "results.json").write_text(json.dumps(self.results, indent=1) + "\n")
        write_report(self.results, self.settings.out, self.settings.plot)

    def run_size(self, size: int) -> None:
        from sozialgraph_synth.synth import generate

        settings, work = self.settings, self.work / f"size-{size}"
        work.mkdir(parents=True, exist_ok=True)
        record: dict = {"size": size, "notes": []}
        self.results["sizes"][str(size)] = record
        self.log(f"[{size_name(size)}] synthetic data ...")
        report = generate(size, settings.seed, work / "synth")
        record["data"] = {"triples": report.triples, "graphs": len(report.graphs),
                          "documents": report.documents, "seconds": round(report.seconds, 2)}
        split_into_graph_files(work / "synth", work / "graphs")

        self.log(f"[{size_name(size)}] build ...")
        store_link = work / "store"
        build = run_build(work / "graphs", store_link, settings.build_timeout,
                          work / "build.log")
        record["build"] = build
        self.log(f"[{size_name(size)}] build {build['status']} in {build['wall_seconds']} s, "
                 f"peak {build['peak_mb']} MB")
        if build["status"] == "ok":
            store_dir = Path(build["build_dir"])
            record["store_from"] = "build"
        else:
            store_dir = fallback_store(work / "synth", work / "store-loaded")
            record["store_from"] = "load"
            record["notes"].append(
                f"The build {build['status']} ({build.get('error', '')}); the servers were run "
                "over the same data loaded in the build's store layout by synth.load_into_store "
                "(no validation, no inferred graph; the curated queries do not use it).")
        record["store_quads"] = len(ox.Store.read_only(str(store_dir)))
        self.save()

        servers = self.start_servers(store_dir, work, size, record)
        clients: dict = {}
        try:
            clients.update(self.make_clients(servers, store_dir))
            self.check_answers(clients, servers, record)
            self.save()
            self.measure_latency(clients, servers, record)
            self.save()
            self.measure_search(servers, store_dir, record)
            self.save()
            self.measure_throughput(servers, clients, record)
            self.save()
        finally:
            for server in servers.values():
                server.stop()
            for client in clients.values():
                client.close()
            self.save()

    def start_servers(self, store_dir: Path, work: Path, size: int, record: dict
                      ) -> dict[str, Server]:
        settings, servers = self.settings, {}
        record["servers"] = {}
        for name in SERVERS:
            if name not in settings.peers:
                continue
            if name == "sozialgraph":
                server = sozialgraph_server(store_dir, work, settings.workers)
            elif name == "oxigraph":
                copy = work / "oxigraph-store"
                if copy.exists():
                    shutil.rmtree(copy)
                shutil.copytree(store_dir, copy)
                server = oxigraph_server(copy, work, settings.query_cap)
            else:
                server = rdflib_server(work / "synth", work, size)
            self.log(f"[{size_name(size)}] starting {name} ...")
            try:
                server.start()
            except (RuntimeError, OSError) as error:
                record["notes"].append(f"{LABELS[name]} could not be started: {error}")
                continue
            servers[name] = server
            record["servers"][name] = {"start_seconds": round(server.started_in or 0, 2),
                                       "command": _shown_command(server.command)}
        return servers

    def make_clients(self, servers: dict[str, Server], store_dir: Path) -> dict:
        clients = {name: HttpClient(server.url, self.settings.query_cap)
                   for name, server in servers.items()}
        if "pyoxigraph" in self.settings.peers:
            clients["pyoxigraph"] = InProcessClient(store_dir, self.settings.query_cap)
        return clients

    # -- correctness --
    def check_answers(self, clients: dict, servers: dict[str, Server], record: dict) -> None:
        self.log(f"[{size_name(record['size'])}] comparing answers ...")
        record["answers"] = {}
        record["excluded"] = {name: [] for name in clients}
        reference_peer = "pyoxigraph" if "pyoxigraph" in clients else next(iter(clients))
        for query in self.queries:
            answers, row = {}, {}
            for name, client in clients.items():
                try:
                    answers[name] = normal_answer(client.ask(query.text))
                    row[name] = {"rows": answer_size(answers[name])}
                except RequestFailed as error:
                    row[name] = {"error": str(error), "timeout": error.timeout}
                    record["excluded"][name].append(query.slug)
                    if error.timeout and name in servers:
                        self.recover(name, servers, clients)
            # pyoxigraph's answer is the reference; if it has none (past the cap), the first of
            # the servers that answered
            reference = next((answers[p] for p in (reference_peer, *SERVERS) if p in answers),
                             None)
            for name, answer in answers.items():
                if name == reference_peer:
                    row[name]["match"] = "reference"
                elif reference is None:
                    row[name]["match"] = "no reference"
                else:
                    verdict = compare(reference, answer)
                    if verdict != "match" and compare(loosely(reference, query.text),
                                                      loosely(answer, query.text)) == "match":
                        verdict = "loose"
                    row[name]["match"] = verdict
            record["answers"][query.slug] = row
        mismatches = [(slug, name) for slug, row in record["answers"].items()
                      for name, cell in row.items()
                      if cell.get("match") not in (None, "match", "reference", "loose")]
        record["mismatches"] = mismatches
        empty = [slug for slug, row in record["answers"].items()
                 if row.get(reference_peer, {}).get("rows") == 0]
        if empty:
            record["notes"].append("Empty answers at this size: " + ", ".join(empty) + ".")

    def recover(self, name: str, servers: dict[str, Server], clients: dict) -> None:
        """A server still busy with a query past the cap (rdflib cannot stop one): restart it."""
        self.log(f"  {name}: a request passed the cap, restarting the server")
        clients[name].close()
        try:
            servers[name].restart()
        except RuntimeError as error:
            self.log(f"  {name} did not restart: {error}")

    # -- latency --
    def measure_latency(self, clients: dict, servers: dict[str, Server], record: dict) -> None:
        settings = self.settings
        record["latency"] = {}
        for name, client in clients.items():
            self.log(f"[{size_name(record['size'])}] latency: {name} ...")
            repetitions = settings.rdflib_repetitions if name == "rdflib-endpoint" \
                else settings.repetitions
            per_query = {}
            for query in self.queries:
                if query.slug in record["excluded"][name]:
                    failed = record["answers"][query.slug][name]
                    per_query[query.slug] = {"timeout" if failed.get("timeout") else "error":
                                             failed.get("error"), "n": 0}
                    continue
                times, began = [], time.perf_counter()
                try:
                    for _ in range(repetitions):
                        start = time.perf_counter()
                        client.ask(query.text)
                        inside = getattr(client, "last_seconds", None)
                        times.append(inside if inside is not None else
                                     time.perf_counter() - start)
                        if time.perf_counter() - began > settings.query_budget and len(times) >= 3:
                            break
                except RequestFailed as error:
                    per_query[query.slug] = {"timeout" if error.timeout else "error": str(error),
                                             "n": len(times)}
                    record["excluded"][name].append(query.slug)
                    if error.timeout and name in servers:
                        self.recover(name, servers, clients)
                    continue
                per_query[query.slug] = {"n": len(times), "p50": percentile(times, 50),
                                         "p95": percentile(times, 95), "mean":
                                         statistics.fmean(times)}
            record["latency"][name] = per_query

    # -- search --
    def measure_search(self, servers: dict[str, Server], store_dir: Path, record: dict) -> None:
        """/search of our server over this size's build, and the index the build wrote."""
        record["search"] = {"index": index_facts(store_dir)}
        if "sozialgraph" not in servers or record.get("store_from") != "build":
            return
        self.log(f"[{size_name(record['size'])}] search ...")
        try:
            base = servers["sozialgraph"].url.removesuffix("/sparql")  # the endpoint's server
            record["search"]["timing"] = measure_search(
                base, self.settings.repetitions, self.settings.query_budget)
        except requests.RequestException as error:
            record["notes"].append(f"The search phase failed: {error}")

    # -- throughput --
    def measure_throughput(self, servers: dict[str, Server], clients: dict, record: dict
                           ) -> None:
        settings = self.settings
        record["throughput"] = {}
        for name in [*servers, *(["pyoxigraph"] if "pyoxigraph" in settings.peers else [])]:
            mix = [q for q in self.queries if q.slug not in record["excluded"].get(name, [])]
            if not mix:
                continue
            runs = {}
            for count in settings.clients:
                self.log(f"[{size_name(record['size'])}] throughput: {name}, {count} clients ...")
                if name == "pyoxigraph":
                    try:
                        runs[str(count)] = clients[name].throughput(
                            mix, count, settings.requests, settings.throughput_seconds)
                    except RequestFailed as error:
                        record["notes"].append(f"pyoxigraph throughput with {count} clients "
                                               f"did not finish: {error}")
                    continue
                def factory(url=servers[name].url):
                    return HttpClient(url, settings.query_cap)

                runs[str(count)] = throughput_run(factory, mix, count, settings.requests,
                                                  settings.throughput_seconds)
                if runs[str(count)]["timeouts"] and name in servers:
                    servers[name].restart()
            record["throughput"][name] = {"mix": [q.slug for q in mix], "runs": runs}


def _exit_on_signal(number, _frame) -> None:
    raise SystemExit(128 + number)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _shown_command(command: list[str]) -> str:
    """A command line without machine paths: executables by name, data folders as <...>."""
    shown = []
    for part in command:
        if part.startswith("/"):
            path = Path(part)
            shown.append(path.name if path.name in ("sozialgraph", "oxigraph", "python",
                                                     "python3", "python3.11") else
                         f"<{path.name}>")
        else:
            shown.append(part)
    return " ".join(shown)
