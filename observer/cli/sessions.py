"""``observer sessions``: the sessions in the session folder, finished or not."""

from __future__ import annotations

from pathlib import Path

import click

from observer.cli import options
from observer.live.folder import FolderEntry, scan_folder
from observer.replay.clock import format_clock
from observer.textsafe import safe

HEADINGS = ("id", "dyad", "observer", "codebook", "status", "events", "duration")


def _row(entry: FolderEntry) -> tuple[str, ...]:
    events = "" if entry.events is None else str(entry.events)
    return tuple(
        safe(cell)  # text from the files: shown, never obeyed by the terminal
        for cell in (
            entry.id or entry.path.name,
            entry.dyad,
            entry.observer,
            entry.codebook,
            entry.status,
            events,
            "" if entry.duration is None else format_clock(entry.duration),
        )
    )


@click.command()
@options.session_dir()
def sessions(session_dir: Path | None) -> None:
    """List the sessions in the session folder: finished ones, unfinished journals
    (a session still running, or one that crashed: see `observer recover`), and
    files that cannot be read, with the reason."""
    folder = options.resolve_session_dir(session_dir)
    entries = scan_folder(folder)
    if not entries:
        missing = "" if folder.is_dir() else " (the folder does not exist yet)"
        click.echo(f"No sessions in {folder}{missing}.")
        return
    rows = [HEADINGS, *(_row(e) for e in entries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADINGS))]
    right = {5, 6}
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        click.echo("  ".join(cells).rstrip())
    for entry in entries:
        if entry.status == "unreadable":
            click.echo(safe(f"{entry.path}: unreadable: {entry.problem}"))
    unfinished = sum(1 for e in entries if e.status == "unfinished")
    if unfinished:
        click.echo(
            f"{unfinished} unfinished journal{'s' * (unfinished != 1)}: if no `observer code`"
            " is running on it, `observer recover` turns it into a session file."
        )
