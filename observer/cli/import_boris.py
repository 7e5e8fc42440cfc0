"""``observer import-boris PROJECT.boris [-o DIR]``."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from observer import jsonio
from observer.cli import options
from observer.cli.files import check_new_folder, write_new_folder
from observer.errors import Problem
from observer.interchange.boris import read_project
from observer.interchange.boris_codebook import build_codebook
from observer.interchange.boris_sessions import build_sessions
from observer.sessionfile import write_session

REPORT = "import-report.txt"


@click.command(name="import-boris")
@click.argument("project", type=click.Path(path_type=Path))
@options.output(
    metavar="DIR",
    help="New folder for the codebook and sessions (default: named after the project file).",
)
def import_boris(project: Path, output: Path | None) -> None:
    """Turn a BORIS project (plain or gzipped) into a codebook and one session per
    live or media observation.

    DIR receives codebook/ID.json, one SESSION-ID.json per observation (usable
    directly as --session-dir, and by observer agree) and import-report.txt,
    which lists, like standard error, everything changed, dropped or reassigned.
    The folder appears complete or not at all; an existing non-empty folder is
    refused. Also available as observer import PROJECT --from boris.
    """
    target = (
        output
        if output is not None
        else Path(project.stem if project.suffix else f"{project.name}-import")
    )
    check_new_folder(target)
    notices: list[Problem] = []
    raw = read_project(project, notices)
    mapping = build_codebook(raw, project, notices)
    sessions = build_sessions(raw, mapping, str(project), notices)
    book = mapping.codebook
    report = (
        "".join(f"{n}\n" for n in notices) or "nothing to report: everything was kept as it was\n"
    )

    def fill(staging: Path) -> None:
        jsonio.make_folders(staging / "codebook")
        document = orjson.dumps(book.document, option=orjson.OPT_INDENT_2) + b"\n"
        jsonio.write_new(staging / "codebook" / f"{book.id}.json", document, mode=0o644)
        for session in sessions:
            write_session(staging, session)
        jsonio.write_new(staging / REPORT, report.encode("utf-8"))

    write_new_folder(target, fill)

    for notice in notices:
        click.echo(str(notice), err=True)
    click.echo(
        f"imported {project} into {target}/: codebook {book.id} ({len(book.actors)} actors,"
        f" {len(book.groups)} groups, {len(book.codes)} codes) in codebook/{book.id}.json"
    )
    for session in sessions:
        flagged = sum(1 for e in session.events if e.flags)
        extra = f", {flagged} unpaired start(s) closed" if flagged else ""
        click.echo(f"  {session.id}.json: {len(session.events)} events{extra}")
    if not sessions:
        click.echo("  no sessions were written: the project has no live or media observations")
    click.echo(f"{len(notices)} notice(s), listed above and in {target / REPORT}")
