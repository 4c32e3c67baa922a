"""Validation as a service: validator processes (the sandbox's child processes, like the query
workers), each holding the project's shapes, ontology and reference graphs, loaded once, and the
values exchanged with them. Parsing and validating happen in the validator, so a pathological
upload costs at most the time limit: then the process is killed and a fresh one takes the next
task. Validators get no network (an empty network namespace where the OS allows it, and an audit
hook that refuses sockets in any case) and parse with sozialgraph.rdf.parse (no XML entities, no
remote JSON-LD contexts). The HTTP side is sozialgraph.web.validate.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

from sozialgraph.rdf.formats import HTML, JSON_LD, TURTLE, Format
from sozialgraph.sandbox import Child, ProcessPool, StartFailed, serve

# The project's reference graphs: data may refer to their actors, concepts and sources.
CONTEXT_FILES = ("vocabularies.ttl", "actors.ttl", "sources.ttl")

# Report formats. JSON (validation.render_json) and JSON-LD (the report graph) are both JSON:
# application/json means the former here.
REPORT_JSON = Format("json", "application/json", short_names=("json",))
REPORT_JSON_LD = Format("jsonld", JSON_LD.media_type, JSON_LD.w3c_iri, short_names=("jsonld",))
REPORT_FORMATS = (TURTLE, REPORT_JSON_LD, REPORT_JSON, HTML)


# ---- values exchanged with the validator processes ----------------------------------------------

@dataclass(frozen=True)
class Document:
    content: bytes
    format: str  # an rdfio format name
    name: str  # how errors name it: the file name, or "data" / "shapes"
    base: str | None = None  # for relative IRIs


@dataclass(frozen=True)
class ValidationTask:
    data: Document
    shapes: Document | None  # None: the project's shapes
    use_context: bool  # add the project's reference graphs (results about them are dropped)
    report_format: str  # a name of REPORT_FORMATS
    allow_warnings: bool = False  # the build's policy instead of SHACL's verdict
    use_ontology: bool = True  # add the ontology (context project or ontology; not none)


@dataclass(frozen=True)
class Report:
    conforms: bool
    content_type: str
    body: bytes = b""  # Turtle, JSON-LD or JSON
    rows: list[dict] = field(default_factory=list)  # html: one dict per result
    turtle: str = ""  # html: the report graph, shown under the table
    # the validator must not answer again: a user's shapes ran in pySHACL, which registers
    # what shapes declare (SPARQL functions) for the whole process; the pool replaces it
    retire: bool = False


@dataclass(frozen=True)
class Refusal:
    kind: str  # data, shapes, timeout, busy, worker, internal
    message: str


# ---- running validations ------------------------------------------------------------------------

class InlineValidator:
    """Validates in the web process without a time limit (VALIDATE_TIMEOUT = 0: debugging)."""

    def __init__(self):
        self._validator: Validator | None = None

    def run(self, task: ValidationTask) -> Report | Refusal:
        if self._validator is None:
            self._validator = Validator.load()
        return self._validator.run(task)

    def close(self) -> None:
        pass


class ValidatorPool:
    """Up to `size` validator processes; a task over `timeout` seconds kills its process."""

    def __init__(self, size: int, timeout: float, memory_mb: int | None):
        self.timeout, self.memory_mb = timeout, memory_mb
        self._pool = ProcessPool(size, timeout, self._start_validator)
        self.size = self._pool.size

    def run(self, task: ValidationTask) -> Report | Refusal:
        return self._pool.answer(task, {
            "busy": lambda _: Refusal("busy", "every validator is busy; try again in a moment"),
            "start": lambda error: Refusal("internal", str(error)),
            "timeout": lambda _: Refusal("timeout", f"validation exceeded the time limit of "
                                         f"{self.timeout:g} s; validate smaller parts of the "
                                         "data"),
            "died": lambda _: Refusal("worker", "the validator stopped on this request (it may "
                                      "need more memory than the server allows); a new one "
                                      "answers the next request")})

    def close(self) -> None:
        self._pool.close()

    def _start_validator(self) -> Child:
        return Child.start("sozialgraph.validation.service",
                           [str(self.timeout), str(self.memory_mb or 0)], "validator")


def main() -> None:
    """Entry point of a validator process: fd timeout memory_mb (see _start_validator)."""
    fd, timeout, memory_mb = sys.argv[1:4]
    # isolate always: a validator never needs the network, whatever a document asks for
    serve(Connection(int(fd)), _load_validator, Validator.run, float(timeout),
          int(memory_mb) or None, True,
          lambda: Refusal("internal", "the data could not be validated (internal error)"))


def _load_validator() -> Validator:
    """This process's validator; from here on no Python code in it may open a connection."""
    refuse_network()
    try:
        return Validator.load()
    except Exception as error:  # whatever it is: report it to the web process, then stop
        raise StartFailed(f"the validator could not load the shapes: {error}") from error


_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                             "socket.gethostbyaddr", "urllib.Request", "http.client.connect"})


def refuse_network() -> None:
    """No Python code in this process may open a connection (whatever a document or a shapes
    graph asks rdflib or pySHACL to fetch), with or without a network namespace."""

    def hook(event: str, _args) -> None:
        if event in _NETWORK_EVENTS:
            raise PermissionError(f"network access is disabled in the validator ({event})")

    sys.addaudithook(hook)


# ---- the validator (runs inside a validator process) --------------------------------------------

class Validator:
    """The project's shapes, ontology and reference graphs, loaded once; validates tasks."""

    def __init__(self, shapes, ontology, context):
        self.shapes, self.ontology, self.context = shapes, ontology, context
        self.context_subjects = set(context.subjects())

    @classmethod
    def load(cls) -> Validator:
        import rdflib.plugins.sparql as rdflib_sparql

        from sozialgraph.rdf.parse import merge, read_graph
        from sozialgraph.settings import GRAPHS_DIR, ONTOLOGY_DIR
        from sozialgraph.validation.engine import load_shapes

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <iri> in a shape's query loads nothing
        files = [GRAPHS_DIR / name for name in CONTEXT_FILES if (GRAPHS_DIR / name).exists()]
        return cls(load_shapes(), read_graph(ONTOLOGY_DIR / "sozialgraph.ttl"),
                   merge(read_graph(path) for path in files))

    def run(self, task: ValidationTask) -> Report | Refusal:
        from rdflib.namespace import SH

        from sozialgraph.rdf.parse import RDFSyntaxError, merge, parse_data
        from sozialgraph.sparql.check import UnsafeQuery, check_query
        from sozialgraph.validation.engine import ValidationError, validate

        try:
            data = merge(parse_data(task.data.content, task.data.format, name=task.data.name,
                                    base=task.data.base).graphs())
        except RDFSyntaxError as error:
            return Refusal("data", f"cannot read the data: {error}")
        shapes = self.shapes
        if task.shapes is not None:
            try:
                shapes = merge(parse_data(task.shapes.content, task.shapes.format,
                                          name=task.shapes.name, base=task.shapes.base).graphs())
            except RDFSyntaxError as error:
                return Refusal("shapes", f"cannot read the shapes: {error}")
            for predicate in (SH.select, SH.ask, SH.construct, SH.update):
                for query in shapes.objects(None, predicate):
                    try:
                        check_query(str(query), ())
                    except UnsafeQuery as error:
                        return Refusal("shapes", f"{task.shapes.name}: a SPARQL query of the "
                                       f"shapes is refused: {error}")
        own_subjects = set(data.subjects())
        if task.use_context:
            data = merge([data, self.context])
        try:
            result = validate(data, shapes, self.ontology if task.use_ontology else None,
                              allow_warnings=task.allow_warnings)
        except ValidationError as error:
            return Refusal("shapes", str(error))
        report = result.report
        if task.use_context:
            # results about the reference graphs' own nodes are not about the data sent
            _drop_results(report, lambda focus: focus in self.context_subjects
                          and focus not in own_subjects, task.allow_warnings)
        answer = render(report, task.report_format)
        if task.shapes is not None and result.engine == "pyshacl":
            answer = replace(answer, retire=True)
        return answer


def _drop_results(report, unwanted, allow_warnings: bool) -> None:
    """Remove the results whose focus node is `unwanted`, with what only they refer to, and set
    sh:conforms again."""
    from rdflib import BNode, Literal
    from rdflib.namespace import RDF, SH

    from sozialgraph.validation.report import report_conforms

    for node in list(report.subjects(RDF.type, SH.ValidationReport)):
        for result in list(report.objects(node, SH.result)):
            if unwanted(report.value(result, SH.focusNode)):
                report.remove((node, SH.result, result))
                report.remove((result, None, None))
    while True:  # blank nodes nothing points at any more (details, paths, enrichment)
        orphans = {s for s in report.subjects() if isinstance(s, BNode)
                   and (s, RDF.type, SH.ValidationReport) not in report
                   and not any(True for _ in report.subject_predicates(s))}
        if not orphans:
            break
        for orphan in orphans:
            report.remove((orphan, None, None))
    conforms = report_conforms(report, allow_warnings)
    for node in report.subjects(RDF.type, SH.ValidationReport):
        report.set((node, SH.conforms, Literal(conforms)))


def render(report, report_format: str) -> Report:
    """The report in the chosen format (an HTML report is rows for the template)."""
    from rdflib import Graph

    from sozialgraph.rdf.namespaces import PREFIXES
    from sozialgraph.validation.report import (
        render_json,
        render_turtle,
        report_rows,
        stated_conforms,
    )

    conforms = stated_conforms(report)
    if report_format == TURTLE.name:
        return Report(conforms, TURTLE.content_type, render_turtle(report).encode("utf-8"))
    if report_format == REPORT_JSON.name:
        return Report(conforms, REPORT_JSON.content_type, render_json(report).encode("utf-8"))
    if report_format == REPORT_JSON_LD.name:
        copy = Graph()
        for triple in report:
            copy.add(triple)
        body = copy.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
        return Report(conforms, REPORT_JSON_LD.content_type, body.encode("utf-8"))
    return Report(conforms, HTML.content_type, rows=report_rows(report),
                  turtle=render_turtle(report))
