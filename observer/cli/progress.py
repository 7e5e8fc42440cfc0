"""``observer progress DIR... --dyad D``: a dyad's sessions against its codebook's
criteria, week by week (observer.study.progress)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from observer.cli import options
from observer.cli.files import exists_error, write_file
from observer.textsafe import safe


@click.command()
@click.argument(
    "folders",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option("--dyad", required=True, help="The dyad whose sessions are followed.")
@click.option("--observer", default=None, help="Only this observer's sessions.")
@options.output_format(
    "table",
    "csv",
    "json",
    "html",
    help="table: for reading; csv: one row per session and segment; json: one object; "
    "html: a page with a chart per criterion (docs/clinic.md).",
)
@options.output(
    dir_okay=False, help="Write to this new file (never overwritten) instead of standard output."
)
def progress(
    folders: tuple[Path, ...], dyad: str, observer: str | None, fmt: str, output: Path | None
) -> None:
    """A dyad's progress across sessions against its codebook's criteria: one row per
    session (and segment the criteria apply to) in the order they were coded. Each row
    has the counts of the codes the criteria name and whether each criterion was met;
    the end names the first session where every criterion was."""
    from observer.study.progress import html, progress, table, to_csv

    if output is not None and output.exists():
        raise exists_error(output)
    result = progress(folders, dyad, observer)
    if fmt == "json":
        data = orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2) + b"\n"
    elif fmt == "csv":
        data = to_csv(result).encode()
    elif fmt == "html":
        data = html(result).encode()
    else:
        data = safe("".join(table(result)), lines=True).encode()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_file(output, data)
    click.echo(safe(f"wrote {output}"), err=True)
