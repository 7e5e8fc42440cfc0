"""``observer verify FILE...``: check each session's review trail."""

from __future__ import annotations

import sys
from pathlib import Path

import attrs
import click
import orjson

from observer.cli import options
from observer.sessionfile import check_trail
from observer.study.loading import load_sessions
from observer.textsafe import safe
from observer.trail import Report


def _lines(name: str, report: Report) -> list[str]:
    if report.state == "none":
        return [f"{name}: no trail (no reviews, or reviews saved before observer linked them)"]
    if report.state == "whole":
        entries = f"{report.entries} entr{'y' if report.entries == 1 else 'ies'}"
        return [f"{name}: the review trail holds: {entries}, made on the events the file holds"]
    return [f"{name}: reviews[{b.index}]: {b.message}" for b in report.breaks]


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@options.output_format(
    "text", "json", help="text: one line per session (per break); json: one record per session."
)
def verify(files: tuple[Path, ...], fmt: str) -> None:
    """Check the review trail of each session FILE: every review entry is linked to the
    one before it and to the events it was made on, each time observer saves reviews.
    Lists each entry changed, moved, inserted or removed outside observer, by its index
    in `reviews`. Sessions whose reviews were saved before trails existed have no
    trail (not an error). Exit status 1 when a trail is broken, 2 when a file cannot
    be read."""
    stream = load_sessions(files, unique_ids=False)
    reports = [(Path(name), check_trail(session)) for name, session in stream]
    if fmt == "json":
        records = [{"file": str(path), **attrs.asdict(report)} for path, report in reports]
        click.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
    else:
        for path, report in reports:
            for line in _lines(str(path), report):
                click.echo(safe(line))
    if any(report.state == "broken" for _, report in reports):
        sys.exit(1)
