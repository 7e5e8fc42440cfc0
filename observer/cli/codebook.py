"""``observer codebook check|show|diff|list``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from observer import jsonio
from observer.cli import SuggestingGroup, options
from observer.codebook import Codebook, bundled_paths, load_codebook
from observer.errors import InputError, Problem
from observer.textsafe import safe
from observer.wording import plural


@click.group(cls=SuggestingGroup)
def codebook() -> None:
    """Validate, show and list codebooks."""


@codebook.command()
@click.argument("paths", nargs=-1, required=True)
def check(paths: tuple[str, ...]) -> None:
    """Validate codebook files (or bundled ids); report every problem, one per line."""
    problems: list[Problem] = []
    for path in paths:
        if _is_format_schema(path):
            click.echo(f"{path}: skipped (the JSON Schema of the codebook format, not a codebook)")
            continue
        try:
            book = load_codebook(path)
        except InputError as error:
            problems.extend(error.problems)
        else:
            click.echo(f"{path}: ok ({book.id} {book.version}, {plural(len(book.codes), 'code')})")
    if problems:
        raise InputError(problems)


def _is_format_schema(path: str) -> bool:
    """True for the JSON Schema of the codebook format that ships beside the codebooks
    (so ``check codebooks/*.json`` checks the codebooks): a JSON Schema document
    (``$schema`` and ``properties``) without a codebook's ``schema`` field."""
    if not path.endswith(".json"):
        return False
    try:
        data = orjson.loads(jsonio.read_bytes(Path(path)))
    except (InputError, orjson.JSONDecodeError):
        return False
    return (
        isinstance(data, dict)
        and "$schema" in data
        and "properties" in data
        and "schema" not in data
    )


@codebook.command()
@click.argument("path_or_id")
@options.output_format(
    "text",
    "json",
    help="text: a legend by actor and group; json: the normalised codebook.",
)
def show(path_or_id: str, fmt: str) -> None:
    """Show a codebook's key map, codes, groups, modifiers, ratings and segments."""
    book = load_codebook(path_or_id)
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(book.document, option=orjson.OPT_INDENT_2) + b"\n")
        return
    from observer.legend import render_legend

    click.echo(render_legend(book))


@codebook.command()
@click.argument("a")
@click.argument("b")
@options.output_format(
    "text",
    "json",
    help='text: one line per change, by section; json: {"a", "b", "same", "changes"}.',
)
def diff(a: str, b: str, fmt: str) -> None:
    """What changed from codebook A to codebook B (files or bundled ids): codes, keys,
    modifiers, ratings, segments and every other block added, removed and changed, field
    by field. Exit status 0 when they are the same, 1 when they differ (as diff does)."""
    from observer.codebook.diff import diff as compare
    from observer.codebook.diff import render, to_data

    result = compare(load_codebook(a), load_codebook(b))
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(to_data(result), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        click.echo(safe(render(result), lines=True))
    if not result.same:
        sys.exit(1)


@codebook.command(name="list")
def list_() -> None:
    """List the bundled codebooks."""
    rows: list[tuple[str, str, str, str]] = []
    for path in bundled_paths():
        book: Codebook = load_codebook(path)
        rows.append((book.id, book.version, plural(len(book.codes), "code"), book.title))
    width = max((len(r[0]) for r in rows), default=0)
    for cb_id, version, codes, title in rows:
        click.echo(f"{cb_id:<{width}}  {version:<7}  {codes:>9}  {title}")
