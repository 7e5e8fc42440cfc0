"""A dyad's progress across weeks against its codebook's criteria (``observer progress``).

Every session of the dyad under the folders, in the order they were coded, measured
against the criteria of its own codebook (observer.analysis.criteria): one row per
session and segment the criteria apply to, with the onsets of the codes they name and
whether each criterion was met, and the first session where every criterion was. The
page (:func:`html`) draws a small chart per rule across the sessions with its target,
as self-contained as the reliability report: no script, no network, file text escaped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from html import escape
from pathlib import Path
from typing import Any

import attrs

from observer.analysis.criteria import counts_for, evaluate
from observer.codebook import Criterion, CriterionRule
from observer.errors import InputError
from observer.sessionfile import time_key
from observer.study.discover import session_files
from observer.study.loading import load_sessions


@attrs.frozen
class Row:
    session: str
    file: str
    started_at: str
    segment: str | None
    counts: dict[str, int]
    met: dict[str, bool]
    values: dict[str, list[float | None]]
    """Each criterion's rule values (counts or ratios), for the charts."""


@attrs.frozen
class Progress:
    dyad: str
    codebook: str
    criteria: tuple[Criterion, ...]
    rows: tuple[Row, ...]
    first_all_met: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dyad": self.dyad,
            "codebook": self.codebook,
            "criteria": [{"id": c.id, "label": c.label} for c in self.criteria],
            "sessions": [
                {
                    "id": r.session,
                    "started_at": r.started_at,
                    "segment": r.segment,
                    "counts": r.counts,
                    "met": r.met,
                }
                for r in self.rows
            ],
            "first_all_met": self.first_all_met,
        }


def progress(folders: Sequence[Path], dyad: str, observer: str | None = None) -> Progress:
    """The dyad's progress; InputError when it has no session, or none with criteria,
    or its sessions are of more than one codebook."""
    found: list[tuple[str, str, Row, bool]] = []
    criteria: dict[str, Criterion] = {}
    books: dict[str, str] = {}
    for name, session in load_sessions(session_files(folders), unique_ids=False):
        if session.dyad != dyad or session.status == "consensus":
            continue
        if observer is not None and session.observer != observer:
            continue
        book = session.book
        books.setdefault(book.id, name)
        if not book.criteria:
            continue
        results = evaluate(book, session.events, session.segments, session.duration)
        for c in book.criteria:
            criteria.setdefault(c.id, c)
        segments = list(dict.fromkeys(c.segment for c in book.criteria))
        all_met = all(r.met for r in results)
        for segment in segments:
            mine = [r for r in results if r.criterion.segment == segment]
            row = Row(
                session=session.id,
                file=name,
                started_at=session.started_at,
                segment=segment,
                counts=counts_for(
                    book, session.events, session.segments, session.duration, segment
                ),
                met={r.criterion.id: r.met for r in mine},
                values={r.criterion.id: [v.value for v in r.rules] for r in mine},
            )
            found.append((session.started_at, name, row, all_met))
    if len(books) > 1:
        listed = ", ".join(f"{book} ({file})" for book, file in books.items())
        raise InputError.one(dyad, "$", f"sessions of more than one codebook: {listed}")
    if not books:
        raise InputError.one(dyad, "$", "no session of this dyad under the folders")
    (book_id,) = books
    if not found:
        raise InputError.one(dyad, "$", f"codebook {book_id!r} has no criteria to measure against")
    found.sort(key=lambda f: (time_key(f[0]), f[1]))
    first = next((row.session for _, _, row, all_met in found if all_met), None)
    return Progress(dyad, book_id, tuple(criteria.values()), tuple(r for *_, r, _ in found), first)


def table(result: Progress) -> Iterator[str]:
    """The progress for reading: the criteria, then a line per session and segment with
    each criterion's figure (its rules' counts or ratios) and whether it was met."""
    ids = [c.id for c in result.criteria]
    yield f"dyad {result.dyad}  ({result.codebook})\n"
    for n, c in enumerate(result.criteria, 1):
        where = f"in {c.segment}" if c.segment else "whole session"
        yield f"  {n}. {c.label} ({c.id}; {where}): {_rules(c.rules)}\n"
    cells = [[_cell(r, i) for i in ids] for r in result.rows]
    widths = [
        max([len(str(n)), *(len(row[k]) for row in cells)])
        for n, k in zip(range(1, len(ids) + 1), range(len(ids)), strict=True)
    ]
    head = "  ".join(f"{n:<{w}}" for n, w in zip(range(1, len(ids) + 1), widths, strict=True))
    yield f"\n{'started':<16}  {'segment':<16}  {head}  session\n"
    for r, row in zip(result.rows, cells, strict=True):
        line = "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True))
        yield f"{r.started_at[:16]:<16}  {(r.segment or '-'):<16}  {line}  {r.session}\n"
    yield f"\nfirst session with every criterion met: {result.first_all_met or 'none yet'}\n"


def _cell(row: Row, criterion: str) -> str:
    if criterion not in row.met:
        return ""
    figures = "/".join("-" if v is None else f"{v:g}" for v in row.values[criterion])
    return f"{figures} {_mark(row.met[criterion])}"


def _mark(met: bool | None) -> str:
    return "" if met is None else "met" if met else "no"


def _rules(rules: Iterable[CriterionRule]) -> str:
    parts = []
    for r in rules:
        if r.ratio is not None:
            parts.append(f"{'+'.join(r.ratio.of)} / {'+'.join(r.ratio.to)} >= {r.min:g}")
            continue
        what = "+".join(r.codes)
        if r.min is not None:
            parts.append(f"{what} >= {r.min:g}")
        if r.max is not None:
            parts.append(f"{what} <= {r.max:g}")
    return ", ".join(parts)


def to_csv(result: Progress) -> str:
    """One row per session and segment: the counts of every named code and each
    criterion as 1 (met), 0 (not) or empty (not of that segment)."""
    codes = list(dict.fromkeys(code for r in result.rows for code in r.counts))
    ids = [c.id for c in result.criteria]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["dyad", "session", "started_at", "segment", *codes, *(f"{i}_met" for i in ids)]
    )
    for r in result.rows:
        met = ["" if i not in r.met else int(r.met[i]) for i in ids]
        counts = [r.counts.get(code, "") for code in codes]
        writer.writerow([result.dyad, r.session, r.started_at, r.segment or "", *counts, *met])
    return out.getvalue()


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; border-bottom: 1px solid #ddd; }
th { text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.met { background: #e3f4e1; } td.no { background: #fde2e1; } .muted { color: #666; }
svg text { font: 11px system-ui, sans-serif; fill: #222; }
"""


def html(result: Progress) -> str:
    """The page: the criteria, a chart per rule across the sessions, and the table."""
    ids = [c.id for c in result.criteria]
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Progress: dyad {escape(result.dyad)}</title><style>{STYLE}</style></head>"
        f"<body>\n<h1>Progress of dyad {escape(result.dyad)}</h1>\n"
        f"<p>{len({r.session for r in result.rows})} sessions of {escape(result.codebook)}. "
        "First session with every criterion met: "
        f"<b>{escape(result.first_all_met or 'none yet')}</b>.</p>\n"
    ]
    for c in result.criteria:
        where = f"in {c.segment}" if c.segment else "over the whole session"
        parts.append(
            f"<h2>{escape(c.label)} <span class=muted>({escape(c.id)}, {escape(where)})</span></h2>\n"
        )
        rows = [r for r in result.rows if c.id in r.values]
        for k, rule in enumerate(c.rules):
            series = [(r.started_at, r.values[c.id][k]) for r in rows]
            parts.append(chart(f"{c.label}: {_rules([rule])}", series, rule))
    parts.append(
        "\n<h2>Sessions</h2>\n<table><tr><th>started</th><th>segment</th><th>session</th>"
        + "".join(f"<th>{escape(c.label)}</th>" for c in result.criteria)
        + "</tr>\n"
    )
    for r in result.rows:
        cells = "".join(
            f'<td class="num {_mark(r.met[i])}">{escape(_cell(r, i))}</td>'
            if i in r.met
            else "<td></td>"
            for i in ids
        )
        parts.append(
            f"<tr><td>{escape(r.started_at[:16])}</td><td>{escape(r.segment or '-')}</td>"
            f"<td>{escape(r.session)}</td>{cells}</tr>\n"
        )
    parts.append("</table>\n</body></html>\n")
    return "".join(parts)


def chart(title: str, series: Sequence[tuple[str, float | None]], rule: CriterionRule) -> str:
    """One rule's value per session (in order) with its target lines, as inline SVG."""
    width, height, left, right, top, bottom = 640, 180, 44, 48, 14, 34
    values = [v for _, v in series if v is not None]
    targets = [t for t in (rule.min, rule.max) if t is not None]
    top_value = max([*values, *targets, 1.0]) * 1.15
    n = max(len(series), 2)

    def x(i: int) -> float:
        return left + i / (n - 1) * (width - left - right)

    def y(v: float) -> float:
        return top + (1 - v / top_value) * (height - top - bottom)

    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">'
        f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#bbb"/>'
        f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>'
    ]
    for target in targets:
        parts.append(
            f'<line class="target" x1="{left}" x2="{width - right}" y1="{y(target):.1f}" '
            f'y2="{y(target):.1f}" stroke="#d62728" stroke-dasharray="6 4"/>'
            f'<text x="{left - 6}" y="{y(target) + 4:.1f}" text-anchor="end">{target:g}</text>'
        )
    points = [(i, v) for i, (_, v) in enumerate(series) if v is not None]
    if points:
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
        parts.append(
            f'<polyline class="series" fill="none" stroke="#1f77b4" stroke-width="2" points="{path}"/>'
        )
        parts.extend(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#1f77b4">'
            f"<title>{escape(series[i][0][:10])}: {v:g}</title></circle>"
            for i, v in points
        )
    for i in sorted({0, len(series) - 1}):
        if i < len(series):
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle">'
                f"{escape(series[i][0][:10])}</text>"
            )
    parts.append("</svg>\n")
    return "".join(parts)
