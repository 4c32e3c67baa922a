"""Answers of the peers compared: SPARQL JSON results read into rows, compared as a multiset
with terms normalised (blank-node labels, xsd:string, numeric lexical forms), and loosely for
what SPARQL leaves to the engine. Imports only the standard library."""

from __future__ import annotations

import json
import re

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "byte", "nonNegativeInteger", "positiveInteger",
                             "nonPositiveInteger", "negativeInteger", "unsignedInt",
                             "unsignedLong", "unsignedShort", "unsignedByte")}


def normal_term(term: dict | None):
    """A SPARQL JSON results term, comparable across engines."""
    if term is None:
        return None
    kind = term.get("type")
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", term["value"])
    datatype = term.get("datatype")
    if term.get("xml:lang"):
        return ("lang", term["value"], term["xml:lang"].lower())
    if datatype in NUMERIC:  # engines differ in lexical forms and in decimal vs double
        try:
            return ("number", f"{float(term['value']):.12g}")
        except ValueError:
            pass
    if datatype in (None, XSD + "string"):
        return ("string", term["value"])
    return ("typed", term["value"], datatype)


def normal_answer(body: bytes) -> tuple[str, object]:
    """('boolean', bool) or ('rows', sorted tuple of rows); rows as tuples over sorted vars."""
    document = json.loads(body)
    if "boolean" in document:
        return "boolean", bool(document["boolean"])
    names = sorted(document["head"].get("vars", []))
    rows = [tuple(normal_term(b.get(n)) for n in names)
            for b in document["results"]["bindings"]]
    return "rows", tuple(sorted(rows, key=repr))


_SEPARATOR = re.compile(r"""separator\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def loosely(answer: tuple[str, object], query: str) -> tuple[str, object]:
    """The answer with what SPARQL leaves to the engine made equal: the language tag of a
    GROUP_CONCAT (Oxigraph keeps a tag all parts share, rdflib drops it) and the order of its
    parts (unspecified), for the separators the query names."""
    kind, rows = answer
    if kind != "rows":
        return answer
    separators = [a or b for a, b in _SEPARATOR.findall(query)]

    def term(value):
        if not value or value[0] not in ("lang", "string"):
            return value
        text = value[1]
        for separator in separators:
            if separator and separator in text:
                text = separator.join(sorted(text.split(separator)))
        return ("string", text)

    return kind, tuple(sorted((tuple(term(v) for v in row) for row in rows), key=repr))


def answer_size(answer: tuple[str, object]) -> int:
    kind, value = answer
    return len(value) if kind == "rows" else 1


def compare(reference: tuple[str, object], other: tuple[str, object]) -> str:
    if reference == other:
        return "match"
    if reference[0] != other[0]:
        return f"different kind ({other[0]} vs {reference[0]})"
    if reference[0] == "boolean":
        return f"{other[1]} vs {reference[1]}"
    ours, theirs = set(reference[1]), set(other[1])
    return (f"{answer_size(other)} rows vs {answer_size(reference)}: {len(theirs - ours)} not "
            f"in the reference, {len(ours - theirs)} missing")
