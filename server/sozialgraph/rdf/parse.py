"""Reading RDF files into rdflib graphs, safely, with errors that name the file and the line.

Formats are chosen by file extension (FORMATS). Every parse goes through three gates:

1. Safety. RDF/XML is first read with defusedxml, which refuses entity declarations and external
   references (so neither "billion laughs" nor a fetch of an external DTD or entity can happen);
   documents that declare entities are refused, expand them before loading. JSON-LD is read with
   the json module first and refused if it names a context by IRI (`"@context": "http..."` or
   `"@import"`): rdflib would fetch such a context over the network, so contexts must be inline.
   No other format makes the parsers fetch anything (rdflib does not follow owl:imports).
2. Strict syntax. Oxigraph's parser reads the file first (not for JSON-LD): it is strict (IRIs,
   language tags) and reports line and column precisely, so data that rdflib would accept but the
   store would refuse is stopped here, at its line.
3. rdflib builds the graph; its own errors are normalised too (Turtle errors carry the offset,
   from which the line is counted; N-Triples/N-Quads errors are located by re-reading line by line).

All failures are RDFSyntaxError(path, line, message), whose str is `path:line: message`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.sax
import pyoxigraph as ox
from defusedxml import DefusedXmlException
from rdflib import Dataset, Graph

# file extension -> rdflib format name
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
# formats whose documents can name graphs
QUAD_FORMATS = frozenset({"trig", "nquads", "json-ld"})

OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "xml": ox.RdfFormat.RDF_XML,
}


class RDFSyntaxError(Exception):
    """A file that could not be read as RDF. `line` is 1-based, or None when unknown."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        super().__init__(path, line, message)
        self.path, self.line, self.message = str(path), line, message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def format_for(path: str | Path) -> str:
    """The rdflib format name for a file, from its extension."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise RDFSyntaxError(path, None, f"unknown RDF file extension (known: {known})")
    return fmt


def read_quads(path: str | Path) -> list[ox.Quad]:
    """A file's statements as Oxigraph reads them, losslessly (every literal as written, with
    its datatype, time zone, precision and white space; quads of TriG, N-Quads and JSON-LD in
    their graphs, triples in the default graph), through the same gates as parse_data: XML
    without entities, JSON-LD contexts inline, syntax errors as `file:line: message`. Blank
    nodes get fresh labels: a label is scoped to its file, so two files never share a node."""
    path = Path(path)
    fmt = format_for(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RDFSyntaxError(path, None, f"cannot read: {error.strerror or error}") from error
    base, name = path.resolve().as_uri(), str(path)
    _check_gates(data, fmt, name, base)
    if fmt in OXIGRAPH_FORMATS:
        return list(ox.parse(data, format=OXIGRAPH_FORMATS[fmt], base_iri=base,
                             rename_blank_nodes=True))
    try:
        return list(ox.parse(data, format=ox.RdfFormat.JSON_LD, base_iri=base,
                             rename_blank_nodes=True))
    except SyntaxError as error:
        raise RDFSyntaxError(path, None, str(error)) from None


def _check_gates(data: bytes, fmt: str, name: str, base: str | None) -> None:
    """The gates every document passes before it is parsed: safe XML (no entities), JSON-LD
    without remote contexts, and Oxigraph's strict syntax check for the formats it reads."""
    if fmt == "xml":
        check_xml_is_safe(data, name)
    elif fmt == "json-ld":
        _check_jsonld_is_local(data, name)
    if fmt in OXIGRAPH_FORMATS:
        check_strict_syntax(data, fmt, name, base)


def read_graph(path: str | Path) -> Graph:
    """Parse a file into one graph; the graphs of quad formats are merged."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RDFSyntaxError(path, None, f"cannot read: {error.strerror or error}") from error
    dataset = parse_data(data, format_for(path), name=str(path), base=path.resolve().as_uri())
    return merge(dataset.graphs())


def parse_data(data: bytes | str, fmt: str, *, name: str = "<input>", base: str | None = None
               ) -> Dataset:
    """Parse a document (e.g. an upload) through all three gates; `name` appears in errors."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if fmt not in OXIGRAPH_FORMATS and fmt != "json-ld":
        raise RDFSyntaxError(name, None, f"unsupported RDF format {fmt!r}")
    _check_gates(data, fmt, name, base)
    dataset = Dataset()
    try:
        dataset.parse(data=data, format=fmt, publicID=base)
    except Exception as error:  # rdflib raises many types; each is a reason to refuse the file
        raise _normalise_rdflib_error(error, data, fmt, name) from error
    return dataset


def merge(graphs: Iterable[Graph]) -> Graph:
    """One graph holding the triples of all `graphs`."""
    union = Graph()
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union


# ---- gate 1: safety -----------------------------------------------------------------------------

def check_xml_is_safe(data: bytes, name: str) -> None:
    try:
        defusedxml.sax.parseString(data, ContentHandler(), forbid_dtd=False,
                                   forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        line = _line_of_first(data, (b"<!ENTITY", b"<!DOCTYPE"))
        raise RDFSyntaxError(name, line, f"refused for safety ({type(error).__name__}): entity "
                             "declarations and external references are not accepted in RDF/XML"
                             ) from error
    except SAXParseException as error:
        raise RDFSyntaxError(name, error.getLineNumber(), error.getMessage()) from error


MAX_JSON_DEPTH = 100  # JSON-LD documents nest a few levels; thousands would exhaust the stack


def _json_depth_over(data: bytes, limit: int) -> int | None:
    """The line where the JSON text nests deeper than `limit` (objects and arrays), or None.
    Strings are skipped, so brackets inside them do not count."""
    depth, line, in_string, escaped = 0, 1, False, False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):  # { [
            depth += 1
            if depth > limit:
                return line
        elif byte in (0x7D, 0x5D):  # } ]
            depth -= 1
        if byte == 0x0A:
            line += 1
    return None


def _check_jsonld_is_local(data: bytes, name: str) -> None:
    deep = _json_depth_over(data, MAX_JSON_DEPTH)
    if deep is not None:
        raise RDFSyntaxError(name, deep, f"the JSON nests objects and arrays deeper than "
                             f"{MAX_JSON_DEPTH} levels, the most this service reads")
    try:
        document = json.loads(data)
    except UnicodeDecodeError as error:
        raise RDFSyntaxError(name, None, f"not UTF-8: {error}") from error
    except json.JSONDecodeError as error:
        raise RDFSyntaxError(name, error.lineno, f"invalid JSON: {error.msg}") from error
    remote = next(_remote_contexts(document), None)
    if remote is not None:
        line = _line_of_first(data, (json.dumps(remote).encode(), b'"@import"'))
        raise RDFSyntaxError(name, line, f"refused: remote JSON-LD context {remote!r}; contexts "
                             "are never fetched, put the context inline")


def _remote_contexts(node) -> Iterator[str]:
    """Context IRIs a JSON-LD processor would dereference: string contexts and @import."""
    if isinstance(node, list):
        for item in node:
            yield from _remote_contexts(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for context in value if isinstance(value, list) else [value]:
                    if isinstance(context, str):
                        yield context
            elif key == "@import" and isinstance(value, str):
                yield value
            yield from _remote_contexts(value)


def _line_of_first(data: bytes, needles: tuple[bytes, ...]) -> int | None:
    positions = [p for p in (data.find(n) for n in needles) if p >= 0]
    return data.count(b"\n", 0, min(positions)) + 1 if positions else None


# ---- gate 2: strict syntax ----------------------------------------------------------------------

# "Parser error at line 3 column 18: ...", "... between line 3 column 49 and line 4 column 1: ..."
_OXIGRAPH_POSITION = re.compile(r"^Parser error (?:at|between) line \d+[^:]*?: ")


def check_strict_syntax(data: bytes, fmt: str, name: str, base: str | None) -> None:
    try:
        for _ in ox.parse(data, format=OXIGRAPH_FORMATS[fmt], base_iri=base):
            pass
    except SyntaxError as error:
        message = str(error.msg or error)
        column = f"column {error.offset}: " if error.offset else ""
        raise RDFSyntaxError(name, error.lineno, column + _OXIGRAPH_POSITION.sub("", message)
                             ) from error


# ---- gate 3: rdflib's own errors ----------------------------------------------------------------

def _normalise_rdflib_error(error: Exception, data: bytes, fmt: str, name: str) -> RDFSyntaxError:
    if isinstance(error, RDFSyntaxError):
        return error
    why = getattr(error, "_why", None)
    if why is not None and hasattr(error, "_i"):
        # Turtle/TriG BadSyntax: its own line counter can run ahead, so count from the offset
        text = error._str.decode("utf-8", "replace")
        return RDFSyntaxError(name, text.count("\n", 0, error._i) + 1, why)
    if isinstance(error, SAXParseException):
        return RDFSyntaxError(name, error.getLineNumber(), error.getMessage())
    message = str(error).strip() or type(error).__name__
    located = re.match(r"^[^:]*:(\d+):\d+: (.*)$", message, re.DOTALL)  # rdflib RDF/XML errors
    if fmt == "xml" and located:
        return RDFSyntaxError(name, int(located.group(1)), located.group(2))
    if isinstance(error, json.JSONDecodeError):
        return RDFSyntaxError(name, error.lineno, error.msg)
    if fmt in ("nt", "nquads"):
        return RDFSyntaxError(name, _first_bad_line(data, fmt), message.splitlines()[0])
    return RDFSyntaxError(name, None, message.splitlines()[0])


def _first_bad_line(data: bytes, fmt: str) -> int | None:
    """Line-based formats: the first line that rdflib refuses on its own."""
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        try:
            Dataset().parse(data=line + "\n", format=fmt)
        except Exception:  # noqa: BLE001 - any refusal marks the line
            return number
    return None
