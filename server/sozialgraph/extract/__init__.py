"""Extraction of draft graphs from German policy texts (`sozialgraph extract`).

The modules depend in one direction: `numbers` (figures, qualifiers, periods) and `nlp`
(spaCy's blank German pipeline with lookup lemmas, somajo's sentences) know nothing of the
rest; `lexicon` reads the shared actors and vocabularies; `findings` holds what rules find;
`status`, `mentions` and `measures` are rules; `rules` runs them all and links figures to
measures and funders; `draft` writes the findings as RDF; `evaluate` compares drafts with the
curated graphs.
The language packages are the `extract` extra, imported only when extraction runs, so the
rest of `sozialgraph` works without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rdflib import Graph, URIRef

from sozialgraph import settings
from sozialgraph.rdf.namespaces import ACTOR, SG

LEVELS = {"land": (SG.StateLevel, ACTOR["land-hessen"])}  # other names: a city


def software_version() -> str:
    try:
        return version("sozialgraph")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def lexicon_files() -> list[Path]:
    return [settings.ONTOLOGY_DIR / "sozialgraph.ttl", settings.GRAPHS_DIR / "actors.ttl",
            settings.GRAPHS_DIR / "vocabularies.ttl"]


@dataclass(frozen=True)
class Options:
    slug: str
    file_name: str
    level: str = "land"  # "land", or the name of a city ("kassel")
    kind: str = "information-page"
    as_of: date | None = None


def level_of(name: str) -> tuple[URIRef, URIRef]:
    """(sg:level, the document's own actor) for --level: the Land, or the city named."""
    if name.lower() in LEVELS:
        return LEVELS[name.lower()]
    from sozialgraph.corpus import slug_of

    return SG.MunicipalLevel, ACTOR[f"stadt-{slug_of(name)}"]


def extract(text: str, options: Options, lexicon=None) -> Graph:
    """The draft graph of `text` (the characters of the file, exactly as stored)."""
    from sozialgraph.extract import lexicon as lexicon_module
    from sozialgraph.extract.draft import DraftWriter, Source
    from sozialgraph.extract.nlp import analyse
    from sozialgraph.extract.rules import extract_findings

    started = datetime.now(timezone.utc).replace(microsecond=0)
    lexicon = lexicon or lexicon_module.load(lexicon_files())
    level, actor = level_of(options.level)
    source = Source(options.slug, options.file_name, text, level, actor, options.kind,
                    options.as_of)
    analysis = analyse(text)
    findings = extract_findings(analysis, lexicon, options.kind == "coalition-agreement",
                                options.as_of.year if options.as_of else None)
    writer = DraftWriter(source, findings, lexicon, software_version(), started)
    graph = writer.write()
    if actor not in lexicon.actor_names:  # a city the shared actors do not have: proposed
        from rdflib import RDF, RDFS, Literal

        name = options.level[:1].upper() + options.level[1:]
        graph.add((actor, RDF.type, SG.Municipality))
        graph.add((actor, RDFS.label, Literal(f"Stadt {name}", lang="de")))
        graph.add((actor, SG.proposed, Literal(True)))
    return graph
