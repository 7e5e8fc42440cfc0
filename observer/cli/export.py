"""``observer export SESSION... --format FORMAT [-o PATH]``: the formats are the rows of
:mod:`observer.export.formats`."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from observer.cli import options
from observer.cli.files import exists_error, make_folder, to_stdout, write_file
from observer.errors import InputError, Problem
from observer.export.formats import BY_NAME, FORMATS, ExportFormat
from observer.sessionfile import Session
from observer.study.loading import load_sessions
from observer.wording import plural


class _Counted:
    """The sessions of a stream, counted (sessions and events) as they pass; each
    pass reads the files again (a writer may need two)."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.paths, self.sessions, self.events = paths, 0, 0

    def __iter__(self) -> Iterator[Session]:
        self.sessions = self.events = 0
        for _, session in load_sessions(self.paths):
            self.sessions += 1
            self.events += len(session.events)
            yield session


def _write_files(fmt: ExportFormat, stream: _Counted, output: Path) -> int:
    """The format's files, each written as its session is read: all of them or none
    (on any problem the files and folders this run made are taken back)."""
    single = bool(fmt.single) and output.suffix.lower() == fmt.single and not output.is_dir()
    if single and len(stream.paths) != 1:
        raise click.UsageError(
            f"-o {output}: one {fmt.single} file holds one session;"
            f" give a folder for {len(stream.paths)}"
        )
    created = [] if single else make_folder(output)
    written: list[Path] = []
    existing: list[Problem] = []
    files: Iterable[tuple[str, bytes | Iterable[bytes]]] = fmt.load()(stream)
    try:
        try:
            for name, data in files:
                target = output if single else output / name
                if target.exists():
                    existing.append(
                        Problem(str(target), "$", "already exists; observer never overwrites")
                    )
                if not existing:
                    if target.parent != output:
                        created += make_folder(target.parent)
                    write_file(target, data)
                    written.append(target)
        except InputError as error:
            raise InputError([*error.problems, *existing]) from None
        if existing:
            raise InputError(existing)
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                os.unlink(path)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return len(written)


def _help() -> str:
    return "; ".join(f"{f.name}: {f.help}" for f in FORMATS) + "."


@click.command()
@options.sessions_argument
@options.output_format(*BY_NAME, default="", help=_help())
@options.output(
    help="File to create (csv, tsv, sdis, ratings-*; default: standard output), or folder"
    " (eaf, nwb: one file per session, or -o NAME.eaf / NAME.nwb for one session;"
    " bids-events: the sub-*/ses-*/beh/ tree).",
)
def export(sessions: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Write sessions as CSV/TSV (R, pandas, spreadsheets), SDIS (GSEQ), EAF (ELAN),
    NWB (Neurodata Without Borders) or BIDS events, or their ratings as CSV/TSV
    (composites computed).

    Several sessions go into one CSV, TSV or SDIS file, or into files of their own
    (one EAF or NWB file per session, named SESSION-ID.eaf / .nwb; a BIDS events
    table and sidecar per session) in the folder -o names. Files are created whole
    (written aside, then moved into place) with mode 0600, and an existing file is
    never overwritten.
    """
    chosen = BY_NAME[fmt]
    if chosen.shape == "files" and output is None:
        raise click.UsageError(f"--format {fmt} writes files of their own: give -o FOLDER")
    missing = chosen.missing()
    if missing:
        click.echo(f"observer: {missing}", err=True)
        sys.exit(2)
    stream = _Counted(sessions)
    if chosen.shape == "files":
        assert output is not None
        written = _write_files(chosen, stream, output)
        events = plural(stream.events, "event")
        click.echo(f"wrote {plural(written, chosen.noun)}, {events}, to {output}")
        return
    chunks: Iterator[bytes] = chosen.load()(stream)
    if output is None:
        to_stdout(chunks)
        return
    if output.exists():
        raise exists_error(output)
    lines = [0]

    def counted(parts: Iterator[bytes]) -> Iterator[bytes]:
        for part in parts:
            lines[0] += part.count(b"\n")
            yield part

    write_file(output, counted(chunks))
    if chosen.counts == "rating rows":  # one line per rating row (labels hold no line breaks)
        what = plural(lines[0] - 1, "rating row")
    else:
        what = plural(stream.events, "event")
    click.echo(f"wrote {output} ({plural(stream.sessions, 'session')}, {what})")
