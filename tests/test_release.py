"""Citable releases (`sozialgraph release`, /releases): two releases of the build fixture with a
known difference give exactly the changelog that difference makes; files match their checksums;
the description is DCAT and VoID with version IRIs; the pages list, serve and cite them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from storefixture import close_app, make_app

from sozialgraph.cli.main import main

ENTITY = "https://w3id.org/sozialgraph/id/"
GRAPH = "https://w3id.org/sozialgraph/graph/"
FUNDING = "https://w3id.org/sozialgraph/id/funding/wir-programm-2021"
REMOVED = "https://w3id.org/sozialgraph/id/measure/vielfaltszentrum-kassel"
ADDED = "https://w3id.org/sozialgraph/id/measure/neues-projekt"

# What changes between 1.0.0 and 1.1.0 in graphs/demo-bilanz.ttl: the funding's amount
# (15 → 16 million: its blank node's value, so the amount triple and the blank node's two
# triples are new, as canonical forms), a measure withdrawn (its four triples), one added (four:
# its type, two labels, its evidence).
OLD_AMOUNT = "schema:value 15000000.0"
NEW_AMOUNT = "schema:value 16000000.0"
WITHDRAWN_MEASURE = """sgm:vielfaltszentrum-kassel a sg:Measure ;
    rdfs:label "Vielfaltszentrum Kassel"@de ;
    sg:partOf sgm:wir-vielfaltszentren ;
    sg:evidence sge:demo-bilanz\\/wir-programm .
"""
ADDED_MEASURE = """sgm:neues-projekt a sg:Programme ;
    rdfs:label "Neues Projekt"@de , "New project"@en ;
    sg:evidence sge:demo-bilanz\\/wir-programm .
"""


def args(project: Path, store: Path, *more: str) -> list[str]:
    return [*more, "--store", str(store), "--ontology",
            str(project / "ontology" / "sozialgraph.ttl")]


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    """Release 1.0.0 of the build fixture, then 1.1.0 after the known change."""
    import shutil

    from click.testing import CliRunner
    from conftest import BUILD_FIXTURE

    root = tmp_path_factory.mktemp("releases")
    project, store, dist = root / "project", root / "store", root / "dist"
    shutil.copytree(BUILD_FIXTURE, project)
    cli = CliRunner()

    def build_and_release(version: str, *extra: str):
        built = cli.invoke(main, ["build", "--store", str(store), "--ontology",
                                  str(project / "ontology" / "sozialgraph.ttl"), "--graphs",
                                  str(project / "graphs"), "--shapes", str(project / "shapes")])
        assert built.exit_code == 0, built.output
        released = cli.invoke(main, [*args(project, store, "release", version), "--releases",
                                     str(dist), "--shapes", str(project / "shapes"), *extra])
        assert released.exit_code == 0, released.output
        return released.stdout

    first = build_and_release("1.0.0", "--issued", "2026-01-15")
    data = project / "graphs" / "demo-bilanz.ttl"
    text = data.read_text(encoding="utf-8")
    assert OLD_AMOUNT in text and WITHDRAWN_MEASURE in text
    data.write_text(text.replace(OLD_AMOUNT, NEW_AMOUNT).replace(WITHDRAWN_MEASURE, ADDED_MEASURE),
                    encoding="utf-8")
    second = build_and_release("1.1.0", "--issued", "2026-02-01")
    return {"project": project, "store": store, "dist": dist, "out": (first, second)}


def changelog(two_releases, version: str) -> dict:
    path = two_releases["dist"] / f"sozialgraph-{version}" / "changelog.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_changelog_is_exactly_the_known_difference(two_releases):
    log = changelog(two_releases, "1.1.0")
    assert log["version"] == "1.1.0" and log["previous"] == "1.0.0"
    assert log["added"] == [{"iri": ADDED, "kind": "measure", "label_de": "Neues Projekt",
                             "label_en": "New project"}]
    assert log["withdrawn"] == [{"iri": REMOVED, "kind": "measure",
                                 "label_de": "Vielfaltszentrum Kassel", "label_en": ""}]
    assert log["changed"] == [{"iri": FUNDING, "kind": "funding",
                               "label_de": "Förderung des WIR-Programms 2021", "label_en": ""}]
    graphs = {g["name"]: (g["added"], g["removed"]) for g in log["graphs"].values()}
    # the document graph: 4 + 3 new (the measure; the amount link and its blank node's value
    # and currency), 4 + 3 gone; the evidence's selector (a blank node too) is unchanged, and so
    # are actors, sources and the ontology
    assert graphs["demo-bilanz"] == (7, 7)
    assert graphs["actors"] == graphs["sources"] == graphs["ontology"] == (0, 0)
    # the inferred graph follows: the new measure is an sg:Measure (rdfs9) and no longer the
    # withdrawn one, which also loses its inferred part-of (transitive) and involvement links
    inferred = graphs["inferred"]
    assert inferred[0] >= 1 and inferred[1] >= 1
    assert log["triples_added"] == sum(a for a, _ in graphs.values())
    assert log["triples_removed"] == sum(r for _, r in graphs.values())


def test_the_inferred_changes_are_the_difference_of_the_inferred_graphs(two_releases):
    """The inferred graph's counts, checked against its own triples: those without blank nodes
    by plain set difference, and the one about a blank node (the amount's inferred type), which
    is a new node in 1.1.0 because the amount's value changed in the document graph."""
    def inferred(version):
        path = two_releases["dist"] / f"sozialgraph-{version}" / "graphs" / "inferred.ttl"
        return [str(t) for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    old, new = inferred("1.0.0"), inferred("1.1.0")
    old_blank, new_blank = ([t for t in ts if t.startswith("_:")] for ts in (old, new))
    assert len(old_blank) == len(new_blank) == 1 and "MonetaryAmount" in new_blank[0]
    old_iris, new_iris = set(old) - set(old_blank), set(new) - set(new_blank)
    entry = changelog(two_releases, "1.1.0")["graphs"][GRAPH + "inferred"]
    assert (entry["added"], entry["removed"]) == (len(new_iris - old_iris) + 1,
                                                  len(old_iris - new_iris) + 1)
    assert any(ADDED in t and "ontology#Measure" in t for t in new_iris - old_iris)
    assert all(REMOVED in t for t in old_iris - new_iris)


def test_the_first_release_lists_everything_as_added(two_releases):
    log = changelog(two_releases, "1.0.0")
    assert log["previous"] is None and log["changed"] == log["withdrawn"] == []
    assert {e["iri"] for e in log["added"]} >= {FUNDING, REMOVED}
    assert ADDED not in {e["iri"] for e in log["added"]}
    assert "(first release)" in two_releases["out"][0]
    assert "since 1.0.0" in two_releases["out"][1] and "1 changed" in two_releases["out"][1]


def test_files_match_their_checksums_and_the_dataset_is_the_named_graphs(two_releases):
    folder = two_releases["dist"] / "sozialgraph-1.1.0"
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in sums)
    manifest = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    assert set(listed) == {f["name"] for f in manifest["files"]}
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert {"sozialgraph.trig", "sozialgraph.nq", "ontology.ttl", "shapes/shapes.ttl",
            "graphs/demo-bilanz.ttl", "graphs/inferred.ttl", "CITATION.cff",
            "CHANGELOG.md", "release.ttl"} <= set(listed)
    quads = list(ox.parse(path=folder / "sozialgraph.nq", format=ox.RdfFormat.N_QUADS))
    assert quads and all(isinstance(q.graph_name, ox.NamedNode) for q in quads)
    trig = ox.Dataset(ox.parse(path=folder / "sozialgraph.trig", format=ox.RdfFormat.TRIG))
    assert len(trig) == len(quads)
    assert "## Changed (1)" in (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert 'version: "1.1.0"' in (folder / "CITATION.cff").read_text(encoding="utf-8")


def test_the_description_is_dcat_and_void_with_versions(two_releases):
    folder = two_releases["dist"] / "sozialgraph-1.1.0"
    store = ox.Store()
    store.load(path=folder / "release.ttl", format=ox.RdfFormat.TURTLE)
    rows = list(store.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?previous ?version ?issued ?triples (COUNT(DISTINCT ?file) AS ?files) WHERE {
          <https://w3id.org/sozialgraph/releases/1.1.0> a dcat:Dataset , void:Dataset ;
            dcat:isVersionOf <https://w3id.org/sozialgraph/dataset> ;
            dcat:previousVersion ?previous ; dcat:version ?version ; dct:issued ?issued ;
            void:triples ?triples ; dcat:distribution ?file .
          ?file dcat:downloadURL ?url ; spdx:checksum/spdx:checksumValue ?sum .
        } GROUP BY ?previous ?version ?issued ?triples"""))
    assert len(rows) == 1
    row = rows[0]
    assert row["previous"].value == "https://w3id.org/sozialgraph/releases/1.0.0"
    assert row["version"].value == "1.1.0" and row["issued"].value == "2026-02-01"
    manifest = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    assert int(row["files"].value) == len(manifest["files"]) - 1  # all but release.ttl itself
    nq = list(ox.parse(path=folder / "sozialgraph.nq", format=ox.RdfFormat.N_QUADS))
    assert int(row["triples"].value) == len(nq)


def test_a_release_is_never_overwritten_and_bad_input_is_refused(two_releases, cli, tmp_path):
    project, store, dist = (two_releases[k] for k in ("project", "store", "dist"))
    before = sorted(p.name for p in dist.iterdir())
    again = cli.invoke(main, [*args(project, store, "release", "1.1.0"), "--releases", str(dist)])
    assert again.exit_code == 2 and "never overwritten" in again.stderr
    bad = cli.invoke(main, [*args(project, store, "release", "v2"), "--releases", str(dist)])
    assert bad.exit_code == 2 and "X.Y.Z" in bad.stderr
    missing = cli.invoke(main, [*args(project, store, "release", "2.0.0"), "--releases",
                                str(dist), "--previous", "0.9.0"])
    assert missing.exit_code == 2 and "no release 0.9.0" in missing.stderr
    other = tmp_path / "other.ttl"
    other.write_text("<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8")
    stale = cli.invoke(main, ["release", "2.0.0", "--store", str(store), "--ontology",
                              str(other), "--releases", str(dist)])
    assert stale.exit_code == 2 and "sozialgraph build" in stale.stderr
    assert sorted(p.name for p in dist.iterdir()) == before  # nothing written, nothing left


@pytest.fixture(scope="module")
def client(two_releases):
    app = make_app(two_releases["store"], RELEASES_PATH=str(two_releases["dist"]))
    yield app.test_client()
    close_app(app)


def test_the_releases_page_lists_changelogs_and_downloads(client):
    page = client.get("/releases", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index('data-version="1.1.0"') < html.index('data-version="1.0.0"')
    assert "Vielfaltszentrum Kassel" in html and "Neues Projekt" in html
    assert 'href="/releases/1.1.0/sozialgraph.nq"' in html
    listing = client.get("/releases", headers={"Accept": "application/json"}).get_json()
    assert [r["version"] for r in listing] == ["1.1.0", "1.0.0"]
    assert listing[0]["summary"]["changed"] == 1


def test_release_files_are_served_with_their_digest_and_nothing_else(client, two_releases):
    folder = two_releases["dist"] / "sozialgraph-1.1.0"
    served = client.get("/releases/1.1.0/graphs/demo-bilanz.ttl")
    assert served.status_code == 200 and served.content_type.startswith("text/turtle")
    assert served.data == (folder / "graphs" / "demo-bilanz.ttl").read_bytes()
    assert served.headers["Repr-Digest"].startswith("sha-256=:")
    sums = client.get("/releases/1.1.0/SHA256SUMS")
    assert sums.status_code == 200 and b"sozialgraph.nq" in sums.data
    for url in ("/releases/1.1.0/release.json", "/releases/1.1.0/entities.tsv",
                "/releases/1.1.0/..%2F..%2Fstore", "/releases/1.2.0/sozialgraph.nq",
                "/releases/latest"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert answer.content_type.startswith("text/plain")
    turtle = client.get("/releases/1.1.0", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert turtle.data == (folder / "release.ttl").read_bytes()


def test_entity_pages_say_when_the_entity_first_appeared_and_how_to_cite(client):
    kept = client.get("/id/funding/wir-programm-2021", headers={"Accept": "text/html"})
    html = kept.get_data(as_text=True)
    assert 'First appeared in release <a href="/releases/1.0.0">1.0.0</a>' in html
    assert re.search(r'class="citation" data-version="1\.1\.0"', html)
    assert "@misc{sozialgraph1_1_0" in html and "version = {1.1.0}" in html
    new = client.get("/id/measure/neues-projekt", headers={"Accept": "text/html"})
    assert 'First appeared in release <a href="/releases/1.1.0">1.1.0</a>' in \
        new.get_data(as_text=True)
    landing = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Cite this" in landing and "Version 1.1.0, 2026-02-01" in landing


def test_before_any_release_the_citation_says_so(two_releases, tmp_path):
    app = make_app(two_releases["store"], RELEASES_PATH=str(tmp_path / "none"))
    try:
        html = app.test_client().get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    finally:
        close_app(app)
    assert "Version unreleased (Sozialgraph software" in html
    assert "No release has been made" in html
