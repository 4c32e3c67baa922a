"""What the extractor recognises by name: the actors of graphs/actors.ttl and the concepts of
the SKOS schemes in graphs/vocabularies.ttl, each label turned into the keys of its words
(lemma, lower case, no inflection ending) so that "Hessischen Landesregierung" finds "Hessische
Landesregierung".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Graph, URIRef

from sozialgraph.extract.nlp import lemmas, stem
from sozialgraph.rdf.namespaces import ACTOR, SCHEME, SG

ARTICLES = {"der", "die", "das", "des", "dem", "den"}
POLICY_AREAS, TARGET_GROUPS = SCHEME["policy-areas"], SCHEME["target-groups"]
# Classes whose members can fund or be responsible for a measure (with their subclasses).
PUBLIC = {SG.PublicAuthority, SG.TerritorialAuthority, SG.FederalState, SG.Municipality,
          SG.District, SG.Government, SG.Ministry, SG.Agency, SG.Coalition, SG.Party}


@dataclass(frozen=True)
class Label:
    iri: URIRef
    text: str
    keys: tuple[str, ...]  # of the words, without a leading article
    needs_article: bool  # "das Land": only after an article
    variant: bool = False  # the label without its place ("Schulen … in Hessen" -> "Schulen …")


@dataclass
class Lexicon:
    actors: list[Label] = field(default_factory=list)
    concepts: list[Label] = field(default_factory=list)
    actor_types: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    actor_names: dict[URIRef, str] = field(default_factory=dict)
    scheme_of: dict[URIRef, URIRef] = field(default_factory=dict)
    concept_names: dict[URIRef, str] = field(default_factory=dict)
    default_area: URIRef | None = None

    def is_public(self, actor: URIRef) -> bool:
        return bool(self.actor_types.get(actor, set()) & PUBLIC)

    def closest_actor(self, name: str, cls: URIRef | None = None) -> URIRef | None:
        """The existing actor most like `name`, among those of class `cls` if there are any."""
        same = {a: n for a, n in self.actor_names.items()
                if cls is not None and cls in self.actor_types.get(a, set())}
        return _closest(name, same or self.actor_names)

    def closest_concept(self, name: str, scheme: URIRef) -> URIRef | None:
        return _closest(name, {c: n for c, n in self.concept_names.items()
                               if self.scheme_of.get(c) == scheme})


def _fold(word: str) -> str:
    """A word's stem without umlauts and without the participle's ge-, so that words of one
    family meet: "Fluchthintergrund", "Flüchtlinge", "Geflüchtete" -> "flucht…"."""
    folded = stem(word).translate(str.maketrans("äöüß", "aous"))
    return folded[2:] if folded.startswith("ge") and len(folded) > 6 else folded


def _shared_start(mine: set[str], theirs: set[str]) -> int:
    """The longest start two different words share (from five letters on), over all pairs
    (the same word in both is counted by the shared lemmas)."""
    best = 0
    for a in mine:
        for b in theirs - {a}:
            size = len(os.path.commonprefix([a, b]))
            best = max(best, size if size >= 5 else 0)
    return best


def _closest(name: str, names: dict[URIRef, str]) -> URIRef | None:
    """The resource whose label is most like `name`: a word family in common first, then
    shared word lemmas, then letters."""
    if not names:
        return None
    words = [t for t in lemmas(name) if len(t.text) > 3]
    mine, folded = {stem(t.lemma) for t in words}, {_fold(t.text) for t in words}

    def score(item):
        theirs = [t for t in lemmas(item[1]) if len(t.text) > 3]
        keys = {stem(t.lemma) for t in theirs}
        shared = len(mine & keys) / (len(mine | keys) or 1)
        family = _shared_start(folded, {_fold(t.text) for t in theirs})
        return (family, shared, SequenceMatcher(None, name.lower(), item[1].lower()).ratio())

    return max(sorted(names.items()), key=score)[0]


def label_of(text: str, iri: URIRef) -> Label | None:
    tokens = [t for t in lemmas(text) if t.text not in "()\"„“"]
    needs_article = bool(tokens) and tokens[0].text.lower() in ARTICLES
    if needs_article:
        tokens = tokens[1:]
    if not tokens:
        return None
    return Label(iri, text, tuple(t.key for t in tokens), needs_article)


def load(graph_files: Iterable[Path], exclude: set[tuple[str, str]] = frozenset()) -> Lexicon:
    """The lexicon of the actors and concept schemes in `graph_files`; `exclude` holds
    (IRI, label text) pairs to leave out (the evaluation takes out what only one document
    introduced)."""
    graph = Graph()
    for path in graph_files:
        graph.parse(path, format="turtle")
    lexicon = Lexicon()
    for subject in set(graph.subjects(RDF.type, None)):
        if not isinstance(subject, URIRef):
            continue
        types = set(graph.objects(subject, RDF.type))
        if str(subject).startswith(str(ACTOR)):
            lexicon.actor_types[subject] = types | _superclasses(graph, types)
            target, properties = lexicon.actors, (RDFS.label, SKOS.altLabel)
        elif SKOS.Concept in types:
            scheme = next(iter(graph.objects(subject, SKOS.inScheme)), None)
            if scheme not in (POLICY_AREAS, TARGET_GROUPS):
                continue
            lexicon.scheme_of[subject] = scheme
            target, properties = lexicon.concepts, (SKOS.prefLabel, SKOS.altLabel)
        else:
            continue
        names = lexicon.actor_names if target is lexicon.actors else lexicon.concept_names
        for prop in properties:
            for literal in graph.objects(subject, prop):
                if getattr(literal, "language", None) not in (None, "de"):
                    continue
                if prop in (RDFS.label, SKOS.prefLabel):
                    names[subject] = str(literal)
                if (str(subject), str(literal)) in exclude:
                    continue
                label = label_of(str(literal), subject)
                if label:
                    target.append(label)
    # The default policy area: the top concept with the most concepts below it.
    tops = [c for c, s in lexicon.scheme_of.items() if s == POLICY_AREAS
            and (c, SKOS.topConceptOf, POLICY_AREAS) in graph]
    below = {c: len(list(graph.transitive_subjects(SKOS.broader, c))) for c in tops}
    lexicon.default_area = max(sorted(below), key=below.get) if below else None
    lexicon.actors += _without_place(lexicon, graph)
    lexicon.concepts += _person_adjectives(lexicon)
    lexicon.actors.sort(key=lambda lab: -len(lab.keys))
    lexicon.concepts.sort(key=lambda lab: -len(lab.keys))
    return lexicon


def _without_place(lexicon: Lexicon, graph: Graph) -> list[Label]:
    """Variants of the actors' labels without the place they end with ("Gesundheitsämter in
    Hessen", "Runder Tisch Integration Kassel"): texts of that place leave it out. The places
    are the one-word labels of territorial authorities."""
    places = {lab.keys[0] for lab in lexicon.actors if len(lab.keys) == 1
              and SG.TerritorialAuthority in lexicon.actor_types.get(lab.iri, set())}
    variants, existing = [], {lab.keys for lab in lexicon.actors}
    for label in lexicon.actors:
        keys = label.keys
        if len(keys) < 2 or keys[-1] not in places:
            continue
        keys = keys[:-1]
        if keys[-1] in ("in", "der", "des", "im"):
            keys = keys[:-1]
        if keys and keys not in existing and len(" ".join(keys)) >= 8:
            existing.add(keys)
            variants.append(Label(label.iri, label.text, keys, label.needs_article, True))
    return variants


PERSONS = {"mensch", "person"}


def _person_adjectives(lexicon: Lexicon) -> list[Label]:
    """"Gehörlose Menschen" is also "Gehörlose", "Gehörlosen-" and the "Taubblinden-" of
    "Taubblinden-Geld": a group named by its adjective alone, or as part of a compound."""
    variants, existing = [], {lab.keys for lab in lexicon.concepts}
    for label in list(lexicon.concepts):
        if len(label.keys) == 2 and label.keys[1] in PERSONS and (label.keys[0],) not in existing:
            word = label.text.split()[0]
            existing.add((label.keys[0],))
            variants.append(Label(label.iri, word[:1].upper() + word[1:], (label.keys[0],),
                                  False, True))
    return variants


def _superclasses(graph: Graph, types: set) -> set:
    found = set()
    for cls in types:
        found |= set(graph.transitive_objects(cls, RDFS.subClassOf))
    return found
