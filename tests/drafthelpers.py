"""Drafts for the review and promotion tests, made by the real `sozialgraph extract` (the
command, in a process of its own, as a researcher runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXTRACT_FIXTURES = Path(__file__).parent / "fixtures" / "extract"

# A text of our own with characters that mean something in HTML, to check that the review page
# escapes the text and the quotes.
TRICKY_TEXT = (
    "Beschluss <b>Nachbarschaft</b> & Co.\n\n"
    "Die Stadt Marburg fördert das Projekt „<script>alert(1)</script>“ mit 12.000 Euro. "
    "Im Stadtteil entstehen 20 Betreuungsplätze für ältere Menschen.\n"
)


def run_command(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    """`sozialgraph ARGUMENTS` in a process of its own; SOZIALGRAPH_* from `environment`."""
    return subprocess.run([sys.executable, "-m", "sozialgraph.cli", *arguments],
                          env=dict(os.environ, **environment), capture_output=True, text=True,
                          timeout=600)


def extract_draft(text_file: Path, draft_id: str, drafts: Path, *options: str) -> Path:
    """Draft `draft_id` of `text_file`, written into the folder `drafts` by the command."""
    out = drafts / f"{draft_id}.ttl"
    done = run_command("extract", str(text_file), "--id", draft_id, "--out", str(out),
                       *options)
    assert done.returncode == 0, done.stderr
    return out
