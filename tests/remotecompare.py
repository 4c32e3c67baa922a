"""What the scale-out tests share (tests/test_remote.py against Oxigraph's server,
tests/test_virtuoso.py against Virtuoso): pushing with the CLI, counting on a remote endpoint,
and comparing the app's answers over the embedded store with its answers over a remote store."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from sozialgraph.cli.main import main
from sozialgraph.rdf.namespaces import BASE
from sozialgraph.sparql.catalogue import load_catalogue
from sozialgraph.store.embedded import named_graphs, open_store

SCRIPT = Path(sys.executable).parent / "sozialgraph"
JSON_RESULTS = "application/sparql-results+json"
CATALOGUE = load_catalogue()
RDF_SUFFIXES = ((".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld"))


def wait_until(check, what: str, process: subprocess.Popen, log: Path, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not answer in {seconds} s: {log.read_text(errors='replace')[-2000:]}")


def push(*args: str) -> object:
    return CliRunner().invoke(main, ["push", *args])


def remote_count(url: str, pattern: str, **dataset) -> int:
    data = {"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", **dataset}
    answer = requests.post(url, data=data, headers={"Accept": JSON_RESULTS}, timeout=30)
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def rows(body: bytes) -> list[tuple]:
    """SPARQL JSON rows as comparable tuples; blank node labels differ between stores."""
    out = []
    for binding in json.loads(body)["results"]["bindings"]:
        out.append(tuple(sorted(
            (name, term["type"], "_:" if term["type"] == "bnode" else term["value"],
             term.get("datatype"), term.get("xml:lang")) for name, term in binding.items())))
    return out


_SEPARATOR = re.compile(r"""separator\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def concatenations_unordered(found: list[tuple], query: str) -> list[tuple]:
    """The rows with the parts of every GROUP_CONCAT (by the separators the query names) in
    sorted order: SPARQL 1.1 leaves their order to the engine. Datatypes and language tags stay
    as they are, so a tag one store drops still counts as a difference."""
    separators = [a or b for a, b in _SEPARATOR.findall(query) if a or b]

    def value(text: str) -> str:
        for separator in separators:
            if separator in text:
                text = separator.join(sorted(text.split(separator)))
        return text

    return [tuple((name, kind, value(text) if kind == "literal" else text, datatype, lang)
                  for name, kind, text, datatype, lang in row) for row in found]


def same_rows(expected: list[tuple], got: list[tuple], ordered: bool) -> bool:
    """The same rows; in the same order if the query says ORDER BY."""
    return got == expected if ordered else Counter(got) == Counter(expected)


def canonical(body: bytes, fmt: ox.RdfFormat) -> set:
    dataset = ox.Dataset(ox.parse(body, format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def dump_format(path: str) -> ox.RdfFormat:
    return {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
            "ttl": ox.RdfFormat.TURTLE}[path.rsplit(".", 1)[1]]


def local_path(iri) -> str:
    return "/" + str(iri).removeprefix(BASE)


def same_rdf(a: bytes, b: bytes, fmt: str) -> bool:
    return isomorphic(Graph().parse(data=a, format=fmt), Graph().parse(data=b, format=fmt))


def without_jsonld(page: str) -> tuple[str, str]:
    """An HTML page without its embedded JSON-LD, and that JSON-LD ("[]" if none)."""
    start = page.find('<script type="application/ld+json">')
    if start < 0:
        return page, "[]"
    end = page.index("</script>", start)
    return page[:start] + page[end:], page[start + 35:end]


def same_html_page(page_a: str, page_b: str) -> bool:
    """The same lines, and the same embedded JSON-LD graph. Blank-node values (an evidence's two
    selectors) are listed in the order of their labels, which each store picks, so whole blocks
    may trade places."""
    (html_a, jsonld_a), (html_b, jsonld_b) = without_jsonld(page_a), without_jsonld(page_b)
    return Counter(html_a.splitlines()) == Counter(html_b.splitlines()) and \
        same_rdf(jsonld_a.encode(), jsonld_b.encode(), "json-ld")


def quads_per_graph(store_path: Path) -> dict:
    """Quads of every named graph of a built store, and of its default graph (key None)."""
    store = open_store(store_path)
    counts = {g: len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(g))))
              for g in named_graphs(store)}
    counts[None] = len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    del store
    return counts
