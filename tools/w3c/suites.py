"""Where the W3C suites are and what their manifests say: the tests as plain records.

The suites are read from `$SOZIALGRAPH_W3C`, else `../shared/w3c` beside the checkout (as the
corpus is found at `../shared/corpus`), and never copied into the project. Manifests are parsed
with rdflib, every relative IRI against the file's own `file:` IRI, so a test's files are named
by their `file:` IRIs (the base IRI the SPARQL and SHACL test suites assume). Imports rdflib and
sozialgraph.settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from sozialgraph.settings import CHECKOUT_ROOT

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

SPARQL11 = "rdf-tests/sparql/sparql11"
SPARQL10 = "rdf-tests/sparql/sparql10"
SYNTAX_FOLDERS = (f"{SPARQL11}/syntax-query", f"{SPARQL11}/syntax-fed")
PROTOCOL_FOLDER = f"{SPARQL11}/protocol"
EVALUATION_FOLDERS = tuple(f"{SPARQL11}/{name}" for name in (
    "aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists", "functions",
    "grouping", "json-res", "negation", "project-expression", "property-path", "subquery")) + (
    f"{SPARQL10}/graph", f"{SPARQL10}/dataset")
SHACL_CORE = "data-shapes/data-shapes-test-suite/tests/core"
SHACL_SPARQL = "data-shapes/data-shapes-test-suite/tests/sparql"


def w3c_dir() -> Path:
    """The suites' folder: $SOZIALGRAPH_W3C, else ../shared/w3c beside the checkout (or beside
    the current folder when installed)."""
    configured = os.environ.get("SOZIALGRAPH_W3C")
    if configured:
        return Path(configured)
    return (CHECKOUT_ROOT or Path.cwd()).parent / "shared" / "w3c"


def missing_reason(*folders: str) -> str | None:
    """Why the suites cannot run here (a folder is absent), or None."""
    for folder in folders:
        if not (w3c_dir() / folder / "manifest.ttl").is_file():
            return (f"the W3C test suites are not at {w3c_dir() / folder} (set SOZIALGRAPH_W3C "
                    "to the folder that holds rdf-tests/ and data-shapes/)")
    return None


def path_of(iri: Node) -> Path:
    """The file a `file:` IRI names."""
    parts = urlsplit(str(iri))
    if parts.scheme != "file":
        raise ValueError(f"not a file IRI: {iri}")
    return Path(unquote(parts.path))


def short_name(iri: Node) -> str:
    """A test's name for ids and reports: the folder and the local name (`aggregates/agg01`)."""
    text = str(iri)
    path, _, fragment = text.partition("#")
    folder = Path(urlsplit(path).path).parent.name if fragment else \
        Path(urlsplit(path).path).parent.name
    local = fragment or Path(urlsplit(path).path).stem
    return f"{folder}/{local}"


@lru_cache(maxsize=None)
def read_manifest(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())


def entries(manifest: Path) -> list[tuple[Graph, URIRef]]:
    """The entries of a manifest and of the manifests it includes, in their order."""
    graph = read_manifest(manifest)
    found: list[tuple[Graph, URIRef]] = []
    for head in graph.subjects(RDF.type, MF.Manifest):
        for included in sorted(graph.objects(head, MF.include)):
            found += entries(path_of(included))
        for lst in graph.objects(head, MF.entries):
            found += [(graph, entry) for entry in Collection(graph, lst)]
    return found


# ---- SPARQL -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SyntaxTest:
    name: str
    kind: str  # PositiveSyntaxTest11, NegativeSyntaxTest11, ...
    query_file: Path

    @property
    def positive(self) -> bool:
        return self.kind.startswith("Positive")


@dataclass(frozen=True)
class EvaluationTest:
    name: str
    kind: str  # QueryEvaluationTest or CSVResultFormatTest
    query_file: Path
    result_file: Path
    data: tuple[str, ...] = ()  # file: IRIs of the default graph's files
    graph_data: tuple[str, ...] = ()  # file: IRIs of the named graphs' files

    @property
    def files(self) -> tuple[str, ...]:
        return self.data + self.graph_data


def _kind(graph: Graph, entry: URIRef) -> str:
    types = [str(t) for t in graph.objects(entry, RDF.type) if str(t).startswith(str(MF))]
    return types[0].removeprefix(str(MF)) if types else ""


def syntax_tests() -> list[SyntaxTest]:
    """The syntax tests of the syntax folders and those among the evaluation folders' entries."""
    tests = []
    for folder in SYNTAX_FOLDERS + EVALUATION_FOLDERS:
        for graph, entry in entries(w3c_dir() / folder / "manifest.ttl"):
            kind = _kind(graph, entry)
            if "SyntaxTest" in kind:
                query_file = path_of(graph.value(entry, MF.action))
                tests.append(SyntaxTest(f"{query_file.parent.name}/{query_file.name}", kind,
                                        query_file))
    return tests


def evaluation_tests() -> list[EvaluationTest]:
    tests = []
    for folder in EVALUATION_FOLDERS:
        for graph, entry in entries(w3c_dir() / folder / "manifest.ttl"):
            if "SyntaxTest" in _kind(graph, entry):
                continue
            action, result = graph.value(entry, MF.action), graph.value(entry, MF.result)
            data = tuple(sorted(str(d) for d in graph.objects(action, QT.data)))
            named = tuple(sorted(str(d) for d in graph.objects(action, QT.graphData)))
            tests.append(EvaluationTest(short_name(entry), _kind(graph, entry),
                                        path_of(graph.value(action, QT.query)), path_of(result),
                                        data, named))
    return tests


# ---- the Protocol manifest: HTTP exchanges --------------------------------------------------------

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")


@dataclass(frozen=True)
class Exchange:
    """One request of a Protocol test and what its response must be."""

    method: str
    path: str  # as the manifest writes it, starting with /sparql/
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[str]  # classes: "2", "3", "4", "5"
    expected_format: str | None  # boolean, tabular, RDF
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = dict(self.headers).get("content-type", "")
        text = (self.path + " " + (self.body or b"").decode("utf-8", "replace"))
        return ("sparql-update" in content_type or "update=" in text
                or "using-graph-uri" in text or "using-named-graph-uri" in text)


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    exchanges: tuple[Exchange, ...]
    graphs: tuple[tuple[str, Path], ...] = field(default=())  # (graph IRI, file)

    @property
    def is_update(self) -> bool:
        return any(exchange.is_update for exchange in self.exchanges)


def protocol_tests() -> list[ProtocolTest]:
    tests = []
    for graph, entry in entries(w3c_dir() / PROTOCOL_FOLDER / "manifest.ttl"):
        graphs = tuple(sorted((str(graph.value(g, RDFS.label)), path_of(graph.value(g, UT.graph)))
                              for g in graph.objects(entry, UT.graphData)))
        connection = graph.value(entry, MF.action)
        exchanges = []
        for request in Collection(graph, graph.value(connection, HT.requests)):
            headers = []
            header_list = graph.value(request, HT.headers)
            for header in (Collection(graph, header_list) if header_list else []):
                headers.append((str(graph.value(header, HT.fieldName)).lower(),
                                str(graph.value(header, HT.fieldValue))))
            body_node = graph.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            response = graph.value(request, HT.resp)
            statuses = frozenset(str(s).removeprefix(str(HTS) + "StatusCode")[0]
                                 for s in graph.objects(response, MF.expectedStatus))
            fmt = graph.value(response, MF.expectedFormat)
            boolean = graph.value(response, MF.expectedBoolean)
            exchanges.append(Exchange(
                str(graph.value(request, HT.methodName)), str(graph.value(request,
                                                                          HT.absolutePath)),
                tuple(headers), body, statuses, str(fmt) if fmt is not None else None,
                boolean.toPython() if boolean is not None else None))
        tests.append(ProtocolTest(short_name(entry), tuple(exchanges), graphs))
    return tests


# ---- SHACL --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShaclTest:
    name: str
    data_file: Path
    shapes_file: Path
    expected: Graph = field(compare=False, repr=False)  # the manifest's graph
    report: Node = field(compare=False, repr=False)  # the expected report's node in it

    @property
    def expects_failure(self) -> bool:
        """The suite's `sht:Failure`: the validator must refuse the shapes (no report)."""
        return self.report == SHT.Failure


def shacl_tests(folder: str) -> list[ShaclTest]:
    tests = []
    for graph, entry in entries(w3c_dir() / folder / "manifest.ttl"):
        action = graph.value(entry, MF.action)
        tests.append(ShaclTest(
            f"{folder.rsplit('/', 1)[-1]}/{short_name(entry)}",
            path_of(graph.value(action, SHT.dataGraph)),
            path_of(graph.value(action, SHT.shapesGraph)), graph, graph.value(entry, MF.result)))
    return tests
