"""``observer intervals``: the interval record derived from the continuous one."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from observer.analysis.intervals import RULES, bounds_s, code_intervals, summary
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
    required=True,
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
@options.output_format("csv", "tsv", "json")
@options.corrected
def intervals(
    sessions: tuple[Path, ...],
    interval: float | None,
    rule: str,
    show_summary: bool,
    fmt: str,
    corrected: bool,
) -> None:
    """The continuous record of each SESSION cut into intervals of --interval
    seconds from time 0 (the last one shorter): one row per session, interval
    and code with 1 or 0 by --rule and the count of onsets. With --summary (and
    always in JSON): per code, the proportion of time and count of the
    continuous record beside the estimate of every rule, so the bias shows."""
    if interval is None:
        raise click.UsageError("--interval S is required")
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
                "summary": summary(session, coded),
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
