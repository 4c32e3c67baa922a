"""Step 2, entail: the RDFS entailments of the data that the shapes can see
(sozialgraph.validation.engine.turbo_entailments), worked out in the build's process while the
validation worker reads the data; pyshacl-turbo validates the data with them added. Shapes that
need pySHACL's own RDFS closure (or a build asked for pySHACL) get none: the worker validates
with pySHACL instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph

from sozialgraph.validation.engine import turbo_entailments


@dataclass
class Entailed:
    engine: str  # the SHACL engine that validates: "turbo" or "pyshacl"
    triples: list = field(default_factory=list)  # what turbo adds to the data (term strings)


def entail(asserted: set, shapes: Graph, validator: str,
           progress: Callable[[str], None]) -> Entailed:
    if validator != "turbo" or not len(shapes):
        return Entailed(validator)
    entailed = turbo_entailments(asserted, shapes)
    if entailed is None:
        progress("  the shapes need pySHACL's RDFS closure: validating with pySHACL")
        return Entailed("pyshacl")
    progress(f"  {len(entailed)} RDFS entailments to the validation worker")
    return Entailed("turbo", entailed)
