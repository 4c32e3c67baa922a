"""Where things are: the project's data (ontology, graphs, shapes, curated queries), the corpus
and the store. Everything that can be configured is named here once.

The data folders are found, in this order:

1. `$SOZIALGRAPH_DATA`, a folder holding `ontology/`, `graphs/`, `shapes/` and `queries/`;
2. the source checkout this package is imported from (`server/sozialgraph/` in it), so that an
   editable install reads and writes the files under version control;
3. `<prefix>/share/sozialgraph/`, where `pip install .` puts them (pyproject's data-files).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DATA_FOLDERS = ("ontology", "graphs", "shapes", "queries")


def _checkout_root() -> Path | None:
    """The source checkout, if this package is imported from one (server/sozialgraph/)."""
    root = _PACKAGE.parent.parent
    if _PACKAGE.parent.name == "server" and (root / "ontology" / "sozialgraph.ttl").is_file():
        return root
    return None


def _data_root() -> Path:
    configured = os.environ.get("SOZIALGRAPH_DATA")
    if configured:
        return Path(configured)
    checkout = _checkout_root()
    if checkout is not None:
        return checkout
    installed = Path(sys.prefix) / "share" / "sozialgraph"
    if (installed / "ontology").is_dir():
        return installed
    raise RuntimeError("the project's data (ontology/, graphs/, shapes/, queries/) was not found: "
                       "set SOZIALGRAPH_DATA to a folder that holds them")


CHECKOUT_ROOT = _checkout_root()
DATA_ROOT = _data_root()
ONTOLOGY_DIR = DATA_ROOT / "ontology"
GRAPHS_DIR = DATA_ROOT / "graphs"
SHAPES_DIR = DATA_ROOT / "shapes"
QUERIES_DIR = DATA_ROOT / "queries"
# The store: in the checkout `store/` beside the data (as before), else `store/` in the current
# folder; $SOZIALGRAPH_STORE and every command's --store override it.
DEFAULT_STORE = (CHECKOUT_ROOT or Path.cwd()) / "store"


def corpus_dir() -> Path:
    """The corpus folder: $SOZIALGRAPH_CORPUS, else ../shared/corpus beside the checkout (or
    beside the current folder when installed)."""
    configured = os.environ.get("SOZIALGRAPH_CORPUS")
    if configured:
        return Path(configured)
    return (CHECKOUT_ROOT or Path.cwd()).parent / "shared" / "corpus"
