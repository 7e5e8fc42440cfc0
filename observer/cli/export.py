"""``observer export SESSION... --format csv|tsv|sdis|eaf|ratings-csv|ratings-tsv|session
[-o PATH] [--deidentify --linkage FILE]``.

Every writer takes the sessions from one stream (:class:`_Counted`); with
``--deidentify`` that stream hands on de-identified copies
(observer.export.deidentify), so every format, and any added here later, writes
de-identified sessions without knowing it. A writer that stamps a time of its own on
a document takes it from :func:`_document_time`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import click

from observer.cli import options
from observer.cli.files import exists_error, make_folder, to_stdout, write_file
from observer.errors import InputError, Problem
from observer.sessionfile import Session
from observer.study.loading import load_sessions
from observer.wording import plural

FORMATS = ("csv", "tsv", "sdis", "eaf", "ratings-csv", "ratings-tsv", "session")
PER_SESSION = ("eaf", "session")
"""The formats that write one file per session into the folder -o names."""

Transform = Callable[[Session, str], Session]


class _Counted:
    """The sessions of a stream, counted (sessions and events) as they pass, each
    passed through ``transform`` (de-identification) before any writer sees it."""

    def __init__(self, paths: tuple[Path, ...], transform: Transform | None = None) -> None:
        self.paths, self.sessions, self.events = paths, 0, 0
        self.transform = transform

    def __iter__(self) -> Iterator[Session]:
        for name, session in load_sessions(self.paths):
            self.sessions += 1
            self.events += len(session.events)
            yield session if self.transform is None else self.transform(session, name)


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


def _write_eaf(stream: _Counted, output: Path, now: datetime | None = None) -> int:
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
            for name, data in eaf_files(stream, now=now):
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
        _take_back(written, created)
        raise
    return len(written)


def _write_sessions(stream: _Counted, output: Path) -> int:
    """One session file per session (``<id>.json``; ``<id>.json.age`` when the folder
    holds ``recipients.txt``) in the folder -o names: all of them or none."""
    from observer.sessionfile import write_session

    if output.suffix.lower() == ".json" and not output.is_dir():
        raise click.UsageError(f"-o {output}: --format session writes into a folder")
    created = make_folder(output)
    written: list[Path] = []
    existing: list[Problem] = []
    try:
        try:
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
        except InputError as error:
            raise InputError([*error.problems, *existing]) from None
        if existing:
            raise InputError(existing)
    except BaseException:
        _take_back(written, created)
        raise
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


def _check_linkage(linkage: Path, output: Path | None, fmt: str) -> None:
    """The linkage file is new and kept apart from the export: never in the export's
    folder (the folder -o names, or the folder of the file it names)."""
    if linkage.exists() or linkage.is_symlink():
        raise exists_error(linkage)
    if output is None:
        return
    single = fmt == "eaf" and output.suffix.lower() == ".eaf" and not output.is_dir()
    folder = output if (fmt in PER_SESSION and not single) or output.is_dir() else output.parent
    if _inside(linkage, folder) or linkage.resolve() == output.resolve():
        raise InputError.one(
            str(linkage),
            "$",
            f"is inside the export folder {folder}: keep the linkage apart from the"
            " de-identified data (write it elsewhere)",
        )


@click.command()
@options.sessions_argument
@options.output_format(
    *FORMATS,
    default="",
    help="csv/tsv: one row per event; sdis: GSEQ timed-event file; eaf: ELAN, one per session;"
    " ratings-csv/ratings-tsv: one row per session, rating item (or composite) and segment.",
)
@options.output(
    help="File to create (csv, tsv, sdis, ratings-*; default: standard output), or folder for"
    " eaf and session.",
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
    deidentify: bool,
    linkage: Path | None,
    dates: str | None,
    keep_text: bool,
    keep_observers: bool,
) -> None:
    """Write sessions as CSV/TSV (R, pandas, spreadsheets), SDIS (GSEQ) or EAF (ELAN),
    or their ratings as CSV/TSV (composites computed).

    Several sessions go into one CSV, TSV or SDIS file, or into one EAF file per
    session (named SESSION-ID.eaf) in the folder -o names; --format session writes
    session files there, which every command reads. Files are created
    whole (written aside, then moved into place) with mode 0600, and an
    existing file is never overwritten.

    --deidentify writes de-identified sessions in any format, and the linkage file
    that leads back to the originals (keep it apart, as the key it is).
    """
    if fmt in PER_SESSION and output is None:
        raise click.UsageError(f"--format {fmt} writes one file per session: give -o FOLDER")
    if output is not None and fmt not in PER_SESSION and output.exists():
        raise exists_error(output)
    transform: Transform | None = None
    if deidentify:
        if linkage is None:
            raise click.UsageError("--deidentify needs --linkage FILE (the key to the codes)")
        _check_linkage(linkage, output, fmt)
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
        _export(_Counted(sessions, transform), fmt, output, deidentify)
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


def _export(stream: _Counted, fmt: str, output: Path | None, deidentified: bool) -> None:
    if fmt == "eaf":
        assert output is not None
        written = _write_eaf(stream, output, _document_time(deidentified))
        click.echo(
            f"wrote {plural(written, 'EAF file')}, {plural(stream.events, 'event')}, to {output}"
        )
        return
    if fmt == "session":
        assert output is not None
        _warn_unencrypted(stream.paths, output)
        written = _write_sessions(stream, output)
        click.echo(
            f"wrote {plural(written, 'session file')}, {plural(stream.events, 'event')},"
            f" to {output}"
        )
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
        what = plural(rows, "rating row")
    else:
        what = plural(stream.events, "event")
    click.echo(f"wrote {output} ({plural(stream.sessions, 'session')}, {what})")
