"""The SVG plot of the report: p50 per curated query for the three servers. Imports config and
figures."""

from __future__ import annotations

import math

from sozialgraph_bench.config import LABELS, SERVERS, size_name
from sozialgraph_bench.figures import ms, p50, timed_out

COLOURS = {"sozialgraph": "#1b7837", "oxigraph": "#2166ac", "rdflib-endpoint": "#b2182b"}


def render_svg(results: dict) -> str | None:
    """Horizontal bars, log scale: p50 per curated query for the three servers, at the largest
    size that has latency figures."""
    candidates = [(int(s), r) for s, r in results["sizes"].items() if r.get("latency")]
    if not candidates:
        return None
    size, record = max(candidates, key=lambda item: item[0])
    peers = [p for p in SERVERS if p in record["latency"]]
    slugs = list(record["answers"])
    cap = results["settings"]["query_cap"]
    values = {(p, s): (cap if timed_out(record, p, s) else p50(record, p, s))
              for p in peers for s in slugs}
    present = [v for v in values.values() if v]
    if not present:
        return None
    low = 10 ** math.floor(math.log10(min(present)))
    high = 10 ** math.ceil(math.log10(max(present)))
    if high <= low:
        high = low * 10
    left, right, top, bar, gap = 250, 40, 60, 9, 10
    width = 900
    plot_width = width - left - right
    height = top + len(slugs) * (len(peers) * bar + gap) + 60

    def x(value: float) -> float:
        return left + plot_width * (math.log10(value) - math.log10(low)) / (
            math.log10(high) - math.log10(low))

    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">'),
           '<rect width="100%" height="100%" fill="white"/>',
           (f'<text x="{left}" y="20" font-size="14" font-weight="bold">p50 latency per curated '
           f'query, {size_name(size)} triples (log scale; lower is better)</text>')]
    decade = low
    while decade <= high * 1.0001:
        px = x(decade)
        label = ms(decade) + " ms"
        out.append(f'<line x1="{px:.1f}" y1="{top - 8}" x2="{px:.1f}" y2="{height - 50}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{px:.1f}" y="{top - 12}" text-anchor="middle" fill="#555">'
                   f'{label}</text>')
        decade *= 10
    y = top
    for slug in slugs:
        out.append(f'<text x="{left - 6}" y="{y + len(peers) * bar / 2 + 4:.1f}" '
                   f'text-anchor="end">{_xml(slug)}</text>')
        for peer in peers:
            value = values.get((peer, slug))
            if value:
                late = timed_out(record, peer, slug)
                out.append(f'<rect x="{left}" y="{y}" width="{max(1.0, x(value) - left):.1f}" '
                           f'height="{bar - 1}" fill="{COLOURS[peer]}"'
                           + (' fill-opacity="0.4"' if late else "") + '>'
                           f'<title>{_xml(LABELS[peer])}: {ms(value)} ms'
                           + (" (timeout)" if late else "") + '</title></rect>')
            y += bar
        y += gap
    legend_y = height - 25
    lx = left
    for peer in peers:
        out.append(f'<rect x="{lx}" y="{legend_y - 9}" width="12" height="10" '
                   f'fill="{COLOURS[peer]}"/>')
        out.append(f'<text x="{lx + 16}" y="{legend_y}">{_xml(LABELS[peer])}</text>')
        lx += 160
    if any(timed_out(record, p, s) for p in peers for s in slugs):
        out.append(f'<text x="{lx}" y="{legend_y}" fill="#555">pale: timeout at '
                   f'{cap:g} s</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
