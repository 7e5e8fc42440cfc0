"""``observer export SESSION... --format csv|tsv|sdis|eaf [-o PATH]``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import click

from observer.cli import options
from observer.cli.files import exists_error, make_folder, to_stdout, write_file
from observer.errors import InputError, Problem
from observer.sessionfile import Session
from observer.study.loading import load_sessions

FORMATS = ("csv", "tsv", "sdis", "eaf", "ratings-csv", "ratings-tsv")


class _Counted:
    """The sessions of a stream, counted (sessions and events) as they pass."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.paths, self.sessions, self.events = paths, 0, 0

    def __iter__(self) -> Iterator[Session]:
        for _, session in load_sessions(self.paths):
            self.sessions += 1
            self.events += len(session.events)
            yield session


def _write_eaf(stream: _Counted, output: Path) -> int:
    """One EAF file per session, each written as its session is read: all of them or
    none (on any problem the files and folders this run made are taken back)."""
    from observer.export.eaf import eaf_files

    single = output.suffix.lower() == ".eaf" and not output.is_dir()
    if single and len(stream.paths) != 1:
        raise click.UsageError(
            f"-o {output}: one .eaf file holds one session; give a folder for {len(stream.paths)}"
        )
    created = [] if single else make_folder(output)
    written: list[Path] = []
    existing: list[Problem] = []
    try:
        try:
            for name, data in eaf_files(stream):
                target = output if single else output / name
                if target.exists():
                    existing.append(
                        Problem(str(target), "$", "already exists; observer never overwrites")
                    )
                if not existing:
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


@click.command()
@options.sessions_argument
@options.output_format(
    *FORMATS,
    default="",
    help="csv/tsv: one row per event; sdis: GSEQ timed-event file; eaf: ELAN, one per session;"
    " ratings-csv/ratings-tsv: one row per session, rating item (or composite) and segment.",
)
@options.output(
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
    stream = _Counted(sessions)
    if fmt == "eaf":
        assert output is not None
        written = _write_eaf(stream, output)
        click.echo(f"wrote {written} EAF file(s), {stream.events} events, to {output}")
        return
    chunks: Iterator[bytes]
    if fmt == "sdis":
        from observer.export.sdis import sdis_chunks

        chunks = sdis_chunks(stream)
    elif fmt.startswith("ratings-"):
        from observer.export.ratings import ratings_chunks

        chunks = ratings_chunks(stream, "," if fmt == "ratings-csv" else "\t")
    else:
        from observer.export.tabular import tabular_chunks

        chunks = tabular_chunks(stream, "," if fmt == "csv" else "\t")
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
    if fmt.startswith("ratings-"):  # one line per rating row (labels hold no line breaks)
        rows = lines[0] - 1
        what = f"{rows} rating row{'s' * (rows != 1)}"
    else:
        what = f"{stream.events} events"
    click.echo(f"wrote {output} ({stream.sessions} session(s), {what})")
