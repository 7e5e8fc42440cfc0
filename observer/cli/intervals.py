"""``observer intervals``: the interval record derived from the continuous one."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from observer.analysis.intervals import RULES, bounds_s, code_intervals, estimates
from observer.cli import options
from observer.cli.files import json_chunks, to_stdout
from observer.study.loading import load_sessions

MAX_ROWS = 20_000_000


@click.command()
@options.sessions_argument
@options.interval
@click.option(
    "--rule",
    type=click.Choice(list(RULES)),
    default=None,
    help="partial: occurs in the interval; whole: runs through all of it; momentary: "
    "runs at its end (point codes: within half an interval of it).",
)
@click.option(
    "--summary",
    "show_summary",
    is_flag=True,
    help="csv/tsv: instead of the record, per code the continuous truth beside each "
    "rule's estimate and its bias.",
)
@click.option(
    "--scans",
    is_flag=True,
    help="The time-sampling scans instead, one row per sampling instant and sampled code "
    "(scored empty when missed); --summary sets each code's scans beside the continuous "
    "record's momentary score at the same instants.",
)
@options.output_format("csv", "tsv", "json")
@options.corrected
def intervals(
    sessions: tuple[Path, ...],
    interval: float | None,
    rule: str | None,
    show_summary: bool,
    fmt: str,
    corrected: bool,
    scans: bool = False,
) -> None:
    """The continuous record of each SESSION cut into intervals of --interval
    seconds from time 0 (the last one shorter): one row per session, interval
    and code with 1 or 0 by --rule and the count of onsets. With --summary (and
    always in JSON): per code, the proportion of time and count of the
    continuous record beside the estimate of every rule, so the bias shows.
    With --scans: the session's time-sampling scans, at the codebook's sampling
    instants (no --interval or --rule: the codebook gives them)."""
    if scans:
        if interval is not None or rule is not None:
            raise click.UsageError(
                "--scans takes its instants from the codebook: no --interval or --rule"
            )
        _scans(sessions, fmt, show_summary, corrected)
        return
    if interval is None:
        raise click.UsageError("--interval S is required")
    if rule is None:
        raise click.UsageError("--rule is required (partial, whole or momentary)")
    rows = 0

    def documents() -> Iterator[dict[str, Any]]:
        """Each session's intervals as it is read (nothing is written before the last,
        so a count of rows past the limit is refused with nothing written)."""
        nonlocal rows
        for _, session in load_sessions(sessions, corrected=corrected):
            if session.duration > 0:
                rows += math.ceil(session.duration / interval) * len(session.book.codes)
            if rows > MAX_ROWS:
                raise click.UsageError(
                    f"--interval {interval:g} makes more than {MAX_ROWS:,} rows: use a larger one"
                )
            coded = code_intervals(session, interval)
            yield {
                "id": session.id,
                "duration": session.duration,
                "interval": interval,
                "rule": rule,
                "bounds": bounds_s(session, interval),
                "coded": coded,
                "summary": [row.as_dict() for row in estimates(session, coded)],
            }

    if fmt == "json":
        to_stdout(json_chunks([("sessions", map(_json, documents()))]), escape=False)
    else:
        to_stdout(
            _csv(documents(), "\t" if fmt == "tsv" else ",", rule, show_summary), escape=False
        )


def _csv(
    documents: Iterable[dict[str, Any]], delimiter: str, rule: str, show_summary: bool
) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if show_summary:
        head = ["session", "code", "kind", "count", "proportion"]
        for r in RULES:
            head += [f"{r}_intervals", f"{r}_estimate", f"{r}_bias"]
        writer.writerow(head)
    else:
        writer.writerow(["session", "interval", "start", "end", "code", "scored", "count"])
    for d in documents:
        if show_summary:
            for row in d["summary"]:
                values = [d["id"], row["code"], row["kind"], row["count"], row["proportion"]]
                for r in RULES:
                    values += [row["scored_intervals"][r], row["estimates"][r], row["bias"][r]]
                writer.writerow(["" if v is None else v for v in values])
        else:
            for k, (start, end) in enumerate(d["bounds"]):
                for c in d["coded"]:
                    writer.writerow(
                        [d["id"], k, start, end, c.code, c.scored[rule][k], c.counts[k]]
                    )
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()


def _json(d: dict[str, Any]) -> dict[str, Any]:
    rule = d["rule"]
    records = [
        {
            "interval": k,
            "start": start,
            "end": end,
            "code": c.code,
            "scored": c.scored[rule][k],
            "count": c.counts[k],
        }
        for k, (start, end) in enumerate(d["bounds"])
        for c in d["coded"]
    ]
    return {
        "id": d["id"],
        "duration": d["duration"],
        "interval": d["interval"],
        "rule": rule,
        "intervals": len(d["bounds"]),
        "records": records,
        "summary": d["summary"],
    }


SCAN_HEAD = ["session", "instant", "t", "code", "scored"]
SCAN_SUMMARY = [
    "session", "code", "scans", "missed", "scored", "estimate", "momentary_continuous",
    "proportion", "agreement_with_continuous",
]  # fmt: skip


def _scans(sessions: tuple[Path, ...], fmt: str, show_summary: bool, corrected: bool) -> None:
    """``--scans``: the scans as a record, or (``--summary``, and in JSON) beside the
    continuous record."""
    from observer.analysis.scans import sampling_of, scan_record, scan_summary

    def documents() -> Iterator[dict[str, Any]]:
        for name, session in load_sessions(sessions, corrected=corrected):
            sampling = sampling_of(session, str(name))
            record = scan_record(session)
            rows = [
                {"instant": k, "t": t, "code": code, "scored": row[k]}
                for k, t in enumerate(record.instants)
                for code, row in record.scored.items()
            ]
            yield {
                "id": session.id,
                "duration": session.duration,
                "every_s": sampling.every_s,
                "rule": sampling.rule,
                "instants": len(record.instants),
                "records": rows,
                "summary": [e.as_dict() for e in scan_summary(session)],
            }

    if fmt == "json":
        to_stdout(json_chunks([("sessions", documents())]), escape=False)
        return

    def chunks() -> Iterator[bytes]:
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
        writer.writerow(SCAN_SUMMARY if show_summary else SCAN_HEAD)
        for d in documents():
            if show_summary:
                for e in d["summary"]:
                    values = [d["id"], *(e[k] for k in SCAN_SUMMARY[1:])]
                    writer.writerow(["" if v is None else v for v in values])
            else:
                for r in d["records"]:
                    scored = "" if r["scored"] is None else r["scored"]
                    writer.writerow([d["id"], r["instant"], r["t"], r["code"], scored])
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
        yield out.getvalue().encode()

    to_stdout(chunks(), escape=False)
