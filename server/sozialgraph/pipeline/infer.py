"""Step 3, infer: the OWL 2 RL rules the ontology needs, on the N-Triples term strings, at a
lower scheduling priority beside the validation worker; the kept triples go to the graph
sgg:inferred. OWL beyond the rules stops the build (one inference path; owlrl is the tests'
reference)."""

from __future__ import annotations

from collections.abc import Callable

from sozialgraph.inference.owl import InferenceResult, infer_ntriples
from sozialgraph.inference.rules import Unsupported
from sozialgraph.pipeline.steps import BuildError, yielding


def infer(asserted: set, progress: Callable[[str], None]) -> InferenceResult:
    try:
        inference = yielding(lambda: infer_ntriples(asserted))
    except Unsupported as unsupported:
        raise BuildError(f"the graphs need OWL 2 RL beyond the rules the build "
                         f"materialises ({unsupported}); extend "
                         "sozialgraph.inference.rules (and its tests against owlrl) or "
                         "remove it") from None
    progress(f"  {len(inference.triples)} inferred triples kept, "
             f"{inference.dropped} dropped as trivial ({inference.engine})")
    for message in inference.inconsistencies:
        progress(f"  warning: OWL 2 RL inconsistency: {message}")
    if inference.distinct_same_as:
        progress(f"  warning: {inference.distinct_same_as} owl:sameAs between "
                 "different resources (a functional property with two values?)")
    return inference
