"""Query results as a plain-text table for a terminal (`sozialgraph query --format table`):
prefixed IRIs, plain literal values, long cells cut."""

from __future__ import annotations

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import PREFIXES

CELL_WIDTH = 60  # longest value shown in a table cell; csv and json give full values


def compact(term) -> str:
    """A term for a table cell: prefixed IRIs, plain literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = max((ns for ns in PREFIXES.values() if term.value.startswith(ns)), key=len,
                   default=None)
        if best is None or best == term.value:
            return f"<{term.value}>"
        prefix = next(p for p, ns in PREFIXES.items() if ns == best)
        return f"{prefix}:{term.value[len(best):]}"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        datatype = term.datatype.value.removeprefix(PREFIXES["xsd"])
        if datatype in ("string", "integer", "decimal", "double", "boolean"):
            return term.value
        return f"{term.value}^^{compact(term.datatype)}"
    return str(term)


def render_table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        cells = []
        for name in names:
            cell = compact(solution[name]).replace("\n", "⏎").replace("\t", " ")
            cells.append(cell if len(cell) <= CELL_WIDTH else cell[: CELL_WIDTH - 1] + "…")
        rows.append(cells)
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells):
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def render_results(results, fmt: str) -> str:
    """Results of any query form as `sozialgraph query` prints them: ASK as true or false (or
    SPARQL JSON), CONSTRUCT and DESCRIBE as Turtle with the project prefixes it uses, SELECT as
    a table (`fmt` "table"), CSV or SPARQL JSON."""
    if isinstance(results, ox.QueryBoolean):
        if fmt == "json":
            return results.serialize(format=ox.QueryResultsFormat.JSON).decode() + "\n"
        return "true\n" if bool(results) else "false\n"
    if isinstance(results, ox.QueryTriples):
        triples = list(results)
        iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
        used = {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used).decode()
    if fmt == "table":
        return render_table(results)
    kind = ox.QueryResultsFormat.CSV if fmt == "csv" else ox.QueryResultsFormat.JSON
    return results.serialize(format=kind).decode() + ("\n" if fmt == "json" else "")
