"""Queries for a remote store (`serve --remote`): what only a remote engine would do is refused
before the query leaves (`check_remote_query`), and the remote answer is written by the same
`evaluate` as the embedded store's, so that formats, the row limit and the error kinds are the
same (`RemoteExecutor`). The remote store itself is `sozialgraph.store.remote`."""

from __future__ import annotations

import re
from dataclasses import replace

from sozialgraph.sparql.check import UnsafeQuery, tokenize, unescape_codepoints
from sozialgraph.sparql.executor import Answer, Failure, QueryTask, evaluate
from sozialgraph.store.embedded import GRAPH_INFERRED
from sozialgraph.store.remote import (
    MAX_RESPONSE_BYTES,
    MERGE_GRAPH,
    RemoteError,
    RemoteQueryError,
    RemoteStore,
)


class ForeignQuery(UnsafeQuery):
    """A query the embedded engine would not run, that a remote engine might run differently."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind  # the Failure kind: syntax or evaluation


_VENDOR_WORDS = {"DEFINE": "DEFINE (a Virtuoso pragma, which can make it fetch documents)",
                 "OPTION": "OPTION (Virtuoso query options, which can make it fetch documents)"}
_VENDOR_SCHEMES = ("bif:", "sql:", "java:")  # Virtuoso built-ins and SQL, Jena's Java functions
_VENDOR_PREFIXES = {"bif", "sql"}  # predeclared by Virtuoso
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def check_remote_query(query: str) -> None:
    """Refuse what the checks in safety.py leave to the embedded engine's own refusal, because a
    remote engine may accept it: vendor extensions that reach outside the store (Virtuoso's
    DEFINE and OPTION pragmas, bif:/sql: functions, Jena's java: functions), and relative IRIs
    without BASE (pyoxigraph refuses them; a remote server would resolve them against its own
    URL and show it). Runs on the query as sent and with \\u escapes decoded, like safety.py."""
    decoded = unescape_codepoints(query)
    for text in dict.fromkeys([query, decoded]):
        tokens = tokenize(text)
        has_base = any(t.kind == "word" and t.text.upper() == "BASE" for t in tokens)
        for token in tokens:
            if token.kind == "word":
                upper = token.text.upper()
                for word, what in _VENDOR_WORDS.items():
                    if upper == word or (word == "DEFINE" and word in upper):
                        raise ForeignQuery(f"{what} is not SPARQL and is not accepted", "syntax")
            elif token.kind == "pname" and token.prefix.lower() in _VENDOR_PREFIXES:
                raise ForeignQuery(f"the prefix {token.prefix}: names vendor built-in functions, "
                                   "which are not accepted; declare another prefix name",
                                   "evaluation")
            elif token.kind == "iri":
                iri = unescape_codepoints(token.text[1:-1])
                if iri.lower().startswith(_VENDOR_SCHEMES):
                    raise ForeignQuery(f"<{iri}> names a vendor built-in (bif:, sql:, java:), "
                                       "which is not accepted", "evaluation")
                if not has_base and not _ABSOLUTE.match(iri):
                    raise ForeignQuery(f"the relative IRI <{iri}> needs a BASE declaration",
                                       "syntax")


class _Answered:
    """Hands `evaluate` an answer already fetched, as if a store had just computed it."""

    def __init__(self, result):
        self._result = result

    def contains_named_graph(self, _graph) -> bool:
        return True

    def query(self, *_args, **_kwargs):
        return self._result


class RemoteExecutor:
    """Runs checked /sparql queries on the remote store (the executor interface of executor.py)."""

    def __init__(self, remote: RemoteStore, max_bytes: int = MAX_RESPONSE_BYTES):
        self.remote, self.max_bytes = remote, max_bytes

    def run(self, task: QueryTask) -> Answer | Failure:
        tokens = tokenize(task.query)
        relative = any(t.kind == "iri" and not _ABSOLUTE.match(unescape_codepoints(t.text[1:-1]))
                       for t in tokens)
        if task.base_iri and relative and not any(t.kind == "word" and t.text.upper() == "BASE"
                                                  for t in tokens):
            # the remote server would resolve relative IRIs against its own URL: name ours
            task = replace(task, query=f"BASE <{task.base_iri}>\n{task.query}")
        try:
            check_remote_query(task.query)
        except ForeignQuery as refusal:
            return Failure(refusal.kind, str(refusal))
        try:
            graphs = self.remote.graphs()
            if task.default_graphs:
                default = list(task.default_graphs)
            else:
                default = [MERGE_GRAPH]
                if task.include_inferred and GRAPH_INFERRED in graphs:
                    default.append(GRAPH_INFERRED)
            named = list(task.named_graphs) if task.named_graphs else graphs
            result = self.remote.fetch(task.query, default, named, max_bytes=self.max_bytes)
        except SyntaxError as error:
            return Failure("syntax", str(error.msg or error))
        except RemoteError as error:
            return Failure(error.kind, str(error))
        except RemoteQueryError as error:
            return Failure("evaluation", str(error))
        return evaluate(_Answered(result), task)

    def close(self) -> None:
        pass


