"""How the synthetic documents are made up: the proportions of measure classes, qualifiers,
periods, units and cross-document links, taken from the real graphs, and the words the
texts are made of (German number and money words among them). Imports only the standard
library."""

from __future__ import annotations

from decimal import Decimal

# ---- proportions --------------------------------------------------------------------------------
# Weights measured on the five real document graphs (docs/synth.md), a few options the real
# graph lacks given a small weight so that every enumeration value occurs. The first draws of
# every choice run through all options in order (Chooser), so even 10^4 triples have them all.

# measure class: German noun, grammatical gender, English noun, weight
MEASURE_CLASSES = [
    ("Strategy", "Konzept", "n", "Concept", 33), ("Service", "Beratungsangebot", "n",
                                                  "Counselling service", 19),
    ("Programme", "Programm", "n", "Programme", 17), ("Facility", "Zentrum", "n", "Centre", 15),
    ("FundingProgramme", "Förderprogramm", "n", "Funding programme", 14),
    ("Measure", "Maßnahme", "f", "Measure", 11), ("Project", "Projekt", "n", "Project", 9),
    ("Report", "Bericht", "m", "Report", 9), ("Agreement", "Bündnis", "n", "Alliance", 8),
    ("Campaign", "Kampagne", "f", "Campaign", 4), ("Law", "Gesetz", "n", "Act", 3),
    ("Benefit", "Leistung", "f", "Benefit", 3),
]
PROGRAMME_CLASSES = ("Programme", "FundingProgramme")
# document kind: level, weight, fact mix (measure, funding, quantity), statuses and weights
DOCUMENT_KINDS = {
    "BalanceReport": ("StateLevel", 40, (70, 20, 10),
                      [("Done", 55), ("Ongoing", 42), ("Planned", 3)]),
    "SelfDescription": ("StateLevel", 20, (95, 3, 2), [("Ongoing", 95), ("Planned", 5)]),
    "InformationPage": ("StateLevel", 20, (68, 22, 10),
                        [("Ongoing", 60), ("Done", 37), ("Planned", 3)]),
    "CoalitionAgreement": ("MunicipalLevel", 20, (95, 2, 3),
                           [("Pledged", 95), ("Ongoing", 3), ("Planned", 2)]),
}
# qualifier, how the text says it, weight for amounts, weight for counts
QUALIFIERS = [("Exact", "", 70, 88), ("MoreThan", "mehr als ", 10, 6),
              ("AtMost", "bis zu ", 6, 2), ("About", "rund ", 6, 2), ("Almost", "fast ", 5, 1),
              ("AtLeast", "mindestens ", 3, 1)]
PERIODICITIES = [("PerYear", 26), ("Total", 74)]
PERIOD_TYPES = [("InYear", 25), ("YearRange", 6), ("DoubleBudget", 3), ("SinceYear", 6),
                ("UntilYear", 5), (None, 55)]
# unit: German singular and plural, English plural, value range, weight
UNITS = [("UnitCentre", "Zentrum", "Zentren", "centres", (1, 60), 25),
         ("UnitPlace", "Platz", "Plätze", "places", (10, 5000), 20),
         ("UnitTrainingPlace", "Ausbildungsplatz", "Ausbildungsplätze", "training places",
          (20, 3000), 10),
         ("UnitProject", "Projekt", "Projekte", "projects", (1, 200), 10),
         ("UnitNeighbourhood", "Quartier", "Quartiere", "neighbourhoods", (1, 50), 10),
         ("UnitDistrict", "Landkreis", "Landkreise", "districts", (1, 21), 10),
         ("UnitCity", "kreisfreie Stadt", "kreisfreie Städte", "district-free cities", (1, 5), 8),
         ("UnitVideo", "Lernclip", "Lernclips", "learning videos", (1, 40), 7)]
# per measure: chance of a part-of link (if a programme precedes it; about half of all
# measures then have one, as in the real graph), an aim, an alternative label, a comment, ...
PART_OF, AIM, ALT_LABEL, COMMENT = 0.7, 0.7, 0.4, 0.08
IMPLEMENTER, SUPPORTED, START_YEAR, DURATION = 0.1, 0.06, 0.04, 0.02
INCREASE_SHARE = 0.15  # of state funding facts, followed by increases in a double budget
RESTATE_SHARE = 0.05  # of the other funding facts, stated again (sg:restates)
CROSS_DOCUMENT = 0.1  # funding and counts of a measure an earlier document introduced
REMENTION = 0.08  # measures an earlier document introduced, described again
SHARED_EVIDENCE = 0.5  # a funding or count sentence also cited as evidence of its measure
QUANTITY_YEAR = 0.27

REGIONS = ["Hessen", "Nordhessen", "Mittelhessen", "Osthessen", "Südhessen", "Rhein-Main"]
NUMBER_WORDS = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht",
                "neun", "zehn", "elf", "zwölf"]
ARTICLES = {"nom": {"n": "das", "f": "die", "m": "der"},
            "acc": {"n": "das", "f": "die", "m": "den"},
            "dat": {"n": "dem", "f": "der", "m": "dem"}}
AIMS = [("{t} vor Ort stärken", "Strengthen {t} locally"),
        ("Gleiche Chancen im Bereich {t}", "Equal opportunities in {t}"),
        ("Verlässliche Angebote für {t}", "Reliable services for {t}")]
NOISE_LINES = ["Öffnet sich in einem neuen Fenster", "Schließen", "Mehr erfahren", "Grafik",
               "© Foto: Bildarchiv Hessen", "Zum Seitenanfang", "Video abspielen"]
FILLER = ["{t} ist eine Aufgabe, die Land, Kommunen und Träger gemeinsam angehen.",
          "Im Mittelpunkt stehen die Menschen vor Ort und ihre Bedürfnisse.",
          "Dabei arbeiten viele Partnerinnen und Partner eng zusammen.",
          "Die Erfahrungen der vergangenen Jahre fließen in die weitere Arbeit ein.",
          "Für {t} braucht es verlässliche Strukturen und gute Zusammenarbeit.",
          "Gute Angebote im Bereich {t} stärken den gesellschaftlichen Zusammenhalt.",
          "Die Angebote sollen für alle Menschen gut erreichbar sein."]


def de_number(value: int) -> str:
    """German digit grouping: 1.400, 250.000."""
    return f"{value:,}".replace(",", ".")


def money_text(value: int) -> str:
    """An amount as the documents write it (without "Euro"): 250.000, 4,7 Millionen.

    >>> money_text(250_000), money_text(4_700_000), money_text(1_000_000_000)
    ('250.000', '4,7 Millionen', '1 Milliarde')
    """
    for scale, one, many in ((10**9, "Milliarde", "Milliarden"), (10**6, "Million", "Millionen")):
        if value >= scale and value % (scale // 100) == 0:
            scaled = Decimal(value) / scale
            number = format(scaled.normalize(), "f").replace(".", ",")
            return f"{number} {one if scaled == 1 else many}"
    return de_number(value)


def capital(text: str) -> str:
    return text[0].upper() + text[1:]
