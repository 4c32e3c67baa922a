"""The actors graph (`synth-actors`): the real graphs/actors.ttl, plus synthetic districts,
municipalities, their governments and coalitions, ministries, agencies, offices, associations,
companies, bodies and foundations, in the shares docs/synth.md gives. Imports terms, world,
proportions and sozialgraph.settings."""

from __future__ import annotations

from sozialgraph.settings import GRAPHS_DIR
from sozialgraph_synth.proportions import REGIONS
from sozialgraph_synth.terms import (
    CONTAINED_IN,
    HMSI,
    KASSEL,
    KASSEL_COALITION,
    LAND_HESSEN,
    LANDESREGIERUNG,
    LANDKREISTAG,
    LIGA,
    RDFS,
    REQUIRED_REAL_ACTORS,
    STAEDTETAG,
    A,
    T,
    actor,
    lit,
)
from sozialgraph_synth.world import GraphWriter, Town, World

PLACE_STEMS = ["Wald", "Berg", "Bach", "Linden", "Eichen", "Sonnen", "Kirch", "Stein", "Wiesen",
               "Rosen", "Mühl", "Brunn", "Hoch", "Tann", "Buchen", "Fels", "Birken", "Hasel"]
PLACE_ENDINGS = ["hausen", "heim", "feld", "dorf", "bach", "au", "stadt", "berg", "rode", "tal",
                 "born", "weiler"]
FIRST_NAMES = ["Anna", "Jonas", "Leonie", "Murat", "Sofia", "Lukas", "Fatma", "Paul", "Marie",
               "Emil", "Hannah", "Ali", "Clara", "Felix", "Ida", "Nikolai"]
LAST_NAMES = ["Becker", "Yilmaz", "Schäfer", "Wagner", "Hoffmann", "Krause", "Nowak", "Richter",
              "Wolf", "Kaya", "Vogel", "Brandt", "Lange", "Petrović"]
PARTY_NAMES = ["Liste Gemeinsam", "Bürgerliste", "Soziale Allianz", "Neue Mitte", "Grüne Liste",
               "Stadtbündnis"]


def write_actors(world: World, actor_count: int) -> None:
    """Copy the real actors and add about `actor_count` synthetic ones, in the shares of
    docs/synth.md, then name who provides, who is responsible and who funds."""
    writer = GraphWriter(world.data, "synth-actors")
    present = {str(t.subject) for t in world.copy_real(writer, GRAPHS_DIR / "actors.ttl")}
    missing = [a for a in REQUIRED_REAL_ACTORS if a not in present]
    if missing:
        raise ValueError(f"graphs/actors.ttl lacks actors the generator builds on: {missing}")
    rng, topics = world.rng, world.real_areas

    def new(cls: str, de: str, en: str, *pairs: tuple[str, str]) -> str:
        subject = actor(f"synth-{world.next('actor')}")
        for p, o in ((A, getattr(T, cls)), (RDFS.label, lit(de, "de")),
                     (RDFS.label, lit(en, "en")), *pairs):
            writer.add(subject, p, o)
        world.count("actors", cls)
        return subject

    def share(weight: float, minimum: int = 1) -> int:
        return max(minimum, round(weight * actor_count))

    def place() -> str:
        return world.unique(rng.choice(PLACE_STEMS) + rng.choice(PLACE_ENDINGS))

    # Official keys in district ranges Hessen does not use (06 7xx-9xx), so that no synthetic
    # key is a real one; 3-digit municipality numbers within each district.
    districts = []
    for k in range(min(300, share(0.03, 2))):
        name, key = place(), f"06{700 + k}"
        districts.append((new("District", f"Landkreis {name}", f"District of {name}",
                              (CONTAINED_IN, LAND_HESSEN), (T.memberOf, LANDKREISTAG),
                              (T.officialKey, lit(key))), name, key))
    world.towns = [Town(KASSEL, "Kassel", "Stadt Kassel", KASSEL_COALITION)]
    for k in range(min(300 * 999, share(0.16, 3))):
        district, _, key = districts[k % len(districts)]
        name = place()
        kind_de, kind_en = rng.choice([("Stadt", "City"), ("Gemeinde", "Municipality")])
        iri = new("Municipality", f"{kind_de} {name}", f"{kind_en} of {name}",
                  (T.level, T.MunicipalLevel), (CONTAINED_IN, district),
                  (T.memberOf, STAEDTETAG), (T.jurisdiction, LAND_HESSEN),
                  (T.officialKey, lit(f"{key}{k // len(districts) + 1:03d}")))
        world.towns.append(Town(iri, name, f"{kind_de} {name}"))
    synthetic_towns = world.towns[1:]
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
    world.coalition_towns = [t for t in world.towns if t.coalition]
    world.ministries = [(HMSI, "Das Sozialministerium")]
    for _ in range(share(0.02, 2)):
        topic = rng.choice(topics)
        label = world.unique(f"Ministerium für {topic.de}")
        world.ministries.append((new("Ministry", label, f"Ministry of {topic.en}",
                                    (T.subOrganisationOf, LANDESREGIERUNG),
                                    (T.jurisdiction, LAND_HESSEN), (T.level, T.StateLevel)),
                                f"Das {label}"))
    ministries = [iri for iri, _ in world.ministries]
    agencies = [new("Agency", world.unique(f"Landesamt für {t.de}"), f"State office for {t.en}",
                    (T.subOrganisationOf, rng.choice(ministries)),
                    (T.jurisdiction, LAND_HESSEN))
                for t in (rng.choice(topics) for _ in range(share(0.1)))]
    authorities = [new("PublicAuthority", f"Jobcenter {t.name}", f"Job centre {t.name}",
                       (T.jurisdiction, t.iri))
                   for t in rng.sample(world.towns, min(len(world.towns), share(0.02)))]
    offices = []
    for _ in range(share(0.04)):
        name = world.unique(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
        person, topic = new("Person", name, name), rng.choice(topics)
        offices.append(new("Office", world.unique(f"Beauftragte für {topic.de}"),
                           f"Commissioner for {topic.en}", (T.postIn, rng.choice(ministries)),
                           (T.heldBy, person), (T.establishedBy, LANDESREGIERUNG)))
    welfare = [new("WelfareAssociation", f"Wohlfahrtswerk {n}", f"Welfare society {n}",
                   (T.memberOf, LIGA)) for n in (place() for _ in range(share(0.06)))]
    associations: list[str] = []
    for _ in range(share(0.1)):
        topic, town = rng.choice(topics), rng.choice(world.towns)
        umbrella = ([(T.memberOf, rng.choice(associations))]
                    if associations and rng.random() < 0.3 else [])
        associations.append(new("Association",
                                world.unique(f"Verein für {topic.de} {town.name}"),
                                f"Association for {topic.en}, {town.name}", *umbrella))
    for _ in range(share(0.01)):
        region = rng.choice(REGIONS)
        new("MunicipalAssociation", world.unique(f"Kommunale Arbeitsgemeinschaft {region}"),
            f"Municipal working group {region}",
            *((T.hasMember, t.iri) for t in rng.sample(world.towns, min(3, len(world.towns)))))
    companies: list[str] = []
    for _ in range(share(0.1)):
        town = rng.choice(world.towns)
        kind = rng.choice(["Wohnbau GmbH", "Klinikum", "Sozialwerk gGmbH"])
        parent = ((T.subOrganisationOf, rng.choice(companies))
                  if companies and rng.random() < 0.2 else (T.jurisdiction, town.iri))
        companies.append(new("Company", world.unique(f"{town.name} {kind}"),
                             f"{town.name} {kind}", parent))
    bodies = []
    for _ in range(share(0.12)):
        topic = rng.choice(topics)
        if rng.random() < 0.5:
            ministry = rng.choice(ministries)
            bodies.append(new("Body", world.unique(f"Beirat für {topic.de}"),
                              f"Advisory board on {topic.en}",
                              (T.subOrganisationOf, ministry), (T.establishedBy, ministry)))
        else:
            town = rng.choice(world.towns)
            bodies.append(new("Body", world.unique(f"Runder Tisch {topic.de} {town.name}"),
                              f"Round table on {topic.en}, {town.name}",
                              (T.jurisdiction, town.iri)))
    foundations = [new("Organisation", world.unique(f"Stiftung {t.de}"),
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
    world.providers = associations + welfare + companies + bodies + foundations + authorities
    world.state_responsible = [LANDESREGIERUNG] + ministries + agencies + offices
    world.state_funders = [(LAND_HESSEN, "Das Land"), (LAND_HESSEN, "Das Land Hessen"),
                          (LANDESREGIERUNG, "Die Landesregierung")] + world.ministries
    world.funder_weights = [45, 40, 10] + [5 / len(world.ministries)] * len(world.ministries)
    world.close(writer)
