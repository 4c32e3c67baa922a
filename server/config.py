"""Where things are: the checkout's folders, the corpus, the store. Each can be overridden."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
GRAPHS_DIR = PROJECT_ROOT / "graphs"
SHAPES_DIR = PROJECT_ROOT / "shapes"
QUERIES_DIR = PROJECT_ROOT / "queries"
DEFAULT_STORE = PROJECT_ROOT / "store"


def corpus_dir() -> Path:
    """The corpus folder: $SOZIALGRAPH_CORPUS, else ../shared/corpus beside the checkout."""
    configured = os.environ.get("SOZIALGRAPH_CORPUS")
    if configured:
        return Path(configured)
    return PROJECT_ROOT.parent / "shared" / "corpus"
