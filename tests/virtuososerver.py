"""A real Virtuoso Open Source server for the tests: started from deploy/virtuoso/virtuoso.ini
(the ports and the database folder filled in) on free loopback ports with a fresh database in a
temporary folder, and always stopped afterwards.

Debian's `virtuoso-opensource-7-bin` brings `virtuoso-t` and `isql-vt` and no service of its own
(no init script, nothing listening on 1111 or 8890); `make virtuoso-deps` installs it.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import string
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from storefixture import free_port

TEMPLATE = Path(__file__).parent.parent / "deploy" / "virtuoso" / "virtuoso.ini"
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
START_SECONDS = 90  # a fresh database is ready after about 10 s on 2 cores


@dataclass
class Virtuoso:
    sparql: str  # the query endpoint, anonymous (the SPARQL account: SPARQL_SELECT)
    graph_store: str  # the Graph Store endpoint with Digest authentication
    user: str
    password: str
    log: Path
    version: str


def isql(sql_port: int, password: str, statement: str) -> str:
    """One SQL statement through isql-vt as dba; its output (fails on an error)."""
    done = subprocess.run([ISQL, f"127.0.0.1:{sql_port}", "dba", password,
                           f"exec={statement}"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql {statement!r}: {done.stdout}{done.stderr}")
    return done.stdout


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # Virtuoso checkpoints and exits
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[Virtuoso]:
    """Virtuoso with its database in `folder` (created), on two free loopback ports."""
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(string.Template(TEMPLATE.read_text()).substitute(
        DATA=str(folder.resolve()), SQL_PORT=f"127.0.0.1:{sql_port}",
        HTTP_PORT=f"127.0.0.1:{http_port}"))
    log = folder / "virtuoso.log"
    with open(folder / "stdout.log", "wb") as out:
        process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)],
                                   cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # Ctrl-C in pytest does not reach it
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(process, f"{base}/sparql", log)
        password = secrets.token_hex(12)  # a fresh database's dba password is "dba"
        isql(sql_port, "dba", f"USER_SET_PASSWORD('dba', '{password}')")
        version = isql(sql_port, password, "SELECT sys_stat('st_dbms_ver')").split()
        yield Virtuoso(f"{base}/sparql", f"{base}/sparql-graph-crud-auth", "dba", password, log,
                       next((word for word in version if word[:1].isdigit()), "?"))
    finally:
        _stop(process)


def _wait(process: subprocess.Popen, sparql: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t stopped: {_tail(log)}")
        try:
            if requests.get(sparql, params={"query": "ASK {}"}, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"Virtuoso did not answer in {START_SECONDS} s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
