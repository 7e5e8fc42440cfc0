"""``observer import FILE... --from FORMAT [--codebook CB] [-o DIR] [--skip-bad]``."""

from __future__ import annotations

import importlib
from pathlib import Path

import click
import orjson

from observer import collector, jsonio
from observer.cli import options
from observer.cli.files import check_new_folder, write_new_folder
from observer.codebook import Codebook, load_codebook
from observer.errors import InputError, Problem
from observer.interchange.importers import (
    FORMATS,
    MAX_SOURCE_BYTES,
    Imported,
    load_map,
    with_observer,
)
from observer.sessionfile import valid_session_id, write_session
from observer.textsafe import safe
from observer.wording import plural


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--from",
    "fmt",
    required=True,
    type=click.Choice([*FORMATS, "boris"]),
    help="The files' format: csv or tsv (observer's own export), eaf (ELAN 2.7 to 3.0),"
    " opf (Datavyu), boris (a BORIS project), boris-events (BORIS's exported events,"
    " TSV or CSV).",
)
@options.file(
    "--codebook",
    help="Codebook (a file, or a bundled codebook's id) every source code must belong to"
    " (default: derive one from the files).",
)
@options.output(
    metavar="DIR", help="New folder for the sessions (default: named after the first file)."
)
@options.file(
    "--map",
    "map_file",
    metavar="MAP.json",
    help='With --codebook: {"codes": {"source name": "code id"}} for names the codebook'
    " spells otherwise.",
)
@click.option(
    "--observer",
    default=None,
    metavar="ID",
    help="The observer who coded the files (kept in every session; default: what the"
    " files say, else empty).",
)
@click.option("--skip-bad", is_flag=True, help="Write the good files' sessions; list the bad ones.")
@click.pass_context
def import_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    fmt: str,
    codebook: Path | None,
    output: Path | None,
    map_file: Path | None,
    observer: str | None,
    skip_bad: bool,
) -> None:
    """Turn coded events from other tools (or observer's own CSV/TSV export) into
    session files, one per source session, with "imported_from" naming the file.

    From csv/tsv each session keeps its status; exporting the imported sessions
    again writes the same bytes. Without --codebook the codebook is derived from
    the files and written to DIR/codebook/ID.json. With it, a code it lacks is
    refused. Any problem: one line per problem, exit 2, nothing written
    (--skip-bad writes the good files and lists the bad).
    """
    if fmt == "boris":
        if len(files) != 1 or codebook is not None or skip_bad or map_file or observer:
            raise click.UsageError(
                "--from boris takes one project and none of --codebook, --map, --observer,"
                " --skip-bad"
            )
        boris = ctx.find_root().command.get_command(ctx, "import-boris")  # type: ignore[attr-defined]
        ctx.invoke(boris, project=files[0], output=output)
        return
    target = output if output is not None else Path(f"{files[0].stem}-import")
    check_new_folder(target)
    book: Codebook | None = load_codebook(str(codebook)) if codebook is not None else None
    if map_file is not None and book is None:
        raise click.UsageError("--map needs --codebook (it maps source names onto its codes)")
    if observer is not None and not valid_session_id(observer):
        raise click.BadParameter(
            "letters, digits, '.', '_' and '-', starting with a letter or digit",
            param_hint="--observer",
        )
    codes = load_map(map_file) if map_file is not None else {}
    module, attr = FORMATS[fmt].split(":")
    reader = getattr(importlib.import_module(module), attr)
    results: list[Imported] = []
    bad: list[Problem] = []
    for path in files:
        try:
            data = jsonio.read_bytes(path, max_bytes=MAX_SOURCE_BYTES)
            # What an importer makes lives on or is freed by its reference count: no
            # collection while it reads (see observer.collector).
            with collector.held():
                result = reader(path, data, book, codes)
            del data  # not kept while the next file is read and the sessions are written
            results.append(result if observer is None else with_observer(result, observer))
        except InputError as exc:
            bad.extend(exc.problems)
    if bad and not skip_bad:
        raise InputError(bad)
    results = [_linked(result) for result in results]
    seen: set[str] = set()
    for result in results:
        for session in result.sessions:
            if session.id in seen:
                raise InputError.one(str(target), "$", f"two sessions have the id {session.id!r}")
            seen.add(session.id)
    with collector.held():
        _write(target, results)
    for problem in bad:
        click.echo(safe(f"skipped: {problem}"), err=True)
    for result in results:
        for notice in result.notices:
            click.echo(safe(str(notice)), err=True)
    for result in results:
        if result.derived:
            click.echo(
                f"codebook {result.codebook.id} derived: {target}/codebook/{result.codebook.id}.json",
                err=True,
            )
    click.echo(f"imported {plural(len(seen), 'session')} into {target}/")


def _linked(result: Imported) -> Imported:
    """``result`` with each video its source links to made its session's ``media``, where
    the file is found (its size and quick hash read, its duration and frame rate from
    mpv); else a notice says why not."""
    if not result.media:
        return result
    import attrs

    from observer.media.identity import describe
    from observer.media.mpv import MediaError, probe_now
    from observer.sessionfile import session_from_data, unstructure

    sessions = {s.id: s for s in result.sessions}
    notices = list(result.notices)
    for link in result.media:
        found = next((p for p in link.candidates if _is_file(p)), None)
        if found is None:
            message = (
                f"media {link.url!r} not linked: not found beside the document (put the"
                " video there and import again, or line it up with observer replay --video)"
            )
            notices.append(Problem(link.source, link.where, message))
            continue
        try:
            duration, fps = probe_now(found)
            media = describe(found, duration, fps, link.offset)
            linked = attrs.evolve(sessions[link.session], media=media)
            sessions[link.session] = session_from_data(unstructure(linked), link.source)
        except MediaError as error:
            message = f"media {link.url!r} not linked: {error}"
            notices.append(Problem(link.source, link.where, message))
        except OSError as error:
            message = f"media {link.url!r} not linked: {found}: {error.strerror or error}"
            notices.append(Problem(link.source, link.where, message))
        except InputError as error:
            why = "; ".join(f"{p.location}: {p.message}" for p in error.problems)
            notices.append(
                Problem(link.source, link.where, f"media {link.url!r} not linked: {why}")
            )
        else:
            notices.append(Problem(link.source, link.where, f"media {link.url!r} linked: {found}"))
    kept = tuple(sessions[s.id] for s in result.sessions)
    return attrs.evolve(result, sessions=kept, notices=tuple(notices), media=())


def _is_file(path: Path) -> bool:
    """A regular file is there (a name too long, or one the OS cannot hold, is not)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _write(target: Path, results: list[Imported]) -> None:
    def fill(staging: Path) -> None:
        books = {r.codebook.id: r.codebook for r in results if r.derived}
        if books:
            jsonio.make_folders(staging / "codebook")
        for book in books.values():
            document = orjson.dumps(book.document, option=orjson.OPT_INDENT_2) + b"\n"
            jsonio.write_new(staging / "codebook" / f"{book.id}.json", document, mode=0o644)
        for result in results:
            for session in result.sessions:
                write_session(staging, session)

    write_new_folder(target, fill)
