"""Citable releases on the web: /releases lists them with their changelogs and downloads,
/releases/X.Y.Z is one release (HTML for people, its DCAT/VoID description in Turtle for
machines), /releases/X.Y.Z/<file> its files. Entity pages say in which release the entity first
appeared, and the landing and entity pages carry a "cite this" box naming the version.

Releases are read from the RELEASES_PATH folder (`sozialgraph release` writes them) on each
request, so a new release shows without a restart; only files a release's manifest lists are
served, byte for byte, with their SHA-256.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from sozialgraph import __version__
from sozialgraph.rdf.formats import HTML, TURTLE, Format
from sozialgraph.release.catalogue import (
    CHECKSUMS,
    MANIFEST,
    Release,
    Version,
    first_appearances,
    release_iri,
    releases,
)
from sozialgraph.web import dataset
from sozialgraph.web.http import choose_format, error_response, html_response, refuse

bp = Blueprint("releases", __name__)
JSON = Format("json", "application/json", short_names=("json",))  # the manifests, for programs
FORMATS = (HTML, TURTLE, JSON)
TITLE = "Sozialgraph: Sozialpolitik in Hessen"


def _dist() -> Path:
    return Path(current_app.config["RELEASES_PATH"])


def _known() -> list[Release]:
    return releases(_dist())


def _changelog(release: Release) -> dict:
    return json.loads((release.path / "changelog.json").read_text(encoding="utf-8"))


@bp.get("/releases")
@bp.get("/releases/")
def listing():
    found = list(reversed(_known()))
    fmt = choose_format((HTML, JSON))
    if fmt is None:
        refuse((HTML, JSON), None, "the list of releases")
    if fmt is JSON:
        return Response(json.dumps([r.manifest for r in found], ensure_ascii=False),
                        content_type="application/json")
    return html_response("releases.html", releases=[(r, _changelog(r)) for r in found],
                         one=None)


@bp.get("/releases/<version>")
def release_page(version: str):
    release = _find(version)
    if isinstance(release, Response):
        return release
    fmt = choose_format(FORMATS)
    if fmt is None:
        refuse(FORMATS, None, f"release {version}")
    if fmt is TURTLE:
        return Response((release.path / "release.ttl").read_bytes(),
                        content_type=TURTLE.content_type)
    if fmt is JSON:
        return Response((release.path / MANIFEST).read_bytes(), content_type="application/json")
    return html_response("releases.html", releases=[(release, _changelog(release))], one=release)


@bp.get("/releases/<version>/<path:name>")
def release_file(version: str, name: str):
    release = _find(version)
    if isinstance(release, Response):
        return release
    if name == CHECKSUMS:  # the checksum list itself, for `sha256sum -c`
        return Response((release.path / CHECKSUMS).read_bytes(),
                        content_type="text/plain; charset=utf-8")
    entry = release.file_named(name)
    if entry is None:  # only what the manifest lists: no other path is ever opened
        return error_response(404, f"release {version} has no file {name}; its files are "
                              + ", ".join([f["name"] for f in release.files] + [CHECKSUMS]))
    body = (release.path / entry["name"]).read_bytes()
    response = Response(body, content_type=_content_type(entry["media_type"]))
    digest = base64.b64encode(bytes.fromhex(entry["sha256"])).decode("ascii")
    response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{Path(entry["name"]).name}"'
    response.set_etag(entry["sha256"][:32])
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response.make_conditional(request)


def _content_type(media_type: str) -> str:
    return media_type + ("; charset=utf-8" if media_type.startswith("text/")
                         or media_type in ("application/json", "application/yaml") else "")


def _find(version: str) -> Release | Response:
    try:
        wanted = Version.parse(version).text
    except ValueError as error:
        return error_response(404, f"{error}; see /releases")
    release = next((r for r in _known() if r.text == wanted), None)
    if release is None:
        known = ", ".join(r.text for r in _known()) or "none yet"
        return error_response(404, f"there is no release {version}; releases: {known}")
    return release


# ---- "first appeared in" and "cite this", for the landing and entity pages ----------------------

def first_release(iri: str) -> str | None:
    """The version of the first release that describes `iri` (None: in no release yet)."""
    found = _known()
    key = "first:" + "|".join(f"{r.text}:{r.path.stat().st_mtime_ns}" for r in found)
    return dataset.cached(key, lambda: first_appearances(_dist())).get(iri)


def citation(iri: str | None = None, title: str | None = None) -> dict:
    """The citation of the dataset (or of the entity `iri` in it): the latest release, or, before
    any release, the unreleased data of this software version."""
    latest = (_known() or [None])[-1]
    if latest is not None:
        version, issued, url = latest.text, latest.manifest["issued"], release_iri(latest.text)
    else:  # the software's version: the same wherever the data are stored (embedded, remote)
        version, issued, url = f"unreleased (Sozialgraph software {__version__})", None, None
    year = issued[:4] if issued else None
    what = f"“{title}”, in: " if title else ""
    text = (f"{what}Sozialgraph project: {TITLE}. Version {version}"
            + (f", {issued}" if issued else "") + (f". {url}" if url else "")
            + (f". Entity: {iri}" if iri else "") + ". Licence CC BY 4.0.")
    key = "sozialgraph" + (version.replace(".", "_") if latest else "_unreleased")
    fields = [f"  title = {{{TITLE}}}", "  author = {{Sozialgraph project}}",
              f"  version = {{{version}}}"]
    if year:
        fields.append(f"  year = {{{year}}}")
    if url:
        fields.append(f"  url = {{{url}}}")
    if iri:
        fields.append(f"  note = {{Entity {iri}}}")
    fields.append("  howpublished = {Linked data, CC BY 4.0}")
    return {"version": version, "text": text, "released": latest is not None,
            "bibtex": f"@misc{{{key},\n" + ",\n".join(fields) + "\n}"}


@bp.app_context_processor
def _template_helpers():
    return {"first_release": first_release, "citation": citation}
