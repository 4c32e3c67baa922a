"""The quote check of a promotion: every evidence of a graph verbatim at its offsets of the
corpus text its source names, as tests/test_corpus_coverage.py checks the project's graphs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from rdflib import RDF, Graph

from sozialgraph.corpus import read_text
from sozialgraph.rdf.namespaces import OA, SG
from sozialgraph.review.draft import FILE_NAME
from sozialgraph.settings import corpus_dir


def check_quotes(graph: Graph, sources: Graph, text_of: Callable[[str], str | None]
                 ) -> list[str]:
    """Problems with the quotes of `graph`: each evidence's source must name a corpus text
    (looked up by `text_of`, a file name -> text or None) with the recorded SHA-256 and length,
    and hold its exact words at its offsets, with its prefix before and its suffix after."""
    problems, texts = [], {}
    for evidence in sorted(set(graph.subjects(RDF.type, SG.Evidence))):
        source = graph.value(evidence, OA.hasSource)
        file_name = str(sources.value(source, SG.corpusFile) or "")
        if file_name not in texts:
            text = text_of(file_name) if FILE_NAME.fullmatch(file_name) else None
            if text is None:
                problems.append(f"the text {file_name or '(none)'} of {source} is not in the "
                                "corpus folder: copy it there (the quote tests read it there)")
            elif hashlib.sha256(text.encode("utf-8")).hexdigest() != str(
                    sources.value(source, SG.sha256)) or len(text) != int(
                    sources.value(source, SG.characterCount) or -1):
                problems.append(f"the corpus file {file_name} is not the text the draft was "
                                "made from (its SHA-256 or length differs)")
                text = None
            texts[file_name] = text
        text = texts[file_name]
        if text is None:
            continue
        exact = start = end = prefix = suffix = None
        for selector in graph.objects(evidence, OA.hasSelector):
            exact = graph.value(selector, OA.exact) or exact
            prefix = graph.value(selector, OA.prefix) or prefix
            suffix = graph.value(selector, OA.suffix) or suffix
            if graph.value(selector, OA.start) is not None:
                start, end = int(graph.value(selector, OA.start)), int(graph.value(selector,
                                                                                   OA.end))
        where = evidence.n3(graph.namespace_manager)
        if exact is None or start is None:
            problems.append(f"{where}: needs a TextQuoteSelector and a TextPositionSelector")
        elif text[start:end] != str(exact):
            there, quote = text[start:end], str(exact)
            at = next((i for i, (a, b) in enumerate(zip(quote, there)) if a != b),
                      min(len(quote), len(there)))
            problems.append(f"{where}: the quote is not at {start}:{end} of {file_name}: from "
                            f"its character {at} it says {quote[max(0, at - 20):at + 20]!r}, "
                            f"the text {there[max(0, at - 20):at + 20]!r}")
        elif prefix is not None and not text[:start].endswith(str(prefix)) or \
                suffix is not None and not text[end:].startswith(str(suffix)):
            problems.append(f"{where}: its prefix or suffix is not the text around the quote")
    return problems


def corpus_text(file_name: str) -> str | None:
    path = corpus_dir() / file_name
    try:
        return read_text(path) if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None
