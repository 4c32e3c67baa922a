"""Generated regions in a Markdown file written by hand.

A region is the lines between

    <!-- begin generated: NAME -->
    <!-- end generated: NAME -->

each marker on a line of its own. `fill` replaces what lies inside each region and keeps every
other line as it is, so the people who write the prose around the tables (docs/benchmarks.md)
and the program that writes the tables never overwrite each other. A file whose regions are
not exactly the expected ones (one missing, unknown, twice, unclosed, nested) is refused with a
ValueError that says what is wrong, before anything is written. Imports only the standard
library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

BEGIN, END = "<!-- begin generated: {} -->", "<!-- end generated: {} -->"
_MARKER = re.compile(r"<!-- (begin|end) generated: ([a-z][a-z0-9-]*) -->")


def names(text: str, where: str = "the report") -> list[str]:
    """The regions of `text` in their order; ValueError if the markers do not pair up."""
    found: list[str] = []
    inside: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        match = _MARKER.fullmatch(line.strip())
        if match is None:
            if line.strip().startswith("<!--") and "generated" in line:
                raise ValueError(f"{where}, line {number}: not a region marker as written "
                                 f"here: {line.strip()!r} (expected {BEGIN.format('NAME')!r} "
                                 f"or {END.format('NAME')!r} on a line of its own)")
            continue
        kind, name = match.groups()
        if kind == "begin":
            if inside is not None:
                raise ValueError(f"{where}, line {number}: region {name!r} begins inside "
                                 f"region {inside!r}")
            if name in found:
                raise ValueError(f"{where}, line {number}: region {name!r} is there twice")
            inside = name
            found.append(name)
        elif inside != name:
            raise ValueError(f"{where}, line {number}: region {name!r} ends where "
                             + (f"{inside!r} is open" if inside else "none is open"))
        else:
            inside = None
    if inside is not None:
        raise ValueError(f"{where}: region {inside!r} has no end marker")
    return found


def check(text: str, expected: Iterable[str], where: str = "the report") -> None:
    """ValueError unless `text` holds every expected region once and no other."""
    present, expected = names(text, where), list(expected)
    missing = [n for n in expected if n not in present]
    unknown = [n for n in present if n not in expected]
    if missing or unknown:
        raise ValueError(
            f"{where} " + "; ".join(filter(None, [
                f"lacks the generated regions {', '.join(missing)}" if missing else "",
                f"has regions nobody generates: {', '.join(unknown)}" if unknown else ""]))
            + f" (a region is {BEGIN.format('NAME')} ... {END.format('NAME')}; the regions "
            f"are {', '.join(expected)})")


def fill(text: str, content: Mapping[str, list[str]], where: str = "the report") -> str:
    """`text` with the inside of each region replaced by `content[name]` (between blank lines);
    every line outside the regions is kept."""
    check(text, content, where)
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        match = _MARKER.fullmatch(line.strip())
        if match and match.group(1) == "begin":
            out += [line, "", *content[match.group(2)], ""]
            skipping = True
        elif match:
            out.append(line)
            skipping = False
        elif not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def outline(title: str, sections: Iterable[tuple[str | None, str | None]]) -> str:
    """A file of headings and empty regions: `title`, then per (heading, region) the heading
    (if any) and the region (if any)."""
    lines = [f"# {title}", ""]
    for heading, region in sections:
        if heading:
            lines += [heading, ""]
        if region:
            lines += [BEGIN.format(region), END.format(region), ""]
    return "\n".join(lines)
