"""``observer export SESSION... --format FORMAT [-o PATH] [--partition KEY]``: the formats
are listed in :mod:`observer.export.formats`."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from observer.cli import options
from observer.cli.files import (
    check_new_folder,
    exists_error,
    make_folder,
    to_stdout,
    write_file,
    write_new_folder,
)
from observer.errors import InputError, Problem
from observer.export.formats import FORMATS, ExportFormat, function
from observer.export.parquet import PARTITION_KEYS
from observer.sessionfile import Session
from observer.study.loading import load_sessions
from observer.wording import plural


class _Counted:
    """The sessions of a stream, counted (sessions and events) as they pass."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.paths, self.sessions, self.events = paths, 0, 0

    def __iter__(self) -> Iterator[Session]:
        for _, session in load_sessions(self.paths):
            self.sessions += 1
            self.events += len(session.events)
            yield session


def _write_files(fmt: ExportFormat, stream: _Counted, output: Path) -> int:
    """One file per session (EAF), each written as its session is read: all of them or
    none (on any problem the files and folders this run made are taken back). With one
    session, ``-o NAME.<format>`` names the file."""
    assert fmt.files is not None
    single = output.suffix.lower() == f".{fmt.name}" and not output.is_dir()
    if single and len(stream.paths) != 1:
        raise click.UsageError(
            f"-o {output}: one .{fmt.name} file holds one session; give a folder for"
            f" {len(stream.paths)}"
        )
    created = [] if single else make_folder(output)
    written: list[Path] = []
    existing: list[Problem] = []
    try:
        try:
            for name, data in function(fmt.files)(stream):
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


class _Partition(click.ParamType[tuple[str, ...]]):
    """``KEY[,KEY...]`` of :data:`observer.export.parquet.PARTITION_KEYS`."""

    name = "keys"
    KEYS = PARTITION_KEYS

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        keys = tuple(k.strip() for k in str(value).split(",") if k.strip())
        unknown = [k for k in keys if k not in self.KEYS]
        if unknown or not keys or len(set(keys)) != len(keys):
            self.fail(
                f"{value!r}: give one or more of {', '.join(self.KEYS)}, comma-separated,"
                " each once",
                param,
                ctx,
            )
        return keys


def _named(paths: tuple[Path, ...], counted: _Counted) -> Iterator[tuple[str, Session]]:
    """``(file name, session)`` of each file, counted as ``counted`` counts."""
    for name, session in load_sessions(paths):
        counted.sessions += 1
        counted.events += len(session.events)
        yield name, session


def _write_tree(fmt: ExportFormat, stream: _Counted, output: Path, keys: tuple[str, ...]) -> int:
    """A new folder filled by the format's tree writer: complete or not at all."""
    assert fmt.tree is not None
    check_new_folder(output)
    writer = function(fmt.tree)
    files = [0]

    def fill(staging: Path) -> None:
        files[0] = writer(_named(stream.paths, stream), staging, keys)

    write_new_folder(output, fill)
    return files[0]


@click.command()
@options.sessions_argument
@options.output_format(
    *FORMATS,
    default="",
    help="; ".join(f"{f.name}: {f.help}" for f in FORMATS.values())
    + " (sav, dta, ratings-sav, ratings-dta and parquet need the formats extra).",
)
@options.output(
    help="File to create (default for csv, tsv, sdis and ratings-csv/tsv: standard output),"
    " or folder for eaf and for parquet with --partition.",
)
@click.option(
    "--partition",
    type=_Partition(),
    default=None,
    metavar="KEY[,KEY...]",
    help="parquet: write -o DIR as a hive-partitioned folder tree (DIR/site=a/part-0.parquet)"
    " by site (the session file's folder), codebook, observer or dyad.",
)
def export(
    sessions: tuple[Path, ...], fmt: str, output: Path | None, partition: tuple[str, ...] | None
) -> None:
    """Write sessions as CSV/TSV (R, pandas, spreadsheets), SDIS (GSEQ), EAF (ELAN),
    SPSS .sav, Stata .dta or Parquet, or their ratings as CSV/TSV (composites computed)
    or as SPSS/Stata (one row per session).

    Several sessions go into one file, or into one EAF file per session (named
    SESSION-ID.eaf) in the folder -o names, or with --partition into a Parquet folder
    tree. Files are created whole (written aside, then moved into place) with mode
    0600, and an existing file is never overwritten.
    """
    chosen = FORMATS[fmt]
    if partition is not None and chosen.tree is None:
        raise click.UsageError(f"--partition is for --format parquet, not {fmt}")
    if chosen.files is not None and output is None:
        raise click.UsageError(f"--format {fmt} writes one file per session: give -o FOLDER")
    if partition is not None and output is None:
        raise click.UsageError("--partition writes a folder tree: give -o DIR")
    if chosen.binary and output is None:
        raise click.UsageError(f"--format {fmt} writes a binary file: give -o FILE")
    if chosen.missing():
        click.echo(f"observer: {chosen.install_hint()}", err=True)
        sys.exit(2)
    stream = _Counted(sessions)
    if chosen.files is not None:
        assert output is not None
        written = _write_files(chosen, stream, output)
        click.echo(
            f"wrote {plural(written, fmt.upper() + ' file')}, {plural(stream.events, 'event')},"
            f" to {output}"
        )
        return
    if partition is not None:
        assert output is not None
        files = _write_tree(chosen, stream, output, partition)
        click.echo(
            f"wrote {output}/ ({plural(files, 'file')}, {plural(stream.sessions, 'session')},"
            f" {plural(stream.events, 'event')})"
        )
        return
    assert chosen.chunks is not None
    if chosen.tree is not None and output is not None and output.is_dir():
        raise click.UsageError(
            f"-o {output} is a folder: give -o FILE.{fmt}, or --partition KEY for a folder tree"
        )
    chunks: Iterator[bytes] = function(chosen.chunks)(stream)
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

    write_file(output, counted(chunks) if chosen.unit == "rating row" else chunks)
    if chosen.unit == "rating row":  # one line per rating row (labels hold no line breaks)
        what = plural(lines[0] - 1, "rating row")
    elif chosen.unit == "session":
        what = plural(stream.sessions, "row")
    else:
        what = plural(stream.events, "event")
    click.echo(f"wrote {output} ({plural(stream.sessions, 'session')}, {what})")
