"""The DCAT and VoID description of a release (`release.ttl`): the release is a version of the
dataset (DCAT 3 versioning: dcat:isVersionOf, dcat:version, dcat:previousVersion), each file a
distribution with its download URL, media type, size and SHA-256 (SPDX checksum), each named
graph a VoID subset with its triple count."""

from __future__ import annotations

import pyoxigraph as ox

from sozialgraph.rdf.namespaces import BASE, GRAPH
from sozialgraph.release.catalogue import release_iri

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWL_VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
DATASET_IRI = BASE + "dataset"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PREFIXES = {"dcat": DCAT, "dct": DCT, "void": VOID, "spdx": SPDX, "xsd": XSD,
            "owl": "http://www.w3.org/2002/07/owl#"}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(str(value), language=language)
    return ox.Literal(str(value), datatype=_n(XSD + datatype) if datatype else None)


def description(version: str, previous: str | None, issued: str, files: list[dict],
                graphs: dict[str, int]) -> bytes:
    """Turtle describing the release `version`; `files` as in the manifest, `graphs` maps each
    named graph to its triple count."""
    release = _n(release_iri(version))
    triples = []

    def add(s, p, o):
        triples.append(ox.Triple(s, _n(p) if isinstance(p, str) else p, o))

    add(release, RDF_TYPE, _n(DCAT + "Dataset"))
    add(release, RDF_TYPE, _n(VOID + "Dataset"))
    add(release, DCT + "title", _lit(f"Sozialgraph {version}", language="de"))
    add(release, DCT + "title", _lit(f"Sozialgraph {version}", language="en"))
    add(release, DCT + "description", _lit(
        "Veröffentlichte Fassung des Wissensgraphen der Sozialpolitik in Hessen.", language="de"))
    add(release, DCT + "description", _lit(
        "A published version of the knowledge graph of social policy in Hessen.", language="en"))
    add(release, DCAT + "isVersionOf", _n(DATASET_IRI))
    add(_n(DATASET_IRI), DCAT + "hasVersion", release)
    add(release, DCAT + "version", _lit(version))
    add(release, OWL_VERSION_INFO, _lit(version))
    add(release, DCT + "issued", _lit(issued, "date"))
    add(release, DCT + "license", _n(LICENSE))
    if previous is not None:
        add(release, DCAT + "previousVersion", _n(release_iri(previous)))
    add(release, VOID + "triples", _lit(sum(graphs.values()), "integer"))
    for name, count in sorted(graphs.items()):
        # the graph as it is in this release (its own IRI: counts differ between releases)
        stem = name.removeprefix(str(GRAPH))
        subset = _n(f"{release_iri(version)}/graphs/{stem}")
        add(release, VOID + "subset", subset)
        add(subset, RDF_TYPE, _n(VOID + "Dataset"))
        add(subset, DCT + "isVersionOf", _n(name))
        add(subset, VOID + "triples", _lit(count, "integer"))
        add(subset, VOID + "dataDump", _n(f"{release_iri(version)}/graphs/{stem}.ttl"))
    for entry in files:
        url = _n(f"{release_iri(version)}/{entry['name']}")
        add(release, DCAT + "distribution", url)
        add(url, RDF_TYPE, _n(DCAT + "Distribution"))
        add(url, DCT + "title", _lit(entry["title"], language="en"))
        add(url, DCAT + "downloadURL", url)
        add(url, DCAT + "mediaType",
            _n("https://www.iana.org/assignments/media-types/" + entry["media_type"]))
        add(url, DCAT + "byteSize", _lit(entry["bytes"], "nonNegativeInteger"))
        checksum = ox.BlankNode()
        add(url, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, _n(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", _lit(entry["sha256"], "hexBinary"))
        if entry["name"].startswith("sozialgraph."):
            add(release, VOID + "dataDump", url)
    # grouped by subject, the release first, so that the Turtle reads as one block per thing
    triples.sort(key=lambda t: (t.subject != release, isinstance(t.subject, ox.BlankNode),
                                str(t.subject)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
