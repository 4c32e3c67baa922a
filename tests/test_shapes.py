"""The SHACL shapes (shapes/*.ttl), proven constraint by constraint on small graphs.

Fixtures live in tests/fixtures/shapes/:

- `context.ttl`: schemes, concepts, actors, a source, a measure and evidence that every other
  fixture may refer to; it conforms on its own.
- `good.ttl`: a graph that exercises everything the shapes look at and conforms fully (no result
  of any severity).
- `bad/*.ttl`: small graphs that break the shapes on purpose. Each states the results it must
  produce, one `# expect:` comment line per result:

      # expect: <severity> <sh:…ConstraintComponent> <focus node> <result path> <source shape>

  with `_` for a blank focus node and `-` for no path; paths are written in SPARQL property-path
  syntax (`sg:evidence/oa:hasSource`, `^sg:evidence`, `(a|b)`). A fixture must produce exactly
  these results, nothing more (results nested under sh:detail count too).

pySHACL is run the way the build runs it (server/sozialgraph/validation/engine.py): the ontology merged into the data
graph, RDFS inference, SHACL advanced features. To keep the suite fast, all bad fixtures are
validated together in one run, and each result is attributed to the fixture that owns its focus
node; `test_bad_fixtures_are_independent` checks that they cannot disturb one another.

Results about a literal are left out of that comparison. The RDFS closure (owlrl) types a literal
through the range of the property it is the value of, so `sg:funder "das Land"` makes the literal
an sg:Actor and the actor shapes report on it. Such results always come with a result on the
resource that states the literal (`test_every_object_property_rejects_literals`), which is the one
the fixtures assert; `test_a_literal_value_is_reported_where_it_is_stated` shows both.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from sozialgraph.rdf import ntriples
from sozialgraph.rdf.namespaces import BASE, PREFIXES
from sozialgraph.settings import GRAPHS_DIR, ONTOLOGY_DIR, SHAPES_DIR
from sozialgraph.validation.engine import validate_ntriples

PROJECT_ROOT = Path(__file__).resolve().parent.parent

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
BAD_FIXTURES = sorted((FIXTURES / "bad").glob("*.ttl"))
SHAPES_DOC = PROJECT_ROOT / "docs" / "shapes.md"
EXPECT = re.compile(r"^#\s*expect:\s*(.+?)\s*$")

# Which constraint component each parameter of a shape belongs to: the coverage test asks that
# every (shape, component) pair of the shapes graph is proven by at least one bad fixture.
COMPONENT_OF_PARAMETER = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
# Parameters of named shapes that are not constraints of their own.
NON_CONSTRAINT_PARAMETERS = {
    RDF.type, RDFS.label, RDFS.comment, SH.path, SH.severity, SH.message, SH.property,
    SH.targetClass, SH.targetSubjectsOf, SH.qualifiedValueShape,
}


class Result(NamedTuple):
    """A validation result as the fixtures write it: every part as a short string."""

    severity: str
    component: str
    focus: str
    path: str
    shape: str

    def __str__(self) -> str:
        return " ".join(self)


# --- loading, once per module ---------------------------------------------------------------

def parse(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@cache
def shapes() -> Graph:
    return parse(*sorted(SHAPES_DIR.glob("*.ttl")))


@cache
def ontology() -> Graph:
    return parse(*sorted(ONTOLOGY_DIR.glob("*.ttl")))


@cache
def context() -> Graph:
    return parse(FIXTURES / "context.ttl")


@cache
def bad_graph(name: str) -> Graph:
    return parse(FIXTURES / "bad" / f"{name}.ttl")


# Both validators must give each fixture its expected results: pySHACL (the reference) and
# pyshacl-turbo (the engine of the build, `sozialgraph validate` and the validation service).
ENGINES = ("pyshacl", "turbo")


def validate(*graphs: Graph, allow_warnings: bool = False, engine: str = "pyshacl"
             ) -> tuple[bool, Graph, str]:
    """Validate as the build does: ontology merged into the data, RDFS inference, advanced.
    `conforms` tolerates warnings and infos only if `allow_warnings`."""
    data = Graph()
    for graph in (ontology(), *graphs):
        data += graph
    if engine == "pyshacl":  # on a copy of the shapes: pySHACL adds to the graph it is given
        shacl = Graph()
        shacl += shapes()
        return pyshacl.validate(data, shacl_graph=shacl, inference="rdfs", advanced=True,
                                allow_warnings=allow_warnings, allow_infos=allow_warnings,
                                inplace=True)
    # the same blank nodes: N-Triples keeps rdflib's labels, and the engine keeps them too
    result = validate_ntriples(ntriples.from_rdflib(data), shapes())
    conforms = result.conforms if allow_warnings else not result.results
    return conforms, result.report, result.text()


# --- reading reports ------------------------------------------------------------------------

def short(node) -> str:
    """`sg:amount` for an IRI in a project prefix, `_` for a blank node, N3 otherwise."""
    if isinstance(node, BNode):
        return "_"
    if isinstance(node, URIRef):
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
            if node.startswith(namespace):
                return f"{prefix}:{node[len(namespace):]}"
    return node.n3()


def path_text(graph: Graph, path) -> str:
    """A SHACL path in SPARQL property-path syntax."""
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return short(path)
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, step) for step in Collection(graph, path))
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + path_text(graph, inverse)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        parts = [path_text(graph, alt) for alt in Collection(graph, alternatives)]
        return "(" + "|".join(f"({p})" if "/" in p else p for p in parts) + ")"
    raise ValueError(f"unsupported path {path!r}")


def report_results(report: Graph) -> list[tuple[Result, object]]:
    """Every result of a report, those nested under sh:detail too, each with the focus node of
    the top-level result it belongs to (what the result is about, for attribution)."""
    found = []

    def walk(result, top_focus):
        found.append((Result(
            short(report.value(result, SH.resultSeverity)).removeprefix("sh:"),
            short(report.value(result, SH.sourceConstraintComponent)),
            short(report.value(result, SH.focusNode)),
            path_text(report, report.value(result, SH.resultPath)),
            short(report.value(result, SH.sourceShape)),
        ), top_focus))
        for detail in report.objects(result, SH.detail):
            walk(detail, top_focus)

    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(report_node, SH.result):
            walk(result, report.value(result, SH.focusNode))
    return found


def expected_results(path: Path) -> Counter:
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(Result(*match.group(1).split())
                   for match in map(EXPECT.match, lines) if match)


# --- the bad fixtures, validated together ---------------------------------------------------

def owned_nodes(graph: Graph) -> set:
    """The nodes a fixture is about: its subjects, and the blank nodes and instance IRIs it
    mentions that the context does not describe (e.g. a misspelt actor IRI)."""
    shared = set(context().subjects()) | set(ontology().subjects())
    mentioned = {node for triple in graph for node in (triple[0], triple[2])
                 if isinstance(node, BNode) or (isinstance(node, URIRef) and node.startswith(BASE + "id/"))}
    return set(graph.subjects()) | (mentioned - shared)


@cache
def bad_run(engine: str = "pyshacl") -> tuple[dict[str, Counter], list[Result]]:
    """Validate context + all bad fixtures once; attribute each result to its fixture (results
    about literals aside, see the module docstring)."""
    names = [path.stem for path in BAD_FIXTURES]
    owner = {node: name for name in names for node in owned_nodes(bad_graph(name))}
    _, report, _ = validate(context(), *(bad_graph(name) for name in names), engine=engine)
    per_fixture: dict[str, Counter] = {name: Counter() for name in names}
    unattributed = []
    for result, top_focus in report_results(report):
        if isinstance(top_focus, Literal):
            continue
        if top_focus in owner:
            per_fixture[owner[top_focus]][result] += 1
        else:
            unattributed.append(result)
    return per_fixture, unattributed


def describe_difference(expected: Counter, actual: Counter) -> str:
    missing = "\n".join(f"  missing:    {r}" for r in sorted((expected - actual).elements()))
    extra = "\n".join(f"  unexpected: {r}" for r in sorted((actual - expected).elements()))
    return "\n".join(part for part in (missing, extra) if part)


# --- tests ----------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_good_fixture_conforms_fully(engine):
    """No result of any severity, for context.ttl and good.ttl together: the good graph is what
    the data should look like. (That context.ttl alone stays clean is checked in the combined
    run of the bad fixtures: no result may be about a context node.)"""
    conforms, _, text = validate(context(), parse(FIXTURES / "good.ttl"), engine=engine)
    assert conforms, text


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fixture", BAD_FIXTURES, ids=lambda path: path.stem)
def test_bad_fixture_gives_exactly_the_expected_results(fixture, engine):
    expected = expected_results(fixture)
    assert expected, f"{fixture.name} states no '# expect:' lines"
    actual = bad_run(engine)[0][fixture.stem]
    assert actual == expected, f"{fixture.name}:\n{describe_difference(expected, actual)}"


@pytest.mark.parametrize("engine", ENGINES)
def test_bad_fixtures_are_independent(engine):
    """Fixtures validated together must not touch shared nodes or each other's nodes."""
    shared = set(context().subjects()) | set(ontology().subjects())
    seen: dict = {}
    for path in BAD_FIXTURES:
        graph = bad_graph(path.stem)
        assert not set(graph.subjects()) & shared, f"{path.name} describes a context node"
        for node in owned_nodes(graph):
            assert node not in seen, f"{short(node)} is in {path.name} and {seen[node]}"
            seen[node] = path.name
    assert bad_run(engine)[1] == [], "results about the context, not about any fixture"


def shape_constraints() -> set[tuple[str, str]]:
    """(shape, component) for every constraint parameter of every named shape."""
    graph = shapes()
    named = {s for s in graph.subjects(RDF.type, None)
             if isinstance(s, URIRef) and graph.value(s, RDF.type) in (SH.NodeShape, SH.PropertyShape)}
    pairs = set()
    for shape in named:
        for parameter in set(graph.predicates(shape)) - NON_CONSTRAINT_PARAMETERS:
            assert parameter in COMPONENT_OF_PARAMETER, f"{short(shape)}: unknown {short(parameter)}"
            pairs.add((short(shape), short(COMPONENT_OF_PARAMETER[parameter])))
    return pairs


def test_every_constraint_is_proven_by_a_bad_fixture():
    proven = {(r.shape, r.component) for path in BAD_FIXTURES for r in expected_results(path)}
    unproven = sorted(shape_constraints() - proven)
    assert not unproven, "constraints no bad fixture breaks:\n" + "\n".join(map(str, unproven))


def path_properties(graph: Graph, path) -> set:
    """The properties a simple or alternative path follows forwards."""
    if isinstance(path, URIRef):
        return {path}
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return set().union(*(path_properties(graph, alt) for alt in Collection(graph, alternatives)))
    return set()


def test_every_object_property_rejects_literals():
    """A literal where the ontology expects a resource is reported on the resource that states it
    (by sh:class, sh:in, sh:node, sh:hasValue or sh:nodeKind on that property or, through RDFS, on
    a super-property)."""
    graph = shapes()
    checked = set()
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        if {SH["class"], SH["in"], SH.node, SH.hasValue, SH.nodeKind} & set(graph.predicates(shape)):
            checked |= path_properties(graph, graph.value(shape, SH.path))

    def is_checked(prop) -> bool:
        return prop in checked or any(map(is_checked, ontology().objects(prop, RDFS.subPropertyOf)))

    unchecked = [short(p) for p in ontology().subjects(RDF.type, OWL.ObjectProperty)
                 if not is_checked(p)]
    assert not unchecked, f"object properties that accept literals unnoticed: {sorted(unchecked)}"


def test_a_literal_value_is_reported_where_it_is_stated():
    funding = Graph().parse(format="turtle", data="""
        @prefix sg: <https://w3id.org/sozialgraph/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/sozialgraph/id/funding/test> a sg:Funding ;
            rdfs:label "Test"@de , "Test"@en ; sg:funder "das Land" .""")
    _, report, _ = validate(context(), funding)
    results = [result for result, _ in report_results(report)]
    assert Result("Violation", "sh:ClassConstraintComponent", "sgf:test", "sg:funder",
                  "sgsh:Funding-funder") in results
    # The RDFS artefact: the literal, an sg:Actor by the range of sg:funder, has no label.
    assert Result("Violation", "sh:QualifiedMinCountConstraintComponent", '"das Land"',
                  "rdfs:label", "sgsh:LabelDe") in results


def languages(graph: Graph, subject, predicate) -> list[str]:
    return sorted(o.language or "" for o in graph.objects(subject, predicate) if isinstance(o, Literal))


def test_shapes_are_documented():
    """Every named shape has de+en text, a deliberate severity, and a row in docs/shapes.md."""
    graph = shapes()
    doc = SHAPES_DOC.read_text(encoding="utf-8")
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        name = short(shape)
        assert languages(graph, shape, RDFS.label) == ["de", "en"], name
        assert languages(graph, shape, RDFS.comment) == ["de", "en"], name
        if {SH["or"], SH.sparql} & set(graph.predicates(shape)):  # constraints of its own
            assert graph.value(shape, SH.severity) is not None, name
            for constraint in graph.objects(shape, SH.sparql):  # messages here or there
                assert ["de", "en"] in (languages(graph, constraint, SH.message),
                                        languages(graph, shape, SH.message)), name
            if (shape, SH["or"], None) in graph:
                assert languages(graph, shape, SH.message) == ["de", "en"], name
        assert f"`{name}`" in doc, f"{name} is missing from docs/shapes.md"
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        name = short(shape)
        assert graph.value(shape, SH.severity) is not None, name
        assert languages(graph, shape, SH.message) == ["de", "en"], name
        assert f"`{name}`" in doc, f"{name} is missing from docs/shapes.md"
    for constraint in graph.subjects(RDF.type, SH.SPARQLConstraint):
        if isinstance(constraint, URIRef):
            assert languages(graph, constraint, SH.message) == ["de", "en"], short(constraint)


# --- the project's own data -----------------------------------------------------------------

@pytest.mark.skipif(not any(GRAPHS_DIR.glob("*.ttl")), reason="no graphs/*.ttl yet")
def test_project_data_conforms():
    """Ontology + graphs/*.ttl: no sh:Violation (warnings and infos are tolerated, as in the
    build)."""
    conforms, _, text = validate(parse(*sorted(GRAPHS_DIR.glob("*.ttl"))), allow_warnings=True)
    assert conforms, text
