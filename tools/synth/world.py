"""The world the synthetic documents speak about: concepts and actors, and the plumbing.

`World` holds what every synthetic document draws on: the real concepts of the two schemes with
synthetic narrower concepts (graph `synth-vocabularies`), the real actors with synthetic ones
(graph `synth-actors`), the measures introduced so far, one random source and one output file.
tools/synth/synth.py is the entry point; tools/synth/documents.py writes the documents.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import ACTOR, GRAPH, POLICY_AREA, SCHEME, SG, TARGET_GROUP
from sozialgraph.settings import GRAPHS_DIR

# ---- names --------------------------------------------------------------------------------------

PLACE_STEMS = ["Wald", "Berg", "Bach", "Linden", "Eichen", "Sonnen", "Kirch", "Stein", "Wiesen",
               "Rosen", "Mühl", "Brunn", "Hoch", "Tann", "Buchen", "Fels", "Birken", "Hasel"]
PLACE_ENDINGS = ["hausen", "heim", "feld", "dorf", "bach", "au", "stadt", "berg", "rode", "tal",
                 "born", "weiler"]
REGIONS = ["Hessen", "Nordhessen", "Mittelhessen", "Osthessen", "Südhessen", "Rhein-Main"]
FIRST_NAMES = ["Anna", "Jonas", "Leonie", "Murat", "Sofia", "Lukas", "Fatma", "Paul", "Marie",
               "Emil", "Hannah", "Ali", "Clara", "Felix", "Ida", "Nikolai"]
LAST_NAMES = ["Becker", "Yilmaz", "Schäfer", "Wagner", "Hoffmann", "Krause", "Nowak", "Richter",
              "Wolf", "Kaya", "Vogel", "Brandt", "Lange", "Petrović"]
PARTY_NAMES = ["Liste Gemeinsam", "Bürgerliste", "Soziale Allianz", "Neue Mitte", "Grüne Liste",
               "Stadtbündnis"]
TARGET_MODIFIERS = [("in ländlichen Räumen", "in rural areas"), ("in Großstädten", "in cities"),
                    ("unter 25 Jahren", "under 25"), ("über 65 Jahren", "over 65"),
                    ("mit Sprachförderbedarf", "needing language support"),
                    ("in Erstaufnahmeeinrichtungen", "in initial reception"),
                    ("mit Kindern", "with children"),
                    ("ohne Berufsabschluss", "without vocational qualification"),
                    ("in Ausbildung", "in training"), ("im Leistungsbezug", "receiving benefits")]
AREA_MODIFIERS = [("Modellvorhaben", "model schemes"), ("Beratung", "counselling"),
                  ("Qualifizierung", "qualification"), ("Infrastruktur", "infrastructure"),
                  ("Vernetzung", "networking"), ("Prävention", "prevention"),
                  ("Forschung und Evaluation", "research and evaluation"),
                  ("kommunale Umsetzung", "municipal implementation")]

# ---- terms, as N-Quads tokens ------------------------------------------------------------------


def _iri(value: str) -> str:
    return f"<{value}>"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.translate(_ESCAPES)
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(lexical: object, datatype: str) -> str:
    return f'"{lexical}"^^{datatype}'


class _Terms:
    """Tokens of one namespace: `_Terms(ns).Funding` is `<ns + "Funding">`."""

    def __init__(self, namespace: str):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        token = _iri(self._namespace + name)
        setattr(self, name, token)
        return token


T = _Terms(str(SG))
XSD = _Terms("http://www.w3.org/2001/XMLSchema#")
RDFS = _Terms("http://www.w3.org/2000/01/rdf-schema#")
SKOS = _Terms("http://www.w3.org/2004/02/skos/core#")
DCT = _Terms("http://purl.org/dc/terms/")
OA = _Terms("http://www.w3.org/ns/oa#")
SCHEMA = _Terms("http://schema.org/")
A = _iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CONTAINED_IN = SCHEMA.containedInPlace
GERMAN = _iri("http://id.loc.gov/vocabulary/iso639-1/de")
TG_SCHEME = _iri(str(SCHEME["target-groups"]))
PA_SCHEME = _iri(str(SCHEME["policy-areas"]))
REFUGEES = _iri(str(TARGET_GROUP["gefluechtete"]))


def _actor(slug: str) -> str:
    return _iri(str(ACTOR[slug]))


# Real actors the synthetic graph builds on; they are copied from graphs/actors.ttl.
LAND_HESSEN, LANDESREGIERUNG, HMSI, KASSEL, KASSEL_COALITION, STAEDTETAG, LANDKREISTAG, LIGA = (
    _actor(s) for s in ("land-hessen", "landesregierung-hessen", "hmsi", "stadt-kassel",
                        "koalition-kassel-2021", "hessischer-staedtetag",
                        "hessischer-landkreistag", "liga-freie-wohlfahrtspflege-hessen"))
REQUIRED_REAL_ACTORS = (LAND_HESSEN, LANDESREGIERUNG, HMSI, KASSEL, KASSEL_COALITION, STAEDTETAG,
                        LANDKREISTAG, LIGA)

# ---- output and choices -------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphFile:
    graph: str  # the named graph's IRI
    triples: int


class Chooser:
    """Weighted choices that first run through every option once, in the order given."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._seen: dict[str, int] = {}
        self._cumulative: dict[str, list[float]] = {}

    def pick(self, key: str, options: Sequence, weights: Sequence[float]):
        seen = self._seen.get(key, 0)
        if seen < len(options):
            self._seen[key] = seen + 1
            return options[seen]
        cumulative = self._cumulative.get(key)
        if cumulative is None:
            total, cumulative = 0.0, []
            for weight in weights:
                total += weight
                cumulative.append(total)
            self._cumulative[key] = cumulative
        return self.rng.choices(options, cum_weights=cumulative)[0]


class GraphWriter:
    """The triples of one named graph, streamed as N-Quads lines into the shared data file."""

    def __init__(self, handle: IO[str], stem: str):
        self._handle = handle
        self.graph = str(GRAPH[stem])
        self._end = f" <{self.graph}> .\n"
        self.triples = 0

    def add(self, s: str, p: str, o: str) -> None:
        self._handle.write(f"{s} {p} {o}{self._end}")
        self.triples += 1

    def add_triples(self, triples: list[str]) -> None:
        """Write triples given as "subject predicate object" (no graph, no final dot)."""
        end = self._end
        self._handle.write("".join(t + end for t in triples))
        self.triples += len(triples)


@dataclass(slots=True)
class Concept:
    iri: str
    de: str
    en: str
    depth: int
    topic_de: str  # the label of its real ancestor, used to name measures
    topic_en: str


@dataclass(slots=True)
class Measure:
    iri: str
    cls: str
    label: str  # German, with its noun: "Projekt Frühe Hilfen Waldhausen 17"
    label_en: str
    gender: str


@dataclass(slots=True)
class Town:
    iri: str
    name: str
    label: str
    coalition: str | None = None
    government: str | None = None


# ---- the world ----------------------------------------------------------------------------------


class World:
    """The generator's state: random source, output, vocabularies, actors, measures so far."""

    def __init__(self, target: int, seed: int, out_dir: Path, data: IO[str]):
        self.target, self.out, self.data = target, out_dir, data
        self.rng = random.Random(seed)
        self.choose = Chooser(self.rng)
        self.graphs: list[GraphFile] = []
        self.written = 0
        self.counts: dict[str, dict[str, int]] = {
            k: {} for k in ("measures", "mentions", "fundings", "quantities", "evidence",
                            "actors", "concepts", "documents")}
        self.measures: dict[str, list[Measure]] = {"StateLevel": [], "MunicipalLevel": []}
        self.corpus: list[dict[str, object]] = []
        self._serial: dict[str, int] = {}
        self._used_names: dict[str, int] = {}

    def next(self, kind: str) -> int:
        self._serial[kind] = self._serial.get(kind, 0) + 1
        return self._serial[kind]

    def count(self, group: str, key: str, n: int = 1) -> None:
        self.counts[group][key] = self.counts[group].get(key, 0) + n

    def unique(self, name: str) -> str:
        """The name, or the name with a number when it was used before."""
        seen = self._used_names.get(name, 0)
        self._used_names[name] = seen + 1
        return name if seen == 0 else f"{name} {seen + 1}"

    def close(self, writer: GraphWriter) -> None:
        self.graphs.append(GraphFile(writer.graph, writer.triples))
        self.written += writer.triples

    def copy_real(self, writer: GraphWriter, path: Path) -> list[ox.Triple]:
        """Copy a real graph, sorted (the parser's order is no promise), and return it."""
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        writer.add_triples(sorted(f"{t.subject} {t.predicate} {t.object}" for t in triples))
        return triples

    # -- vocabularies --

    def write_vocabularies(self, concept_count: int) -> None:
        writer = GraphWriter(self.data, "synth-vocabularies")
        real = self.copy_real(writer, GRAPHS_DIR / "vocabularies.ttl")
        scheme_of, label, broader = {}, {}, {}
        for t in real:
            s, p = str(t.subject), str(t.predicate)
            if p == SKOS.inScheme:
                scheme_of[s] = str(t.object)
            elif p == SKOS.prefLabel and isinstance(t.object, ox.Literal):
                label[(s, t.object.language)] = t.object.value
            elif p == SKOS.broader:
                broader[s] = str(t.object)
        if REFUGEES not in scheme_of:
            raise ValueError(f"{REFUGEES} is missing from graphs/vocabularies.ttl")

        def real_concept(iri: str) -> Concept:
            depth, node = 0, iri
            while node in broader:
                depth, node = depth + 1, broader[node]
            de, en = label[(iri, "de")], label[(iri, "en")]
            return Concept(iri, de, en, depth, de, en)

        self.real_groups = [real_concept(c) for c in sorted(scheme_of)
                            if scheme_of[c] == TG_SCHEME]
        self.real_areas = [real_concept(c) for c in sorted(scheme_of) if scheme_of[c] == PA_SCHEME]
        self.refugee_groups = [c for c in self.real_groups if c.iri == REFUGEES]
        self.synthetic_groups: list[Concept] = []
        self.synthetic_areas: list[Concept] = []
        refugee_share = max(2, concept_count // 40)
        for n in range(concept_count):
            is_group = n % 2 == 0
            if is_group and len(self.refugee_groups) <= refugee_share:
                parent = self.rng.choice([c for c in self.refugee_groups if c.depth < 5])
            elif is_group:
                parent = self._parent(self.real_groups, self.synthetic_groups)
            else:
                parent = self._parent(self.real_areas, self.synthetic_areas)
            modifiers = TARGET_MODIFIERS if is_group else AREA_MODIFIERS
            mod_de, mod_en = self.rng.choice([m for m in modifiers if m[0] not in parent.de])
            sep = " " if is_group else ": "
            de = self.unique(f"{parent.de}{sep}{mod_de}")
            en = f"{parent.en}{sep}{mod_en}" + de[len(f"{parent.de}{sep}{mod_de}"):]
            namespace = TARGET_GROUP if is_group else POLICY_AREA
            concept = Concept(_iri(str(namespace[f"synth-{n // 2 + 1}"])), de, en,
                               parent.depth + 1, parent.topic_de, parent.topic_en)
            for p, o in (
                (A, SKOS.Concept), (SKOS.inScheme, TG_SCHEME if is_group else PA_SCHEME),
                (SKOS.prefLabel, _lit(de, "de")), (SKOS.prefLabel, _lit(en, "en")),
                (RDFS.label, _lit(de, "de")), (RDFS.label, _lit(en, "en")),
                (SKOS.broader, parent.iri),
                (SKOS.definition, _lit(f"Synthetischer Begriff: {parent.de}, {mod_de}.", "de")),
                (SKOS.definition, _lit(f"Synthetic concept: {parent.en}, {mod_en}.", "en")),
            ):
                writer.add(concept.iri, p, o)
            if is_group:
                self.synthetic_groups.append(concept)
                if parent in self.refugee_groups:
                    self.refugee_groups.append(concept)
            else:
                self.synthetic_areas.append(concept)
            self.count("concepts", "target-groups" if is_group else "policy-areas")
        self.close(writer)

    def _parent(self, real: list[Concept], synthetic: list[Concept]) -> Concept:
        """A real concept, or a recent synthetic one, so that chains of skos:broader grow."""
        recent = [c for c in synthetic[-20:] if c.depth < 5]
        return self.rng.choice(recent if recent and self.rng.random() < 0.5 else real)

    # -- actors --

    def write_actors(self, actor_count: int) -> None:
        writer = GraphWriter(self.data, "synth-actors")
        present = {str(t.subject) for t in self.copy_real(writer, GRAPHS_DIR / "actors.ttl")}
        missing = [a for a in REQUIRED_REAL_ACTORS if a not in present]
        if missing:
            raise ValueError(f"graphs/actors.ttl lacks actors the generator builds on: {missing}")
        rng, topics = self.rng, self.real_areas

        def new(cls: str, de: str, en: str, *pairs: tuple[str, str]) -> str:
            iri = _actor(f"synth-{self.next('actor')}")
            for p, o in ((A, getattr(T, cls)), (RDFS.label, _lit(de, "de")),
                         (RDFS.label, _lit(en, "en")), *pairs):
                writer.add(iri, p, o)
            self.count("actors", cls)
            return iri

        def share(weight: float, minimum: int = 1) -> int:
            return max(minimum, round(weight * actor_count))

        def place() -> str:
            return self.unique(rng.choice(PLACE_STEMS) + rng.choice(PLACE_ENDINGS))

        # Official keys in district ranges Hessen does not use (06 7xx-9xx), so that no synthetic
        # key is a real one; 3-digit municipality numbers within each district.
        districts = []
        for k in range(min(300, share(0.03, 2))):
            name, key = place(), f"06{700 + k}"
            districts.append((new("District", f"Landkreis {name}", f"District of {name}",
                                  (CONTAINED_IN, LAND_HESSEN), (T.memberOf, LANDKREISTAG),
                                  (T.officialKey, _lit(key))), name, key))
        self.towns = [Town(KASSEL, "Kassel", "Stadt Kassel", KASSEL_COALITION)]
        for k in range(min(300 * 999, share(0.16, 3))):
            district, _, key = districts[k % len(districts)]
            name = place()
            kind_de, kind_en = rng.choice([("Stadt", "City"), ("Gemeinde", "Municipality")])
            iri = new("Municipality", f"{kind_de} {name}", f"{kind_en} of {name}",
                      (T.level, T.MunicipalLevel), (CONTAINED_IN, district),
                      (T.memberOf, STAEDTETAG), (T.jurisdiction, LAND_HESSEN),
                      (T.officialKey, _lit(f"{key}{k // len(districts) + 1:03d}")))
            self.towns.append(Town(iri, name, f"{kind_de} {name}"))
        synthetic_towns = self.towns[1:]
        for town in synthetic_towns[: share(0.03)]:
            town.government = new("Government", f"Magistrat der {town.label}",
                                  f"Executive of {town.label}", (T.subOrganisationOf, town.iri),
                                  (T.jurisdiction, town.iri), (T.level, T.MunicipalLevel))
        for town in synthetic_towns[: share(0.025, 2)]:
            parties = [new("Party", f"{n} {town.name}", f"{n} {town.name}")
                       for n in rng.sample(PARTY_NAMES, 2)]
            town.coalition = new("Coalition", f"Koalition in der {town.label}",
                                 f"Coalition in {town.label}", (T.jurisdiction, town.iri),
                                 *((T.hasMember, p) for p in parties))
            for party in parties:
                writer.add(party, T.memberOf, town.coalition)
        self.coalition_towns = [t for t in self.towns if t.coalition]
        self.ministries = [(HMSI, "Das Sozialministerium")]
        for _ in range(share(0.02, 2)):
            topic = rng.choice(topics)
            label = self.unique(f"Ministerium für {topic.de}")
            self.ministries.append((new("Ministry", label, f"Ministry of {topic.en}",
                                        (T.subOrganisationOf, LANDESREGIERUNG),
                                        (T.jurisdiction, LAND_HESSEN), (T.level, T.StateLevel)),
                                    f"Das {label}"))
        ministries = [iri for iri, _ in self.ministries]
        agencies = [new("Agency", self.unique(f"Landesamt für {t.de}"), f"State office for {t.en}",
                        (T.subOrganisationOf, rng.choice(ministries)),
                        (T.jurisdiction, LAND_HESSEN))
                    for t in (rng.choice(topics) for _ in range(share(0.1)))]
        authorities = [new("PublicAuthority", f"Jobcenter {t.name}", f"Job centre {t.name}",
                           (T.jurisdiction, t.iri))
                       for t in rng.sample(self.towns, min(len(self.towns), share(0.02)))]
        offices = []
        for _ in range(share(0.04)):
            name = self.unique(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
            person, topic = new("Person", name, name), rng.choice(topics)
            offices.append(new("Office", self.unique(f"Beauftragte für {topic.de}"),
                               f"Commissioner for {topic.en}", (T.postIn, rng.choice(ministries)),
                               (T.heldBy, person), (T.establishedBy, LANDESREGIERUNG)))
        welfare = [new("WelfareAssociation", f"Wohlfahrtswerk {n}", f"Welfare society {n}",
                       (T.memberOf, LIGA)) for n in (place() for _ in range(share(0.06)))]
        associations: list[str] = []
        for _ in range(share(0.1)):
            topic, town = rng.choice(topics), rng.choice(self.towns)
            umbrella = ([(T.memberOf, rng.choice(associations))]
                        if associations and rng.random() < 0.3 else [])
            associations.append(new("Association",
                                    self.unique(f"Verein für {topic.de} {town.name}"),
                                    f"Association for {topic.en}, {town.name}", *umbrella))
        for _ in range(share(0.01)):
            region = rng.choice(REGIONS)
            new("MunicipalAssociation", self.unique(f"Kommunale Arbeitsgemeinschaft {region}"),
                f"Municipal working group {region}",
                *((T.hasMember, t.iri) for t in rng.sample(self.towns, min(3, len(self.towns)))))
        companies: list[str] = []
        for _ in range(share(0.1)):
            town = rng.choice(self.towns)
            kind = rng.choice(["Wohnbau GmbH", "Klinikum", "Sozialwerk gGmbH"])
            parent = ((T.subOrganisationOf, rng.choice(companies))
                      if companies and rng.random() < 0.2 else (T.jurisdiction, town.iri))
            companies.append(new("Company", self.unique(f"{town.name} {kind}"),
                                 f"{town.name} {kind}", parent))
        bodies = []
        for _ in range(share(0.12)):
            topic = rng.choice(topics)
            if rng.random() < 0.5:
                ministry = rng.choice(ministries)
                bodies.append(new("Body", self.unique(f"Beirat für {topic.de}"),
                                  f"Advisory board on {topic.en}",
                                  (T.subOrganisationOf, ministry), (T.establishedBy, ministry)))
            else:
                town = rng.choice(self.towns)
                bodies.append(new("Body", self.unique(f"Runder Tisch {topic.de} {town.name}"),
                                  f"Round table on {topic.en}, {town.name}",
                                  (T.jurisdiction, town.iri)))
        foundations = [new("Organisation", self.unique(f"Stiftung {t.de}"),
                           f"Foundation for {t.en}")
                       for t in (rng.choice(topics) for _ in range(share(0.03)))]
        for district, name, _ in districts[: share(0.01)]:
            new("TerritorialAuthority", f"Kommunen im Landkreis {name}",
                f"Municipalities of the district of {name}", (T.jurisdiction, LAND_HESSEN),
                (CONTAINED_IN, district))
        partners, stated = associations + welfare, set()
        for _ in range(share(0.02) if len(partners) > 1 else 0):  # symmetric: stated once
            a, b = rng.sample(partners, 2)
            if (a, b) not in stated and (b, a) not in stated:
                stated.add((a, b))
                writer.add(a, T.partnerOf, b)
        self.providers = associations + welfare + companies + bodies + foundations + authorities
        self.state_responsible = [LANDESREGIERUNG] + ministries + agencies + offices
        self.state_funders = [(LAND_HESSEN, "Das Land"), (LAND_HESSEN, "Das Land Hessen"),
                              (LANDESREGIERUNG, "Die Landesregierung")] + self.ministries
        self.funder_weights = [45, 40, 10] + [5 / len(self.ministries)] * len(self.ministries)
        self.close(writer)


