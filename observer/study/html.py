"""The reliability report as one self-contained HTML file (no network, no script):
κ over time per observer with the threshold line, a code × observer heat map, and
the table of pairs. The charts are inline SVG drawn here; every text from a session
file is escaped."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from html import escape
from typing import Any

from observer.analysis.kappa import LANDIS_KOCH_SOURCE
from observer.study.report import StudyReport, band
from observer.wording import plural

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; border-bottom: 1px solid #ddd; }
th { text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.below td { background: #fde2e1; } .muted { color: #666; }
svg text { font: 11px system-ui, sans-serif; fill: #222; }
"""


def _k(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _time(stamp: str) -> float | None:
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


def drift_chart(observers: Sequence[dict[str, Any]], threshold: float) -> str:
    """κ over time, one line per observer, y from −0.2 to 1, the threshold dashed."""
    width, height, left, right, top, bottom = 760, 300, 48, 150, 16, 36
    points = [
        (o["observer"], t, k)
        for o in observers
        for stamp, k in o["kappa_over_time"]
        if k is not None and (t := _time(stamp)) is not None
    ]
    if not points:
        return '<p class="muted">No κ over time to draw (no pair with a defined κ).</p>'
    t0, t1 = min(p[1] for p in points), max(p[1] for p in points)
    span = (t1 - t0) or 1.0

    def x(t: float) -> float:
        return left + (t - t0) / span * (width - left - right)

    def y(k: float) -> float:
        return top + (1.0 - max(-0.2, min(1.0, k))) / 1.2 * (height - top - bottom)

    parts = [
        f'<svg class="chart drift" role="img" aria-label="kappa over time per observer" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#eee"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:.1f}</text>'
        )
    parts.append(
        f'<line class="threshold" x1="{left}" x2="{width - right}" y1="{y(threshold):.1f}" '
        f'y2="{y(threshold):.1f}" stroke="#d62728" stroke-dasharray="6 4"/>'
        f'<text x="{width - right + 4}" y="{y(threshold) + 4:.1f}">threshold {threshold:.2f}</text>'
    )
    for stamp in (t0, t1):
        day = datetime.fromtimestamp(stamp).strftime("%Y-%m-%d")
        parts.append(
            f'<text x="{x(stamp):.1f}" y="{height - 12}" text-anchor="middle">{day}</text>'
        )
    names = sorted({p[0] for p in points})
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        series = sorted((t, k) for who, t, k in points if who == name)
        path = " ".join(f"{x(t):.1f},{y(k):.1f}" for t, k in series)
        parts.append(
            f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{path}"/>'
        )
        parts.extend(
            f'<circle cx="{x(t):.1f}" cy="{y(k):.1f}" r="3" fill="{colour}">'
            f"<title>{escape(name)}: {k:.3f}</title></circle>"
            for t, k in series
        )
        parts.append(
            f'<text x="{width - right + 4}" y="{top + 14 * (i + 2):.0f}" style="fill:{colour}">'
            f"■ {escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _cell_colour(k: float | None) -> str:
    if k is None:
        return "#f2f2f2"
    v = max(0.0, min(1.0, k))  # red (0) through yellow (0.6) to green (1)
    if v < 0.6:
        g = int(80 + 150 * v / 0.6)
        return f"rgb(230,{g},80)"
    r = int(230 - 170 * (v - 0.6) / 0.4)
    return f"rgb({r},200,90)"


def heat_map(codes: Sequence[dict[str, Any]]) -> str:
    """κ per code (rows) and observer (columns), the pooled κ in the first column."""
    if not codes:
        return '<p class="muted">No codes to show.</p>'
    observers = sorted({o for c in codes for o in c["observers"]})
    cell, label_w, top = 56, 220, 28
    width = label_w + cell * (len(observers) + 1)
    height = top + 20 * len(codes) + 4
    parts = [
        f'<svg class="chart heatmap" role="img" aria-label="kappa per code and observer" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for j, name in enumerate(["all", *observers]):
        parts.append(
            f'<text x="{label_w + cell * j + cell / 2:.0f}" y="{top - 8}" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    for i, code in enumerate(codes):
        y = top + 20 * i
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(code["code"])}</text>'
        )
        values = [code["kappa"], *(code["observers"].get(o) for o in observers)]
        for j, k in enumerate(values):
            x = label_w + cell * j
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="18" fill="{_cell_colour(k)}">'
                f"<title>{escape(code['code'])}: {_k(k)}</title></rect>"
                f'<text x="{x + cell / 2 - 1:.0f}" y="{y + 13}" text-anchor="middle">{_k(k)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def render(report: StudyReport) -> Iterator[str]:
    """The page, in pieces (the pairs' rows as they are compared)."""
    method, threshold = report.primary, report.threshold
    rows: list[str] = []
    for entry in report.pairs():
        k = entry["methods"][method]["kappa"]
        below = k is not None and k < threshold
        not_yet = entry.get("uncertified")
        marked = f" (not certified: {', '.join(not_yet)})" if not_yet else ""
        rows.append(
            f"<tr{' class=below' if below else ''}><td>{escape(entry['dyad'])}</td>"
            f"<td>{escape(entry['label'])}</td>"
            f"<td>{escape(' vs '.join(entry['observers']) + marked)}</td>"
            f'<td class="num">{_k(k)}</td><td>{escape(band(k))}</td>'
            f"<td>{escape(entry['a'])}<br>{escape(entry['b'])}</td></tr>"
        )
    summary = report.summary()
    share = summary["double_coded"]
    yield (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Reliability report</title><style>{STYLE}</style></head><body>\n"
        "<h1>Reliability report</h1>\n"
        f"<p>{plural(summary['sessions'], 'session')}, {plural(len(rows), 'double-coded pair')}"
        + ("" if share is None else f" ({share:.0%} of the sessions double-coded)")
        + f". κ by the <b>{escape(method)}</b> method; threshold {threshold:.2f}; "
        f"bands: {escape(LANDIS_KOCH_SOURCE)}.</p>\n"
    )
    yield "<h2>κ over time per observer</h2>\n" + drift_chart(summary["observers"], threshold)
    yield "\n<h2>κ per code and observer</h2>\n" + heat_map(summary["codes"])
    yield (
        "\n<h2>Pairs</h2>\n<table><tr><th>dyad</th><th>label</th><th>observers</th>"
        "<th>κ</th><th>band</th><th>files</th></tr>\n"
    )
    yield "\n".join(rows)
    yield "\n</table>\n"
    if summary["consensus"]:
        yield (
            f"<h2>Consensus sessions ({len(summary['consensus'])}, not a coder's coding:"
            " not paired)</h2>\n<table><tr><th>dyad</th><th>label</th><th>decided by</th>"
            "<th>made from</th><th>file</th></tr>\n"
        )
        yield "\n".join(
            f"<tr><td>{escape(c['dyad'])}</td><td>{escape(c['label'])}</td>"
            f"<td>{escape(c['decided_by'])}</td><td>{escape(' + '.join(c['from']))}</td>"
            f"<td>{escape(c['file'])}</td></tr>"
            for c in summary["consensus"]
        )
        yield "\n</table>\n"
    if summary["problems"]:
        left_out = plural(len(summary["problems"]), "file or line", "files or lines")
        yield f"<h2>Problems ({left_out} left out)</h2>\n<ul>"
        yield "".join(f"<li>{escape(p)}</li>" for p in summary["problems"])
        yield "</ul>\n"
    yield "</body></html>\n"
