"""``observer stats SESSION... [--format table|csv|tsv|json] [--wide --format csv|tsv|sav|dta|parquet]
[-o FILE]``: per-code descriptive statistics."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from observer.analysis.stats import FIELDS, SessionStats, session_stats
from observer.cli import options
from observer.cli.files import exists_error, json_chunks, to_stdout, write_file
from observer.sessionfile import Session
from observer.study.loading import load_sessions
from observer.textsafe import safe


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
    if title is None and session.book.windows:
        lines += _windows(session)
    return "\n".join(lines)


def _windows(session: Session) -> list[str]:
    """Each response window: commands, the responses by kind and their shares."""
    from observer.analysis.windows import window_stats

    lines = ["  response windows"]
    for w in window_stats(session):
        shares = [f"{code} {n} ({_cell(w.share[code], 3)})" for code, n in w.responses.items()]
        other = [f"{w.otherwise_code} {w.otherwise}"] if w.otherwise_code else []
        lines.append(
            f"    {w.after} (within {w.within_s:g} s): {w.commands} commands; "
            + ", ".join([*shares, *other, f"unanswered {w.unanswered}"])
        )
    return lines


WIDE_FORMATS = ("csv", "tsv", "sav", "dta", "parquet")
BINARY = ("sav", "dta", "parquet")


@click.command()
@options.sessions_argument
@options.output_format(
    "table",
    "csv",
    "tsv",
    "json",
    "sav",
    "dta",
    "parquet",
    help="table: for reading; csv/tsv: one row per session (and segment) and code, or with"
    " --wide per session (and segment); json: one object with every session"
    " (docs/analysis.md); sav (SPSS), dta (Stata), parquet: the --wide table (the formats"
    " extra).",
)
@click.option(
    "--wide",
    is_flag=True,
    help="One row per session (and segment with --by segment): CODE_count, CODE_rate,"
    " CODE_duration, CODE_mean for each code, then every rating and composite.",
)
@options.output(help="File to create (default: standard output; required for sav, dta, parquet).")
@click.option(
    "--by",
    type=click.Choice(["segment"]),
    default=None,
    help="Also per segment: each event counts in the segment it starts in; total_s and "
    "proportion are the time inside the segment.",
)
@options.corrected
@options.codebook_map
def stats(
    sessions: tuple[Path, ...],
    fmt: str,
    wide: bool,
    output: Path | None,
    by: str | None,
    corrected: bool,
    codebook_map: Path | None,
) -> None:
    """Per-code statistics of each SESSION: count, rate per minute, latency to the
    first occurrence, and for state codes total, mean and SD (n - 1) of bout
    durations and the proportion of session time. Every code of the codebook is
    listed, unused ones with count 0. --wide makes one row per session (the table
    SPSS and Stata users analyse), as CSV, TSV, SPSS .sav, Stata .dta or Parquet."""
    from observer.analysis.segments import SegmentStats, segment_stats

    read_as = options.version_mapper(codebook_map, sessions)
    if wide and fmt not in WIDE_FORMATS:
        raise click.UsageError(f"--wide is written as {', '.join(WIDE_FORMATS)}, not {fmt}")
    if fmt in BINARY and not wide:
        raise click.UsageError(f"--format {fmt} writes the --wide table: add --wide")
    if fmt in BINARY and output is None:
        raise click.UsageError(f"--format {fmt} writes a binary file: give -o FILE")
    if fmt in BINARY:
        from observer.export.formats import FORMATS

        if FORMATS[fmt].missing():
            click.echo(f"observer: {FORMATS[fmt].install_hint()}", err=True)
            sys.exit(2)
    if output is not None and output.exists():
        raise exists_error(output)

    def parts() -> Iterator[tuple[Session, SessionStats, list[SegmentStats] | None]]:
        """Each session's figures as it is read; the session is let go after."""
        for _, session in load_sessions(sessions, corrected=corrected, read_as=read_as):
            segments = segment_stats(session) if by == "segment" else None
            yield session, session_stats(session), segments

    chunks: Iterator[bytes]
    if wide:
        chunks = _wide(parts(), by == "segment", fmt)
    elif fmt == "json":
        chunks = json_chunks([("sessions", map(_json, parts()))])
    elif fmt in ("csv", "tsv"):
        chunks = _csv(parts(), by == "segment", "," if fmt == "csv" else "\t")
    else:
        chunks = _text(parts())
    if output is None:
        to_stdout(chunks, escape=fmt not in ("json", "table"))
    else:
        write_file(output, chunks)
    if read_as is not None and read_as.said():
        click.echo(safe(f"observer stats: {read_as.said()}"), err=True)


def _wide(
    parts: Iterable[tuple[Session, SessionStats, list[Any] | None]], by: bool, fmt: str
) -> Iterator[bytes]:
    from observer.analysis.wide import wide_table
    from observer.export.tables import csv_chunks, parquet_chunks, stats_chunks

    table = wide_table(parts, by)
    if fmt in ("csv", "tsv"):
        return csv_chunks(table, "," if fmt == "csv" else "\t")
    if fmt == "parquet":
        return parquet_chunks(table)
    return stats_chunks(table, "sav" if fmt == "sav" else "dta", file_label="observer stats")


def _json(part: tuple[Session, SessionStats, list[Any] | None]) -> dict[str, Any]:
    from observer.analysis.windows import window_stats

    session, whole, segments = part
    out = whole.as_dict()
    if session.book.windows:
        out["windows"] = [w.as_dict() for w in window_stats(session)]
    if segments is not None:
        out["segments"] = [p.as_dict() for p in segments]
    return out


def _csv(
    parts: Iterable[tuple[Session, SessionStats, list[Any] | None]], by: bool, delimiter: str
) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    segment = ["segment", "start", "end"] if by else []
    writer.writerow(["session", *segment, "duration", "code", *FIELDS])
    for session, whole, segments in parts:
        rows = [("", 0.0, session.duration, whole)]
        rows += [(p.segment, p.start, p.end, p.stats) for p in segments or ()]
        for name, start, end, result in rows:
            where = [name, start, end] if by else []
            for c in result.codes:
                values = c.as_dict()
                writer.writerow(
                    [whole.id, *where, result.duration, c.code]
                    + ["" if values[f] is None else values[f] for f in FIELDS]
                )
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()


def _text(parts: Iterable[tuple[Session, SessionStats, list[Any] | None]]) -> Iterator[bytes]:
    gap = ""
    for session, whole, segments in parts:
        blocks = [_table(session, whole)]
        if segments is not None and not segments:
            blocks.append(f"{session.id}: no segments were marked")
        for p in segments or ():
            title = (
                f"{session.id} / segment {p.segment}  ({p.start:.3f}-{p.end:.3f} s, "
                f"{p.stats.duration:.3f} s)"
            )
            blocks.append(_table(session, p.stats, title))
        yield safe(gap + "\n\n".join(blocks), lines=True).encode()
        gap = "\n\n"
    yield b"\n"
