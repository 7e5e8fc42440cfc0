"""``observer stats SESSION... [--format table|csv|json]``: per-code descriptive statistics."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click
import orjson

from observer.analysis.stats import FIELDS, SessionStats, session_stats
from observer.cli import options
from observer.sessionfile import Session
from observer.study.loading import load_sessions
from observer.textsafe import for_terminal, safe


def _cell(value: float | int | None, digits: int) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def _table(session: Session, result: SessionStats, title: str | None = None) -> str:
    head = ("code", "kind", "count", "rate/min", "first_s", "total_s", "mean_s", "sd_s", "prop")
    rows = [
        (
            c.code,
            c.kind,
            str(c.count),
            _cell(c.rate_per_min, 2),
            _cell(c.first_s, 3),
            _cell(c.total_s, 3),
            _cell(c.mean_s, 3),
            _cell(c.sd_s, 3),
            _cell(c.proportion, 3),
        )
        for c in result.codes
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        title
        or f"{session.id}  (dyad {session.dyad}, observer {session.observer}, "
        f"duration {session.duration:.3f} s)"
    ]
    for row in [head, *rows]:
        first = f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}"
        rest = "  ".join(f"{cell:>{w}}" for cell, w in zip(row[2:], widths[2:], strict=True))
        lines.append(f"  {first}  {rest}")
    from observer.scores import score_rows

    rated = score_rows(session.book, session.ratings)
    if rated:
        lines.append("  ratings")
        lines += [f"    {label}: {value}" for label, value in rated]
    return "\n".join(lines)


@click.command()
@options.sessions_argument
@options.output_format(
    "table",
    "csv",
    "json",
    help="table: for reading; csv: one row per session (and segment) and code; "
    "json: one object with every session (docs/analysis.md).",
)
@click.option(
    "--by",
    type=click.Choice(["segment"]),
    default=None,
    help="Also per segment: each event counts in the segment it starts in; total_s and "
    "proportion are the time inside the segment.",
)
@options.corrected
def stats(sessions: tuple[Path, ...], fmt: str, by: str | None, corrected: bool) -> None:
    """Per-code statistics of each SESSION: count, rate per minute, latency to the
    first occurrence, and for state codes total, mean and SD (n - 1) of bout
    durations and the proportion of session time. Every code of the codebook is
    listed, unused ones with count 0."""
    loaded = list(load_sessions(sessions, corrected=corrected))
    if by == "segment":
        _by_segment([s for _, s in loaded], fmt)
        return
    results = [(s, session_stats(s)) for _, s in loaded]
    if fmt == "json":
        document = {"sessions": [r.as_dict() for _, r in results]}
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["session", "duration", "code", *FIELDS])
        for _, result in results:
            for c in result.codes:
                values = c.as_dict()
                writer.writerow(
                    [result.id, result.duration, c.code]
                    + ["" if values[f] is None else values[f] for f in FIELDS]
                )
        sys.stdout.flush()
        sys.stdout.buffer.write(for_terminal(out.getvalue().encode(), sys.stdout))
    else:
        click.echo(safe("\n\n".join(_table(s, r) for s, r in results), lines=True))


def _by_segment(sessions: list[Session], fmt: str) -> None:
    from observer.analysis.segments import segment_stats

    parts = [(s, session_stats(s), segment_stats(s)) for s in sessions]
    if fmt == "json":
        document = {
            "sessions": [
                {**whole.as_dict(), "segments": [p.as_dict() for p in segments]}
                for _, whole, segments in parts
            ]
        }
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["session", "segment", "start", "end", "duration", "code", *FIELDS])
        for session, whole, segments in parts:
            rows = [("", 0.0, session.duration, whole)]
            rows += [(p.segment, p.start, p.end, p.stats) for p in segments]
            for segment, start, end, result in rows:
                for c in result.codes:
                    values = c.as_dict()
                    writer.writerow(
                        [whole.id, segment, start, end, result.duration, c.code]
                        + ["" if values[f] is None else values[f] for f in FIELDS]
                    )
        sys.stdout.flush()
        sys.stdout.buffer.write(for_terminal(out.getvalue().encode(), sys.stdout))
    else:
        blocks: list[str] = []
        for session, whole, segments in parts:
            blocks.append(_table(session, whole))
            if not segments:
                blocks.append(f"{session.id}: no segments were marked")
            for p in segments:
                title = (
                    f"{session.id} / segment {p.segment}  ({p.start:.3f}-{p.end:.3f} s, "
                    f"{p.stats.duration:.3f} s)"
                )
                blocks.append(_table(session, p.stats, title))
        click.echo(safe("\n\n".join(blocks), lines=True))
