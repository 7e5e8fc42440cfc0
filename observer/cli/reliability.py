"""``observer reliability DIR...`` and ``observer reliability assign DIR ...``: agreement
across a whole study, and the next double-coding plan (observer/study/)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from observer.cli import options
from observer.cli.files import exists_error, write_file
from observer.errors import InputError, Problem
from observer.wording import plural

FOLDERS = click.argument(
    "folders",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


class _ReportByDefault(click.Group):
    """``observer reliability DIR...`` means ``observer reliability report DIR...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            if not Path(args[0]).exists():  # a mistyped subcommand rather than a folder?
                import difflib

                close = difflib.get_close_matches(args[0], list(self.commands), n=1)
                if close:
                    ctx.fail(f"No such command or folder {args[0]!r}. Did you mean {close[0]!r}?")
            args = ["report", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_ReportByDefault)
def reliability() -> None:
    """Inter-observer agreement across a study: every double-coded pair under the
    folders, each observer's kappa over time, each code's kappa (the 'report', which
    is the default), or a plan of the sessions to double-code next ('assign')."""


def _progress(label: str) -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{label} {done}/{total}{end}")
        sys.stderr.flush()

    return show


@reliability.command("report")
@FOLDERS
@options.method(
    several=True,
    help="time, event, timeslice (comma-separated), or all; the first is the one "
    "the threshold, the drift and the per-code kappa use (all: time).",
)
@options.tolerance(default=None, help="As observer agree.")
@options.unit(help="As observer agree.")
@options.number_option(
    "--threshold",
    type=options.Number(-1, 1),
    default=0.60,
    show_default=True,
    help="Pairs whose kappa is below it are listed.",
)
@options.output_format("table", "json", "html")
@options.output(
    dir_okay=False,
    help="Write the report to this new file (never overwritten) instead of standard output.",
)
@options.codebook_map
def report(
    folders: tuple[Path, ...],
    method: list[str],
    tolerance: float | None,
    unit: float,
    threshold: float,
    fmt: str,
    output: Path | None,
    codebook_map: Path | None,
) -> None:
    """Agreement across a study. Sessions coded live in a pair (code --pair) pair by
    their pair id; others of the same codebook, dyad and label coded by different
    observers pair (or the pairs a folder's pairs.csv lists, header a,b).
    Unreadable files are listed as problems; exit status 2 only if nothing could be read."""
    from observer.study.certify import registry
    from observer.study.discover import discover
    from observer.study.report import StudyReport

    methods = method
    if fmt == "html" and output is None:
        raise click.UsageError("--format html writes a file: give it with -o report.html")
    if output is not None and output.exists():
        raise exists_error(output)
    study = discover(folders, _progress("reading sessions"))
    if not study.entries:
        problems = list(study.problems) or [
            Problem(str(folders[0]), "$", "no session files under the folder(s)")
        ]
        raise InputError(problems)
    result = StudyReport(
        study,
        methods,
        tolerance=tolerance,
        unit=unit,
        threshold=threshold,
        progress=_progress("comparing pairs"),
        read_as=options.version_mapper(codebook_map, [e.path for e in study.entries]),
        certifications=registry(folders),
    )
    if fmt == "json":
        chunks: Iterator[bytes] = result.json_chunks()
    elif fmt == "html":
        from observer.study import html

        chunks = (piece.encode() for piece in html.render(result))
    else:
        from observer.study.text import render
        from observer.textsafe import safe

        chunks = (safe(line, lines=True).encode() for line in render(result))
    if output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    write_file(output, chunks)
    click.echo(f"wrote {output}", err=True)


@reliability.command("assign")
@FOLDERS
@options.number_option(
    "--fraction",
    type=options.Number(0, 1, low_open=True),
    required=True,
    help="The share of each stratum's sessions to double-code, e.g. 0.2.",
)
@options.number_option(
    "--seed",
    type=options.Number(0, 2**63 - 1, integer=True),
    required=True,
    help="The same seed gives the same plan.",
)
@options.output(
    dir_okay=False,
    help="The plan file (CSV). If it exists, its sessions keep their place and only "
    "what each stratum still needs is added (the file is replaced atomically).",
)
def assign(folders: tuple[Path, ...], fraction: float, seed: int, output: Path | None) -> None:
    """A blind double-coding plan: at least FRACTION of the sessions of each observer
    and month, chosen by SEED, as CSV (session, dyad, observer, started_at, stratum)."""
    from observer import jsonio
    from observer.study.discover import discover
    from observer.study.plan import from_csv, plan, to_csv

    study = discover(folders, _progress("reading sessions"))
    for problem in study.problems:
        click.echo(str(problem), err=True)
    if not study.entries:
        raise InputError(
            list(study.problems)
            or [Problem(str(folders[0]), "$", "no session files under the folder(s)")]
        )
    kept: list[Any] = []
    if output is not None and output.exists():
        try:
            kept = from_csv(output.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise InputError.one(
                str(output), "$", f"not a plan this command wrote: {error}"
            ) from None
    paired = {e.id for p in study.pairs for e in (p.a, p.b)}
    rows = plan(study.entries, paired, fraction, seed, kept)
    data = to_csv(rows).encode()
    if output is None:
        sys.stdout.buffer.write(data)
        return
    if output.exists():
        jsonio.replace(output, data)
    else:
        write_file(output, data)
    added = len(rows) - len(kept)
    click.echo(f"{output}: {plural(len(rows), 'session')} planned ({added} added)", err=True)
