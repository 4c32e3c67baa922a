"""The vocabularies graph (`synth-vocabularies`): the real graphs/vocabularies.ttl, plus
synthetic narrower concepts in its two schemes (target groups, policy areas), linked by
skos:broader to a real concept or a recent synthetic one so that chains grow. Imports terms,
world and sozialgraph.settings."""

from __future__ import annotations

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import POLICY_AREA, TARGET_GROUP
from sozialgraph.settings import GRAPHS_DIR
from sozialgraph_synth.terms import PA_SCHEME, RDFS, REFUGEES, SKOS, TG_SCHEME, A, iri, lit
from sozialgraph_synth.world import Concept, GraphWriter, World

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


def write_vocabularies(world: World, concept_count: int) -> None:
    """Copy the real concepts and add `concept_count` synthetic ones, half target groups (the
    first of them below sgt:gefluechtete), half policy areas."""
    writer = GraphWriter(world.data, "synth-vocabularies")
    real = world.copy_real(writer, GRAPHS_DIR / "vocabularies.ttl")
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

    def real_concept(concept: str) -> Concept:
        depth, node = 0, concept
        while node in broader:
            depth, node = depth + 1, broader[node]
        de, en = label[(concept, "de")], label[(concept, "en")]
        return Concept(concept, de, en, depth, de, en)

    world.real_groups = [real_concept(c) for c in sorted(scheme_of) if scheme_of[c] == TG_SCHEME]
    world.real_areas = [real_concept(c) for c in sorted(scheme_of) if scheme_of[c] == PA_SCHEME]
    world.refugee_groups = [c for c in world.real_groups if c.iri == REFUGEES]
    refugee_share = max(2, concept_count // 40)
    for n in range(concept_count):
        is_group = n % 2 == 0
        if is_group and len(world.refugee_groups) <= refugee_share:
            parent = world.rng.choice([c for c in world.refugee_groups if c.depth < 5])
        elif is_group:
            parent = _parent(world, world.real_groups, world.synthetic_groups)
        else:
            parent = _parent(world, world.real_areas, world.synthetic_areas)
        modifiers = TARGET_MODIFIERS if is_group else AREA_MODIFIERS
        mod_de, mod_en = world.rng.choice([m for m in modifiers if m[0] not in parent.de])
        sep = " " if is_group else ": "
        de = world.unique(f"{parent.de}{sep}{mod_de}")
        en = f"{parent.en}{sep}{mod_en}" + de[len(f"{parent.de}{sep}{mod_de}"):]
        namespace = TARGET_GROUP if is_group else POLICY_AREA
        concept = Concept(iri(str(namespace[f"synth-{n // 2 + 1}"])), de, en,
                          parent.depth + 1, parent.topic_de, parent.topic_en)
        for p, o in (
            (A, SKOS.Concept), (SKOS.inScheme, TG_SCHEME if is_group else PA_SCHEME),
            (SKOS.prefLabel, lit(de, "de")), (SKOS.prefLabel, lit(en, "en")),
            (RDFS.label, lit(de, "de")), (RDFS.label, lit(en, "en")),
            (SKOS.broader, parent.iri),
            (SKOS.definition, lit(f"Synthetischer Begriff: {parent.de}, {mod_de}.", "de")),
            (SKOS.definition, lit(f"Synthetic concept: {parent.en}, {mod_en}.", "en")),
        ):
            writer.add(concept.iri, p, o)
        if is_group:
            world.synthetic_groups.append(concept)
            if parent in world.refugee_groups:
                world.refugee_groups.append(concept)
        else:
            world.synthetic_areas.append(concept)
        world.count("concepts", "target-groups" if is_group else "policy-areas")
    world.close(writer)


def _parent(world: World, real: list[Concept], synthetic: list[Concept]) -> Concept:
    """A real concept, or a recent synthetic one, so that chains of skos:broader grow."""
    recent = [c for c in synthetic[-20:] if c.depth < 5]
    return world.rng.choice(recent if recent and world.rng.random() < 0.5 else real)
