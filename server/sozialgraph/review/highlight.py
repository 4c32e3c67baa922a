"""The text of a draft with its highlights: one per distinct quoted span, cut into properly
nested pieces where spans cross, for the review page (sozialgraph.web.drafts)."""

from __future__ import annotations

from dataclasses import dataclass

from sozialgraph.review.draft import KINDS, Item


@dataclass
class Highlight:
    """The characters [start, end) that one or more rows quote."""
    key: str
    start: int
    end: int
    kinds: list[str]  # in the order of KINDS; the first gives the colour and symbol
    rows: list[int]
    proposed: bool
    title: str


@dataclass
class Token:
    kind: str  # "text", "open" or "close"
    text: str = ""
    highlight: Highlight | None = None
    first: bool = False  # the first piece of its highlight (it carries the anchor id)


def highlights(items: list[Item], text: str, names: dict[str, str] | None = None
               ) -> list[Highlight]:
    """One highlight per distinct quoted span that lies within the text; its title names the
    rows that quote it (`names`: labels of existing entities, IRI -> label)."""
    names = names or {}
    found: dict[tuple[int, int], Highlight] = {}
    lines: dict[tuple[int, int], list[str]] = {}
    for item in items:
        for span in item.spans:
            if not (0 <= span.start < span.end <= len(text)):
                continue
            light = found.setdefault((span.start, span.end), Highlight(
                span.key, span.start, span.end, [], [], False, ""))
            if item.kind not in light.kinds:
                light.kinds.append(item.kind)
            light.rows.append(item.number)
            light.proposed = light.proposed or item.proposed
            german, english, _ = KINDS[item.kind]
            if item.kind in ("money", "count"):
                what = " ".join(x for x in (item.value, item.qualifier) if x)
            elif item.kind == "measure":
                what = f"{item.label} ({item.value})"
            else:
                what = names.get(item.iri) or item.label
            lines.setdefault((span.start, span.end), []).append(
                f"{item.number}. {german} / {english}: {what}"
                + (f" ({item.status})" if item.status else "")
                + (" – vorgeschlagen / proposed" if item.proposed else ""))
    order = list(KINDS)
    for key, light in found.items():
        light.kinds.sort(key=order.index)
        light.title = "\n".join(lines[key])  # one line per row of the table that quotes it
    return sorted(found.values(), key=lambda h: (h.start, -h.end))


def tokens(text: str, lights: list[Highlight]) -> list[Token]:
    """The text cut at every highlight's ends, with properly nested open and close tokens: a
    highlight that crosses the end of an enclosing one is closed there and opened again, so the
    pieces of one highlight together are exactly its characters."""
    bounds = sorted({0, len(text)} | {h.start for h in lights} | {h.end for h in lights})
    result: list[Token] = []
    stack: list[Highlight] = []
    opened: set[str] = set()
    for start, end in zip(bounds, bounds[1:]):
        wanted = [h for h in lights if h.start <= start and end <= h.end]  # outer first
        common = 0
        while common < min(len(stack), len(wanted)) and stack[common] is wanted[common]:
            common += 1
        while len(stack) > common:
            stack.pop()
            result.append(Token("close"))
        for light in wanted[common:]:
            result.append(Token("open", highlight=light, first=light.key not in opened))
            opened.add(light.key)
            stack.append(light)
        result.append(Token("text", text[start:end]))
    result.extend(Token("close") for _ in stack)
    return result
