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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
# Releases: `dist/` beside the store (sozialgraph-X.Y.Z/ folders); $SOZIALGRAPH_RELEASES overrides.
DEFAULT_RELEASES = (CHECKOUT_ROOT or Path.cwd()) / "dist"


def corpus_dir() -> Path:
    """The corpus folder: $SOZIALGRAPH_CORPUS, else ../shared/corpus beside the checkout (or
    beside the current folder when installed)."""
    configured = os.environ.get("SOZIALGRAPH_CORPUS")
    if configured:
        return Path(configured)
    return (CHECKOUT_ROOT or Path.cwd()).parent / "shared" / "corpus"


# ---- the settings table -------------------------------------------------------------------------
# Every setting of the server once: its key (the Flask config key), default, environment
# variable and, where a command takes it, the command-line option. The app factory reads
# defaults < environment < what create_app is given; `sozialgraph serve` derives its options
# from the same rows (sozialgraph.cli.options), and the README lists them.

@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str
    option: str | None = None  # the command-line option that sets it
    env: str = ""  # SOZIALGRAPH_<key> unless given
    command: str = "serve"  # the command that has the option

    @property
    def variable(self) -> str:
        return self.env or f"SOZIALGRAPH_{self.key}"

    @property
    def kind(self) -> type:
        return type(self.default) if self.default is not None else str

    def parse(self, raw: str) -> Any:
        """The value of `raw` (an environment variable's text) for this setting."""
        if self.kind is bool:
            value = parse_bool(raw)
            if value is None:
                raise ValueError(f"{self.variable} must be true or false, not {raw!r}")
            return value
        try:
            return self.kind(raw)
        except ValueError:
            wanted = {int: "a whole number", float: "a number"}.get(self.kind, "text")
            raise ValueError(f"{self.variable} must be {wanted}, not {raw!r}") from None


SETTINGS: tuple[Setting, ...] = (
    Setting("STORE_PATH", str(DEFAULT_STORE), "Store directory (a link to the current build).",
            "--store", env="SOZIALGRAPH_STORE"),
    Setting("RELEASES_PATH", str(DEFAULT_RELEASES), "Folder of citable releases "
            "(`sozialgraph release` writes them; /releases lists them).", "--releases",
            env="SOZIALGRAPH_RELEASES"),
    Setting("DRAFTS_PATH", None, "Folder of the draft graphs (ID.ttl) that `sozialgraph "
            "extract` writes, /drafts shows and `sozialgraph promote` reads; unset: "
            "graphs/drafts/ of the data folder.", "--drafts", env="SOZIALGRAPH_DRAFTS",
            command="promote"),
    Setting("DRAFT_TEXTS_PATH", None, "Folder of texts not (yet) in the corpus that drafts "
            "quote (their sg:corpusFile), looked up before the corpus folder by the review "
            "pages; unset: the drafts folder.", env="SOZIALGRAPH_DRAFT_TEXTS"),
    Setting("PUBLIC_BASE", None, "The server's public base URL (e.g. https://example.org/); "
            "unset: the address each request came to.", "--public-base"),
    Setting("INCLUDE_INFERRED_DEFAULT", False, "Whether a query's default graph includes the "
            "inferred triples when the request does not say."),
    Setting("QUERY_TIMEOUT", 30.0, "Seconds a SPARQL query may run; 0 evaluates in the web "
            "process without a limit (debugging only).", "--query-timeout"),
    Setting("QUERY_WORKERS", 2, "Query worker processes per web process.", "--query-workers"),
    Setting("QUERY_MEMORY_MB", 2048, "Address-space limit of a query worker in MB; 0: none."),
    Setting("QUERY_ISOLATE_NETWORK", True, "Give query workers an empty network namespace "
            "where the operating system allows it."),
    Setting("MAX_BODY_BYTES", 1_000_000, "Largest SPARQL request body (and query string)."),
    Setting("MAX_RESULT_ROWS", 100_000, "Larger results are refused (rows, or triples for "
            "CONSTRUCT and DESCRIBE)."),
    Setting("REMOTE_ENDPOINT", None, "Serve a remote store's SPARQL query endpoint (loaded with "
            "`sozialgraph push`) instead of the store.", "--remote"),
    Setting("REMOTE_USER", None, "User at the remote store (Basic or Digest, as it asks).",
            "--remote-user"),
    Setting("REMOTE_PASSWORD", None, "Password at the remote store.", "--remote-password"),
    Setting("REMOTE_TOKEN", None, "Bearer token for the remote store.", "--remote-token"),
    Setting("VALIDATE_MAX_BYTES", 5_000_000, "Largest /validate request (data and shapes)."),
    Setting("VALIDATE_TIMEOUT", 30.0, "Seconds for parsing and validating one /validate "
            "request; 0: in the web process without a limit (debugging only)."),
    Setting("VALIDATE_WORKERS", 2, "Validator processes per web process."),
    Setting("VALIDATE_MEMORY_MB", 2048, "Address-space limit of a validator in MB; 0: none."),
    Setting("CLIENT_CONCURRENT", 4, "Queries (and, apart, validations) one client may run at "
            "once; more get 429 at once. 0: no limit. Below QUERY_WORKERS no client can hold "
            "every worker (a browser with the query UI runs several at once)."),
    Setting("CLIENT_SECONDS", 60.0, "Seconds of query (and, apart, validation) time one client "
            "may use per CLIENT_WINDOW; beyond it 429 with Retry-After. 0: no limit."),
    Setting("CLIENT_WINDOW", 60.0, "The sliding window of CLIENT_SECONDS, in seconds."),
    Setting("TRUSTED_PROXIES", None, "Addresses of proxies whose X-Forwarded-For names the "
            "client (comma-separated); unset: the client is the address the request came from."),
    Setting("PUSH_PASSWORD", None, "Password at the store `sozialgraph push` writes to.",
            "--password", command="push"),
    Setting("PUSH_TOKEN", None, "Bearer token for the store `sozialgraph push` writes to.",
            "--token", command="push"),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def parse_bool(value: str) -> bool | None:
    """'true'/'1'/'yes'/'on' and '' (a bare switch) are True, 'false'/'0'/'no'/'off' False."""
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS or lowered == "":
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings the environment sets (unset or empty variables set nothing)."""
    environ = os.environ if environ is None else environ
    return {s.key: s.parse(environ[s.variable]) for s in SETTINGS if environ.get(s.variable)}


def resolve(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting: the defaults, then the environment, then `overrides`."""
    return ({s.key: s.default for s in SETTINGS} | from_environment() | dict(overrides or {}))
