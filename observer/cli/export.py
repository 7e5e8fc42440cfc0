"""``observer export SESSION... --format csv|tsv|sdis|eaf [-o PATH]``."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from observer.cli import options
from observer.cli.files import make_folder, write_file
from observer.errors import InputError, Problem
from observer.sessionfile import Session
from observer.study.loading import load_sessions

FORMATS = ("csv", "tsv", "sdis", "eaf", "ratings-csv", "ratings-tsv")


def _write_eaf(sessions: list[Session], output: Path) -> list[Path]:
    from observer.export.eaf import eaf_files

    if output.suffix.lower() == ".eaf" and not output.is_dir():
        if len(sessions) != 1:
            raise click.UsageError(
                f"-o {output}: one .eaf file holds one session; give a folder for {len(sessions)}"
            )
        targets = [output]
    else:
        make_folder(output)
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
    loaded = [s for _, s in load_sessions(sessions)]
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
    click.echo(f"wrote {output} ({len(loaded)} session(s), {events} events)")
