"""`sozialgraph load` keeps what it loads: literals of every XSD type as written (time zones,
precision, white space; numbers as the store writes them canonically), and the default graph as
the files state it unless the merge is asked for."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from sozialgraph.cli import main
from sozialgraph.store.embedded import open_store

XSD = "http://www.w3.org/2001/XMLSchema#"
LITERALS = {  # lexical form, datatype, what the store gives back (None: the same)
    "date-tz": ("2024-05-01+02:00", "date", None),
    "datetime-nanos": ("2024-05-01T10:00:00.123456789Z", "dateTime", None),
    "datetime-offset": ("2024-05-01T10:00:00-05:00", "dateTime", None),
    "time": ("12:00:00.5+01:00", "time", None),
    "token": ("  a   b  ", "token", None),
    "normalized": ("a\tb", "normalizedString", None),
    "string": ("  spaces kept  ", "string", None),
    "decimal": ("1.50", "decimal", "1.5"),
    "integer": ("007", "integer", "7"),
    "double": ("1e3", "double", "1000"),
    "boolean": ("true", "boolean", None),
    "gyear": ("2024", "gYear", None),
    "gmonthday": ("--05-01", "gMonthDay", None),
    "duration": ("P1Y2M3DT4H", "duration", None),
    "anyuri": ("http://example.org/a b", "anyURI", None),
    "hex": ("0FB7", "hexBinary", None),
}


def _turtle() -> str:
    lines = ["@prefix ex: <http://example.org/> ."]
    for key, (lexical, datatype, _) in LITERALS.items():
        escaped = lexical.replace("\\", "\\\\").replace("\t", "\\t").replace('"', '\\"')
        lines.append(f'ex:{key} ex:value "{escaped}"^^<{XSD}{datatype}> .')
    lines.append('ex:lang ex:value "Kita"@de-DE .')
    lines.append('ex:custom ex:value "x y"^^<http://example.org/dt> .')
    return "\n".join(lines) + "\n"


def _load(tmp_path, *files, extra=()):
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["load", *map(str, files), "--store", str(store), *extra])
    assert result.exit_code == 0, result.output
    return open_store(store)


def test_literals_of_every_type_round_trip(tmp_path):
    source = tmp_path / "literals.ttl"
    source.write_text(_turtle(), encoding="utf-8")
    store = _load(tmp_path, source)
    stored = {q.subject.value.rsplit("/", 1)[1]: q.object for q in store}
    for key, (lexical, datatype, canonical) in LITERALS.items():
        literal = stored[key]
        assert literal.datatype.value == XSD + datatype, key
        assert literal.value == (canonical or lexical), key
    assert stored["lang"].language == "de-de" or stored["lang"].language == "de-DE"
    assert stored["custom"].value == "x y"
    # the time zone is there for SPARQL, as TIMEZONE() shows
    tz = next(iter(store.query(
        'SELECT (TIMEZONE(?d) AS ?tz) WHERE { <http://example.org/date-tz> ?p ?d }')))
    assert tz["tz"].value == "PT2H"


@pytest.mark.parametrize("union", [True, False])
def test_the_default_graph_is_the_merge_only_when_asked(tmp_path, union):
    source = tmp_path / "data.trig"
    source.write_text("@prefix ex: <http://example.org/> .\n"
                      "ex:a ex:p ex:b .\n"
                      "ex:g { ex:c ex:p ex:d }\n", encoding="utf-8")
    store = _load(tmp_path, source,
                  extra=["--union-default-graph" if union else "--separate-default-graph"])
    default = {(q.subject.value, q.object.value)
               for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    expected = {("http://example.org/a", "http://example.org/b")}
    if union:
        expected.add(("http://example.org/c", "http://example.org/d"))
    assert default == expected


def test_a_blank_node_label_names_one_node_per_file(tmp_path):
    """RDF scopes a blank node label to its document: `_:x` in two files is two nodes (the W3C
    SPARQL test graph-09 joins on such a pair and must find nothing), `_:x` twice in one file is
    one node."""
    first, second = tmp_path / "first.ttl", tmp_path / "second.ttl"
    first.write_text("_:x <http://example.org/p> 1 . _:x <http://example.org/q> 2 .\n",
                     encoding="utf-8")
    second.write_text("_:x <http://example.org/p> 3 .\n", encoding="utf-8")
    store = _load(tmp_path, first, second, extra=["--separate-default-graph"])
    subjects = {q.object.value: q.subject for q in store}
    assert all(isinstance(node, ox.BlankNode) for node in subjects.values())
    assert subjects["1"] == subjects["2"]
    assert subjects["1"] != subjects["3"]


def test_a_graph_loaded_from_an_empty_file_exists(tmp_path):
    """So that a query may name it (the endpoint refuses graphs the store lacks): FROM <g> over
    it finds nothing instead of being refused."""
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing\n", encoding="utf-8")
    graph = "http://example.org/empty"
    store = _load(tmp_path, empty, extra=["--graph", graph, "--separate-default-graph"])
    assert ox.NamedNode(graph) in set(store.named_graphs())
    assert not list(store.query(f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o }}"))
