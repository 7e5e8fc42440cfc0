"""``observer import-boris PROJECT.boris [-o DIR]``."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
import orjson

from observer import jsonio
from observer.errors import InputError, Problem
from observer.interchange.boris import read_project
from observer.interchange.boris_codebook import build_codebook
from observer.interchange.boris_sessions import build_sessions
from observer.sessionfile import write_session

REPORT = "import-report.txt"


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError.one(str(target), "$", "exists and is not a folder")
    if target.is_dir():
        try:
            empty = not any(target.iterdir())
        except OSError as exc:
            raise InputError.one(str(target), "$", f"cannot be read ({exc.strerror})") from None
        if not empty:
            raise InputError.one(
                str(target), "$", "exists and is not empty; import into a new folder (-o DIR)"
            )
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError.one(str(target), "$", "its parent folder does not exist")


def write_new_folder(target: Path, fill: Callable[[Path], None]) -> None:
    """Fill a staging folder beside ``target``, then rename it into place: the folder
    appears complete or not at all (the staging folder is removed on any failure)."""
    parent = target.parent if str(target.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".importing", dir=parent))
    except OSError as exc:
        raise InputError.one(
            str(target), "$", f"cannot create a folder here ({exc.strerror})"
        ) from None
    try:
        fill(staging)
        os.rename(staging, target)  # replaces an empty folder; fails on a non-empty one
        jsonio.fsync_dir(parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise InputError.one(
            str(target), "$", f"cannot be written ({exc.strerror or exc})"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise


@click.command(name="import-boris")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
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
    _check_target(target)
    notices: list[Problem] = []
    raw = read_project(project, notices)
    mapping = build_codebook(raw, project, notices)
    sessions = build_sessions(raw, mapping, str(project), notices)
    book = mapping.codebook
    report = (
        "".join(f"{n}\n" for n in notices) or "nothing to report: everything was kept as it was\n"
    )

    def fill(staging: Path) -> None:
        (staging / "codebook").mkdir()
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
