"""The releases a folder holds: their versions in order, their manifests, and in which release
each entity first appeared.

A release is the folder `sozialgraph-X.Y.Z/` with a `release.json` manifest (written last, so a
folder without one is an unfinished release and is ignored).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import total_ordering
from pathlib import Path

from sozialgraph.rdf.namespaces import BASE

PREFIX = "sozialgraph-"
MANIFEST = "release.json"
ENTITIES = "entities.tsv"
CHECKSUMS = "SHA256SUMS"
_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


@total_ordering
@dataclass(frozen=True)
class Version:
    """A release version, X.Y.Z (Semantic Versioning's core, no suffixes).

    >>> sorted([Version.parse("1.10.0"), Version.parse("1.9.2")])[0].text
    '1.9.2'
    """

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        found = _VERSION.fullmatch(text)
        if not found:
            raise ValueError(f"{text!r} is not a release version: write X.Y.Z, e.g. 1.0.0")
        return cls(*(int(part) for part in found.groups()))

    @property
    def text(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def __lt__(self, other: Version) -> bool:
        return (self.major, self.minor, self.patch) < (other.major, other.minor, other.patch)


def release_iri(version: str) -> str:
    """The IRI of a release (its page and description)."""
    return f"{BASE}releases/{version}"


def folder(dist: Path, version: str) -> Path:
    return dist / f"{PREFIX}{version}"


@dataclass(frozen=True)
class Release:
    version: Version
    path: Path
    manifest: dict

    @property
    def text(self) -> str:
        return self.version.text

    @property
    def files(self) -> list[dict]:
        """The release's files: name, bytes, sha256, media type, title."""
        return self.manifest["files"]

    def file_named(self, name: str) -> dict | None:
        return next((f for f in self.files if f["name"] == name), None)

    def entities(self) -> list[str]:
        """The IRIs of the entities the release describes."""
        lines = (self.path / ENTITIES).read_text(encoding="utf-8").splitlines()
        return [line.split("\t", 1)[0] for line in lines if line]


def releases(dist: Path) -> list[Release]:
    """The finished releases in `dist`, oldest first."""
    found = []
    if not dist.is_dir():
        return found
    for path in dist.iterdir():
        if not path.name.startswith(PREFIX) or not (path / MANIFEST).is_file():
            continue
        try:
            version = Version.parse(path.name.removeprefix(PREFIX))
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        found.append(Release(version, path, manifest))
    return sorted(found, key=lambda release: release.version)


def latest(dist: Path) -> Release | None:
    found = releases(dist)
    return found[-1] if found else None


def first_appearances(dist: Path) -> dict[str, str]:
    """For each entity IRI, the version of the first release that describes it."""
    first: dict[str, str] = {}
    for release in releases(dist):
        for iri in release.entities():
            first.setdefault(iri, release.text)
    return first
