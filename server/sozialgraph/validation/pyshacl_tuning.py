"""Constant-time constraint lookup in pySHACL 0.40.1, for as long as a validation runs.

Every time pySHACL validates a shape (once per shape, and again per value node for sh:node,
sh:qualifiedValueShape, sh:or, sh:and, sh:not: tens of thousands of times at 10^4 triples), it
picks the shape's constraint parameters with `p in search_parameters` over a *list* of about forty
IRIs (pyshacl/shape.py, Shape.validate). Profiled at 2*10^4 synthetic triples that scan was 37 %
of validation: nine million `URIRef.__eq__` calls.

`constraint_lookup()` hands Shape.validate, through the module attribute it caches the list in
(`pyshacl.shape.CONSTRAINT_PARAMS`), a list whose membership test is a set lookup. The list holds
the same IRIs in the same order and `copy()`/`append` keep it that kind of list, so the
parameters found are the same (URIRef hashing agrees with its equality); only the scan is gone.
The attribute is restored afterwards. It applies to the pinned pySHACL only: with another version
or another layout the block does nothing. tests/test_inference_equivalence.py checks that reports
are the same with and without.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pyshacl
import pyshacl.shape as _shape

_SUPPORTED_VERSION = "0.40.1"
_lock = threading.Lock()
_depth = 0
_saved: object = None
_MISSING = object()


class _SetBackedList(list):
    """A list whose `in` is a set lookup; copy() and append() keep it so."""

    def __init__(self, items=()):
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item) -> bool:
        try:
            return item in self._members
        except TypeError:  # unhashable: as a list would
            return list.__contains__(self, item)

    def copy(self) -> _SetBackedList:
        return _SetBackedList(self)

    def append(self, item) -> None:
        super().append(item)
        self._members.add(item)


def _applicable() -> bool:
    return getattr(pyshacl, "__version__", None) == _SUPPORTED_VERSION


@contextmanager
def constraint_lookup() -> Iterator[None]:
    """Within the block, pySHACL finds a shape's constraint parameters by set lookup."""
    global _depth, _saved
    if not _applicable():
        yield
        return
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    with _lock:
        if _depth == 0:
            _saved = getattr(_shape, "CONSTRAINT_PARAMS", _MISSING)
            _shape.CONSTRAINT_PARAMS = (_SetBackedList(ALL_CONSTRAINT_PARAMETERS),
                                        CONSTRAINT_PARAMETERS_MAP)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _saved is _MISSING:
                    del _shape.CONSTRAINT_PARAMS
                else:
                    _shape.CONSTRAINT_PARAMS = _saved
