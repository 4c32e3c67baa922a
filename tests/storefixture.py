"""A small store for the endpoint's tests, independent of the project's real data.

Three named graphs (actors, one document graph, the inferred graph), with a blank node, typed
literals, a literal that contains SPARQL keywords, and one triple asserted in two graphs.
Optionally a fourth graph of generated triples for deliberately slow queries.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import ACTOR, FUNDING, GRAPH, MEASURE, SG
from sozialgraph.store.embedded import add_union_copy
from sozialgraph.web.app import close, create_app

GRAPH_ACTORS = str(GRAPH["actors"])
GRAPH_DOCUMENT = str(GRAPH["hmsi-bilanz"])
GRAPH_INFERRED = str(GRAPH["inferred"])
GRAPH_GENERATED = str(GRAPH["generated"])

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
ORGANIZATION = "http://www.w3.org/ns/org#Organization"
FOAF_AGENT = "http://xmlns.com/foaf/0.1/Agent"
SCHEMA_VALUE = "http://schema.org/value"
XSD = "http://www.w3.org/2001/XMLSchema#"

LAND_HESSEN = str(ACTOR["land-hessen"])
STADT_KASSEL = str(ACTOR["stadt-kassel"])
CENTRES = str(MEASURE["wir-vielfaltszentren"])
FUNDING_FACT = str(FUNDING["vielfaltszentren-bis-2025"])
TRICKY_TEXT = 'Ein SERVICE für alle: LOAD, FROM und "Zitate"\tmit Tab\nund Zeilenumbruch'


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _quads() -> list[ox.Quad]:
    actors, document, inferred = _n(GRAPH_ACTORS), _n(GRAPH_DOCUMENT), _n(GRAPH_INFERRED)
    amount = ox.BlankNode("amount")
    label_hessen = ox.Literal("Land Hessen", language="de")
    return [
        ox.Quad(_n(LAND_HESSEN), _n(RDF_TYPE), _n(ORGANIZATION), actors),
        ox.Quad(_n(LAND_HESSEN), _n(RDFS_LABEL), label_hessen, actors),
        ox.Quad(_n(LAND_HESSEN), _n(RDFS_LABEL), ox.Literal("State of Hesse", language="en"),
                actors),
        ox.Quad(_n(STADT_KASSEL), _n(RDF_TYPE), _n(ORGANIZATION), actors),
        ox.Quad(_n(STADT_KASSEL), _n(RDFS_LABEL), ox.Literal("Stadt Kassel", language="de"),
                actors),
        # the document graph repeats one triple of the actors graph
        ox.Quad(_n(LAND_HESSEN), _n(RDFS_LABEL), label_hessen, document),
        ox.Quad(_n(CENTRES), _n(RDF_TYPE), _n(str(SG.Facility)), document),
        ox.Quad(_n(CENTRES), _n(RDFS_LABEL), ox.Literal("WIR-Vielfaltszentren", language="de"),
                document),
        ox.Quad(_n(CENTRES), _n(str(SG.responsibleActor)), _n(LAND_HESSEN), document),
        ox.Quad(_n(CENTRES), _n(RDFS_COMMENT), ox.Literal(TRICKY_TEXT), document),
        ox.Quad(_n(CENTRES), _n(SCHEMA_VALUE), ox.Literal("33", datatype=_n(XSD + "integer")),
                document),
        ox.Quad(_n(FUNDING_FACT), _n(RDF_TYPE), _n(str(SG.Funding)), document),
        ox.Quad(_n(FUNDING_FACT), _n(str(SG.fundedMeasure)), _n(CENTRES), document),
        ox.Quad(_n(FUNDING_FACT), _n(str(SG.amount)), amount, document),
        ox.Quad(amount, _n(SCHEMA_VALUE), ox.Literal("15000000.0", datatype=_n(XSD + "decimal")),
                document),
        ox.Quad(_n(CENTRES), _n(RDF_TYPE), _n(str(SG.Measure)), inferred),
        ox.Quad(_n(LAND_HESSEN), _n(RDF_TYPE), _n(FOAF_AGENT), inferred),
    ]


# Facts the tests check against.
GRAPH_SIZES = {GRAPH_ACTORS: 5, GRAPH_DOCUMENT: 10, GRAPH_INFERRED: 2}
DEFAULT_GRAPH_SIZE = 14  # the merge of actors and document (one triple is in both)


def build_store(path: Path, generated: int = 0) -> Path:
    """Write the test store at `path` (with `generated` extra triples in GRAPH_GENERATED)."""
    store = ox.Store(str(path))
    quads = _quads()
    quads += [
        ox.Quad(_n(f"urn:x-test:s{i}"), _n("urn:x-test:p"), ox.Literal(str(i)),
                _n(GRAPH_GENERATED))
        for i in range(generated)
    ]
    store.extend(quads)
    add_union_copy(store)  # the default graph holds the merge of the asserted graphs
    store.flush()
    del store
    gc.collect()  # close the writable store before the app opens it read-only
    return path


def make_app(store_path: Path, **config):
    settings = {"TESTING": True, "STORE_PATH": str(store_path), "QUERY_TIMEOUT": 20,
                "QUERY_WORKERS": 2}
    settings.update(config)
    return create_app(settings)


def close_app(app) -> None:
    close(app)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(server: subprocess.Popen, url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("the server did not start: " + server.stderr.read().decode()[-3000:])
        time.sleep(0.2)


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    server.stderr.close()


@contextmanager
def gunicorn_serving(store: Path, **environment: str) -> Iterator[str]:
    """The app under gunicorn (two web processes) on a free loopback port, over `store`, with
    SOZIALGRAPH_* settings from `environment`; yields the base URL and stops the server."""
    port = free_port()
    env = dict(os.environ, SOZIALGRAPH_STORE=str(store), **environment)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "30", "sozialgraph.web.app:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    _wait_until_healthy(server, url, 30)
    try:
        yield url
    finally:
        _stop(server)


class Served(NamedTuple):
    url: str  # the base URL
    pid: int  # the server's main process (gunicorn's arbiter); its children are web processes


@contextmanager
def command_serving(store: Path, *options: str, **environment: str) -> Iterator[Served]:
    """`sozialgraph serve` (the command, as a user runs it) on a free loopback port over `store`
    with `options` and SOZIALGRAPH_* settings from `environment`."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from sozialgraph.cli import main; main()", "serve",
         "--store", str(store), "--host", "127.0.0.1", "--port", str(port), *options],
        env=dict(os.environ, **environment), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    _wait_until_healthy(server, url, 60)
    try:
        yield Served(url, server.pid)
    finally:
        _stop(server)
