"""Review of drafts, read-only: /drafts lists the drafts of the drafts folder (DRAFTS_PATH),
/drafts/ID shows draft ID with its source text, every statement and mention highlighted in
place by kind, the table of statements linked to their highlights, and each proposed actor or
concept with the closest existing one (its entity page). /drafts/ID.ttl (or Accept:
text/turtle) is the draft file itself.

A draft id is a lower-case slug; anything else is 404 and never becomes a path. The text is
found as sozialgraph.review.draft describes (the drafts texts folder, then the corpus folder),
by its plain file name only.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app

from sozialgraph.rdf.formats import HTML, TURTLE
from sozialgraph.rdf.namespaces import BASE
from sozialgraph.review.draft import (
    KINDS,
    Draft,
    DraftError,
    draft_file,
    draft_ids,
    drafts_folder,
    find_text,
    read_draft,
    text_folders,
)
from sozialgraph.review.highlight import highlights, tokens
from sozialgraph.store.handle import StoreUnavailable
from sozialgraph.web.http import (
    ApiError,
    choose_format,
    compact,
    error_response,
    finish,
    html_response,
    local_url,
    refuse,
    split_extension,
)
from sozialgraph.web.views import labels_for

bp = Blueprint("drafts", __name__)
FORMATS = (HTML, TURTLE)
MENTION_KINDS = ("actor", "target-group", "policy-area")  # rows that name an entity


def _folder() -> Path:
    return drafts_folder(current_app.config.get("DRAFTS_PATH"))


@lru_cache(maxsize=16)
def _read(path: str, draft_id: str, stamp: tuple[int, int]) -> Draft:
    """The draft, read once per version of its file (`stamp`: modification time and size)."""
    return read_draft(Path(path), draft_id)


def _load(path: Path, draft_id: str) -> Draft:
    status = os.stat(path)
    return _read(str(path), draft_id, (status.st_mtime_ns, status.st_size))


def _labels(iris: set[str]) -> dict[str, dict[str, str]]:
    """Labels of existing entities from the store; none if the store cannot answer (the
    review needs no store: links then show compact IRIs)."""
    try:
        return labels_for(iris)
    except (StoreUnavailable, ApiError):
        return {}


def _entity(iri: str | None, labels) -> dict | None:
    if iri is None:
        return None
    by_lang = labels.get(iri, {})
    # a draft is untrusted: only the project's IRIs and web addresses become links
    href = local_url(iri) if iri.startswith((BASE, "https://", "http://")) else None
    return {"iri": iri, "href": href, "curie": compact(iri),
            "text": by_lang.get("de") or by_lang.get("en") or by_lang.get("") or compact(iri)}


@bp.get("/drafts")
def drafts_index():
    folder, rows = _folder(), []
    for draft_id in draft_ids(folder):
        path = folder / f"{draft_id}.ttl"
        try:
            draft = _load(path, draft_id)
        except (DraftError, OSError) as error:
            rows.append({"id": draft_id, "error": str(error)})
            continue
        rows.append({"id": draft_id, "label": draft.label, "source": draft.source,
                     "generated": draft.generated, "counts": draft.counts(),
                     "proposed": len(draft.proposed)})
    return html_response("drafts.html", page={"drafts": rows, "kinds": KINDS})


@bp.get("/drafts/<path:rest>")
def draft_page(rest: str):
    draft_id, extension = split_extension(rest, FORMATS)
    fmt = choose_format(FORMATS, extension)
    path = draft_file(_folder(), draft_id)
    if path is None:
        return finish(error_response(404, f"there is no draft {draft_id!r}: a draft id is a "
                                          "lower-case slug (a-z, 0-9, hyphens) naming a file "
                                          "of the drafts folder; /drafts lists them"))
    if fmt is None:
        refuse(FORMATS, extension, "a draft")
    if fmt is TURTLE:
        return finish(Response(path.read_bytes(), content_type=TURTLE.content_type))
    try:
        draft = _load(path, draft_id)
    except (DraftError, OSError) as error:
        return finish(error_response(500, str(error)))
    source = find_text(draft.source.corpus_file, draft.source.sha256,
                       text_folders(current_app.config.get("DRAFT_TEXTS_PATH"), _folder()))
    existing = {i.iri for i in draft.items if i.kind in MENTION_KINDS and not i.proposed} | {
        p.closest for p in draft.proposed if p.closest} | (
        {draft.source.publisher} if draft.source.publisher else set())
    labels = _labels(existing)
    entities = {iri: _entity(iri, labels) for iri in existing}
    names = {iri: entity["text"] for iri, entity in entities.items()}
    lights = highlights(draft.items, source.text, names) if source.matches else []
    shown = {light.key for light in lights}
    page = {
        "draft": draft,
        "kinds": KINDS,
        "text": source,
        "tokens": tokens(source.text, lights) if source.matches else [],
        "shown": shown,
        "entities": entities,
        "publisher": _entity(draft.source.publisher, labels),
        "turtle": f"{draft_id}.ttl",
        "compact": compact,
    }
    return html_response("draft.html", page=page)
