"""``observer export SESSION... --format csv|tsv|sdis|eaf [-o PATH]``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from observer import jsonio
from observer.errors import InputError, Problem
from observer.sessionfile import Session, load_session

FORMATS = ("csv", "tsv", "sdis", "eaf", "ratings-csv", "ratings-tsv")


def load_sessions(paths: tuple[Path, ...]) -> list[Session]:
    """Every session, or one InputError listing every problem in every file."""
    problems: list[Problem] = []
    sessions: list[Session] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            session = load_session(path)
        except InputError as error:
            problems.extend(error.problems)
            continue
        if session.id in seen:
            problems.append(
                Problem(str(path), "id", f"session {session.id!r} is also in {seen[session.id]}")
            )
        seen[session.id] = path
        sessions.append(session)
    if problems:
        raise InputError(problems)
    return sessions


def exists_error(path: Path) -> InputError:
    """The refusal of a target that already exists (observer never overwrites)."""
    return InputError.one(
        str(path), "$", "already exists; observer never overwrites: choose another name"
    )


def write_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Create ``path`` atomically (mode 0600); never overwrite; errors as InputError."""
    try:
        jsonio.write_new(path, data)
    except FileExistsError:
        raise exists_error(path) from None
    except FileNotFoundError:
        raise InputError.one(str(path), "$", "the folder to write into does not exist") from None
    except PermissionError:
        raise InputError.one(str(path), "$", "permission denied") from None
    except OSError as exc:
        raise InputError.one(str(path), "$", f"cannot be written ({exc.strerror or exc})") from None


def _write_eaf(sessions: list[Session], output: Path) -> list[Path]:
    from observer.export.eaf import eaf_files

    if output.suffix.lower() == ".eaf" and not output.is_dir():
        if len(sessions) != 1:
            raise click.UsageError(
                f"-o {output}: one .eaf file holds one session; give a folder for {len(sessions)}"
            )
        targets = [output]
    else:
        try:
            output.mkdir(exist_ok=True)
        except FileExistsError:
            raise InputError.one(str(output), "$", "exists and is not a folder") from None
        except FileNotFoundError:
            raise InputError.one(str(output), "$", "its parent folder does not exist") from None
        except OSError as exc:
            message = f"cannot create the folder ({exc.strerror or exc})"
            raise InputError.one(str(output), "$", message) from None
        targets = [output / f"{s.id}.eaf" for s in sessions]
    existing = [
        Problem(str(t), "$", "already exists; observer never overwrites")
        for t in targets
        if t.exists()
    ]
    if existing:
        raise InputError(existing)
    written: list[Path] = []
    try:
        for target, (_, data) in zip(targets, eaf_files(sessions), strict=True):
            write_file(target, data)
            written.append(target)
    except BaseException:
        # All of them or none: take back the files this run created.
        for path in written:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise
    return written


@click.command()
@click.argument("sessions", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="csv/tsv: one row per event; sdis: GSEQ timed-event file; eaf: ELAN, one per session;"
    " ratings-csv/ratings-tsv: one row per session, rating item (or composite) and segment.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to create (csv, tsv, sdis; default: standard output), or folder for eaf.",
)
def export(sessions: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Write sessions as CSV/TSV (R, pandas, spreadsheets), SDIS (GSEQ) or EAF (ELAN),
    or their ratings as CSV/TSV (composites computed).

    Several sessions go into one CSV, TSV or SDIS file, or into one EAF file per
    session (named SESSION-ID.eaf) in the folder -o names. Files are created
    whole (written aside, then moved into place) with mode 0600, and an
    existing file is never overwritten.
    """
    if fmt == "eaf" and output is None:
        raise click.UsageError("--format eaf writes one file per session: give -o FOLDER")
    loaded = load_sessions(sessions)
    events = sum(len(s.events) for s in loaded)
    if fmt == "eaf":
        assert output is not None
        written = _write_eaf(loaded, output)
        click.echo(f"wrote {len(written)} EAF file(s), {events} events, to {output}")
        return
    if fmt == "sdis":
        from observer.export.sdis import sdis_bytes

        data = sdis_bytes(loaded)
    elif fmt.startswith("ratings-"):
        from observer.export.ratings import ratings_bytes

        data = ratings_bytes(loaded, "," if fmt == "ratings-csv" else "\t")
    else:
        from observer.export.tabular import tabular_bytes

        data = tabular_bytes(loaded, "," if fmt == "csv" else "\t")
    if output is None:
        from observer.textsafe import for_terminal

        sys.stdout.buffer.write(for_terminal(data, sys.stdout))
        sys.stdout.flush()
        return
    write_file(output, data)
    if fmt.startswith("ratings-"):  # one line per rating row (labels hold no line breaks)
        rows = data.count(b"\n") - 1
        what = f"{rows} rating row{'s' * (rows != 1)}"
    else:
        what = f"{events} events"
    click.echo(f"wrote {output} ({len(loaded)} session(s), {what})")
