"""``observer export SESSION... --format FORMAT [-o PATH] [--partition KEY]
[--deidentify --linkage FILE]``: the formats are the rows of :mod:`observer.export.formats`.

Every writer takes the sessions from one stream (:class:`_Counted`); with
``--deidentify`` that stream hands on de-identified copies
(observer.export.deidentify), so every format, and any added to the table later,
writes de-identified sessions without knowing it. A writer that stamps a time of its
own on a document (a ``dated`` row) takes it from :func:`_document_time`."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
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

Transform = Callable[[Session, str], Session]


class _Counted:
    """The sessions of a stream, counted (sessions and events) as they pass, each
    passed through ``transform`` (de-identification) before any writer sees it; each
    pass reads the files again (a writer may need two)."""

    def __init__(self, paths: tuple[Path, ...], transform: Transform | None = None) -> None:
        self.paths, self.sessions, self.events = paths, 0, 0
        self.transform = transform

    def __iter__(self) -> Iterator[Session]:
        for _, session in self.named():
            yield session

    def named(self) -> Iterator[tuple[str, Session]]:
        """``(file name, session)`` of each file, as :meth:`__iter__` gives them."""
        self.sessions = self.events = 0
        for name, session in load_sessions(self.paths):
            self.sessions += 1
            self.events += len(session.events)
            yield name, session if self.transform is None else self.transform(session, name)


def _document_time(deidentified: bool) -> datetime | None:
    """The time a writer stamps on its documents (ELAN's DATE): the export's (None),
    or, de-identified, a fixed one that is no date of anything."""
    from observer.export.deidentify import DOCUMENT_TIME

    return DOCUMENT_TIME if deidentified else None


def _take_back(written: list[Path], created: list[Path]) -> None:
    for path in written:
        with contextlib.suppress(OSError):
            os.unlink(path)
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def _all_or_none(created: list[Path]) -> Iterator[tuple[list[Path], list[Problem]]]:
    """The files a run writes and the refusals it meets, all of them or none: on any
    problem (a refusal, a session that does not load, an interruption) the files written
    and the folders in ``created`` are taken back; a session's problems come first."""
    written: list[Path] = []
    existing: list[Problem] = []
    try:
        try:
            yield written, existing
        except InputError as error:
            raise InputError([*error.problems, *existing]) from None
        if existing:
            raise InputError(existing)
    except BaseException:
        _take_back(written, created)
        raise


def _single(fmt: ExportFormat, output: Path) -> bool:
    """Whether ``-o`` names the one file of a single session (``-o X.eaf``)."""
    return bool(fmt.single) and output.suffix.lower() == fmt.single and not output.is_dir()


def _write_files(fmt: ExportFormat, stream: _Counted, output: Path, now: datetime | None) -> int:
    """The format's files, each written as its session is read: all of them or none
    (on any problem the files and folders this run made are taken back)."""
    assert fmt.files is not None
    single = _single(fmt, output)
    if single and len(stream.paths) != 1:
        raise click.UsageError(
            f"-o {output}: one {fmt.single} file holds one session;"
            f" give a folder for {len(stream.paths)}"
        )
    created = [] if single else make_folder(output)
    writer = function(fmt.files)
    files: Iterable[tuple[str, Any]] = writer(stream, now=now) if fmt.dated else writer(stream)
    with _all_or_none(created) as (written, existing):
        for name, data in files:
            target = output if single else output / name
            if target.exists():
                existing.append(
                    Problem(str(target), "$", "already exists; observer never overwrites")
                )
            if not existing:
                if target.parent != output and not single:
                    created += make_folder(target.parent)
                write_file(target, data)
                written.append(target)
    return len(written)


def _write_sessions(stream: _Counted, output: Path) -> int:
    """One session file per session (``<id>.json``; ``<id>.json.age`` when the folder
    holds ``recipients.txt``) in the folder -o names: all of them or none."""
    from observer.sessionfile import write_session

    if output.suffix.lower() == ".json" and not output.is_dir():
        raise click.UsageError(f"-o {output}: --format session writes into a folder")
    with _all_or_none(make_folder(output)) as (written, existing):
        for session in stream:
            if existing:
                continue
            try:
                written.append(write_session(output, session))
            except FileExistsError as error:
                message = "already exists; observer never overwrites"
                existing.append(Problem(str(error), "$", message))
            except OSError as error:
                message = f"cannot be written ({error.strerror or error})"
                existing.append(Problem(str(output / f"{session.id}.json"), "$", message))
    return len(written)


def _warn_unencrypted(paths: tuple[Path, ...], output: Path) -> None:
    """Copies of encrypted sessions into a folder that would hold them in plaintext: say so."""
    from observer.crypto import AGE_SUFFIX
    from observer.crypto.folder import RECIPIENTS, is_encrypted

    if any(p.name.endswith(AGE_SUFFIX) for p in paths) and not is_encrypted(output):
        click.echo(
            f"observer export: warning: {output} has no {RECIPIENTS}: the copies of encrypted"
            " sessions are written there in plaintext",
            err=True,
        )


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or anywhere under it (links followed)."""
    here, there = path.resolve(), folder.resolve()
    return here == there or there in here.parents


def _check_linkage(linkage: Path, output: Path | None, fmt: ExportFormat, tree: bool) -> None:
    """The linkage file is new and kept apart from the export: never in the export's
    folder (the folder -o names, or the folder of the file it names)."""
    if linkage.exists() or linkage.is_symlink():
        raise exists_error(linkage)
    if output is None:
        return
    per_session = fmt.files is not None or fmt.sessions or tree
    folder = (
        output if (per_session and not _single(fmt, output)) or output.is_dir() else output.parent
    )
    if _inside(linkage, folder) or linkage.resolve() == output.resolve():
        raise InputError.one(
            str(linkage),
            "$",
            f"is inside the export folder {folder}: keep the linkage apart from the"
            " de-identified data (write it elsewhere)",
        )


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


def _write_tree(fmt: ExportFormat, stream: _Counted, output: Path, keys: tuple[str, ...]) -> int:
    """A new folder filled by the format's tree writer: complete or not at all."""
    assert fmt.tree is not None
    check_new_folder(output)
    writer = function(fmt.tree)
    files = [0]

    def fill(staging: Path) -> None:
        files[0] = writer(stream.named(), staging, keys)

    write_new_folder(output, fill)
    return files[0]


def _extras() -> str:
    needs: dict[str, list[str]] = {}
    for f in FORMATS.values():
        if f.extra:
            needs.setdefault(f.extra, []).append(f.name)
    return "; ".join(f"{', '.join(names)} need the {extra} extra" for extra, names in needs.items())


@click.command()
@options.sessions_argument
@options.output_format(
    *FORMATS,
    default="",
    help="; ".join(f"{f.name}: {f.help}" for f in FORMATS.values()) + f" ({_extras()}).",
)
@options.output(
    help="File to create (csv, tsv, sdis, ratings-*; default: standard output; sav, dta,"
    " ratings-sav, ratings-dta, parquet: a file), or folder (eaf, nwb: one file per session,"
    " or -o NAME.eaf / NAME.nwb for one session; bids-events: the sub-*/ses-*/beh/ tree;"
    " session; parquet with --partition).",
)
@click.option(
    "--partition",
    type=_Partition(),
    default=None,
    metavar="KEY[,KEY...]",
    help="parquet: write -o DIR as a hive-partitioned folder tree (DIR/site=a/part-0.parquet)"
    " by site (the session file's folder), codebook, observer or dyad.",
)
@click.option(
    "--deidentify",
    is_flag=True,
    help="Replace session, dyad, observer ids and labels by random codes, shift or drop the"
    " dates, drop notes and review texts (see docs/confidentiality.md); needs --linkage.",
)
@options.file(
    "--linkage",
    metavar="FILE",
    help="With --deidentify: the CSV (mode 0600, never overwritten, never in the export's"
    " folder) linking each code to its original ids and the dyad's day shift.",
)
@click.option(
    "--dates",
    type=click.Choice(["shift", "none"]),
    default=None,
    help="With --deidentify: shift (default: each dyad's times moved by one random number of"
    " days and seconds; intervals exact) or none (days since the dyad's first session only).",
)
@click.option(
    "--keep-text",
    is_flag=True,
    help="With --deidentify: keep notes, review texts and session labels.",
)
@click.option(
    "--keep-observers",
    is_flag=True,
    help="With --deidentify: keep observer and reviewer ids (default: coded too).",
)
def export(
    sessions: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    partition: tuple[str, ...] | None,
    deidentify: bool,
    linkage: Path | None,
    dates: str | None,
    keep_text: bool,
    keep_observers: bool,
) -> None:
    """Write sessions as CSV/TSV (R, pandas, spreadsheets), SDIS (GSEQ), EAF (ELAN),
    SPSS .sav, Stata .dta, Parquet, NWB (Neurodata Without Borders) or BIDS events,
    or their ratings as CSV/TSV (composites computed) or as SPSS/Stata (one row per
    session).

    Several sessions go into one file, or into files of their own (one EAF or NWB file
    per session, named SESSION-ID.eaf / .nwb; a BIDS events table and sidecar per
    session) in the folder -o names, or with --partition into a Parquet folder tree;
    --format session writes session files there, which every command reads. Files are
    created whole (written aside, then moved into place) with mode 0600, and an
    existing file is never overwritten.

    --deidentify writes de-identified sessions in any format, and the linkage file
    that leads back to the originals (keep it apart, as the key it is).
    """
    chosen = FORMATS[fmt]
    per_session = chosen.files is not None or chosen.sessions
    if partition is not None and chosen.tree is None:
        raise click.UsageError(f"--partition is for --format parquet, not {fmt}")
    if per_session and output is None:
        raise click.UsageError(f"--format {fmt} writes files of their own: give -o FOLDER")
    if partition is not None and output is None:
        raise click.UsageError("--partition writes a folder tree: give -o DIR")
    if chosen.binary and output is None:
        raise click.UsageError(f"--format {fmt} writes a binary file: give -o FILE")
    if chosen.missing():
        click.echo(f"observer: {chosen.install_hint()}", err=True)
        sys.exit(2)
    if chosen.tree is not None and partition is None and output is not None and output.is_dir():
        raise click.UsageError(
            f"-o {output} is a folder: give -o FILE.{chosen.name}, or --partition KEY for a"
            " folder tree"
        )
    if output is not None and not per_session and partition is None and output.exists():
        raise exists_error(output)
    transform: Transform | None = None
    if deidentify:
        if linkage is None:
            raise click.UsageError("--deidentify needs --linkage FILE (the key to the codes)")
        _check_linkage(linkage, output, chosen, partition is not None)
        transform = _planned(sessions, linkage, dates or "shift", keep_text, keep_observers)
    else:
        given = [
            name
            for name, value in (
                ("--linkage", linkage),
                ("--dates", dates),
                ("--keep-text", keep_text or None),
                ("--keep-observers", keep_observers or None),
            )
            if value is not None
        ]
        if given:
            raise click.UsageError(f"{given[0]} goes with --deidentify")
    try:
        _export(_Counted(sessions, transform), chosen, output, partition, deidentify)
    except BaseException:
        if linkage is not None and transform is not None:
            with contextlib.suppress(OSError):
                os.unlink(linkage)  # no key without the export it is the key of
        raise
    if transform is not None and linkage is not None:
        click.echo(f"wrote the linkage to {linkage} (keep it apart from the export)", err=True)


def _planned(
    sessions: tuple[Path, ...], linkage: Path, dates: str, keep_text: bool, keep_observers: bool
) -> Transform:
    """Read every session once (each problem of every file before anything is
    written), draw the codes and shifts, write the linkage file, and return the
    transformation of each session."""
    from observer.export import deidentify as deid

    rows = [deid.seen(name, session) for name, session in load_sessions(sessions)]
    chosen = deid.Options(
        dates="none" if dates == "none" else "shift",
        keep_text=keep_text,
        keep_observers=keep_observers,
    )
    plan = deid.plan(rows, chosen)
    write_file(linkage, plan.linkage_csv())
    return lambda session, name: plan.apply(session, name)


def _export(
    stream: _Counted,
    chosen: ExportFormat,
    output: Path | None,
    partition: tuple[str, ...] | None,
    deidentified: bool,
) -> None:
    if chosen.sessions:
        assert output is not None
        _warn_unencrypted(stream.paths, output)
        written = _write_sessions(stream, output)
        events = plural(stream.events, "event")
        click.echo(f"wrote {plural(written, chosen.noun)}, {events}, to {output}")
        return
    if chosen.files is not None:
        assert output is not None
        written = _write_files(chosen, stream, output, _document_time(deidentified))
        events = plural(stream.events, "event")
        click.echo(f"wrote {plural(written, chosen.noun)}, {events}, to {output}")
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
