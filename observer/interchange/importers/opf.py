"""Datavyu spreadsheets (``.opf``) read as sessions, one per file.

An ``.opf`` is a zip holding ``db`` (the spreadsheet as text: a ``#4`` version line,
then for each column a header ``NAME (MATRIX,VISIBLE,)-ARG|TYPE,ARG|TYPE`` and one
line per cell ``HH:MM:SS:mmm,HH:MM:SS:mmm,(VALUE,VALUE)``, commas and parentheses in
values escaped with a backslash), ``project`` (YAML naming the video) and one file per
video viewer (``fps=...``). No maintained library reads it, so this module does; the
zip is read with the standard library, and its size is bounded before anything is
unpacked.

Each column is a stream: its cells are state events (a cell whose onset equals its
offset is a point; a column with both becomes a state code and a ``.point`` code), its
arguments the event's modifiers (an empty argument, or Datavyu's ``<name>``
placeholder, is no modifier). Without ``--codebook`` the codebook is derived: a code
per column, its actor and group the column. With it, each column must be one of its
codes (by id, by label, or through ``--map``), each argument one of the code's
modifiers and each value one of its values (by id or label).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import attrs

from observer.codebook import Code, Codebook, Modifier
from observer.errors import InputError, Problem
from observer.interchange.importers import (
    MAX_SOURCE_BYTES,
    Imported,
    new_session,
    origin,
    session_id,
)
from observer.interchange.importers.derive import Found, derived_codebook, slug
from observer.sessionfile import (
    Event,
    session_from_data,
    unstructure,
)

_HEADER = re.compile(r"(?P<name>.+?) \((?P<type>[A-Z]+),(?:true|false),[^)]*\)-(?P<args>.*)")
_CELL = re.compile(r"(\d+):(\d\d):(\d\d):(\d\d\d),(\d+):(\d\d):(\d\d):(\d\d\d),\((?P<values>.*)\)")
_FPS = re.compile(rb"^fps=([0-9.]+)\s*$", re.M)
_FEED = re.compile(r"^\s*feed:\s*(.+?)\s*$", re.M)


@attrs.frozen
class Cell:
    line: int
    onset: float
    offset: float
    values: tuple[str, ...]


@attrs.frozen
class Column:
    name: str
    line: int
    args: tuple[str, ...]
    cells: tuple[Cell, ...]


def _split(values: str) -> tuple[str, ...]:
    """A cell's values, split on unescaped commas, escapes undone."""
    out, current, escaped = [], [], False
    for ch in values:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return tuple(v.strip() for v in out)


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def _members(data: bytes, name: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError.one(name, "$", "not an OPF (a Datavyu spreadsheet is a zip)") from None
    with archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MAX_SOURCE_BYTES:
            raise InputError.one(name, "$", "unpacks to more than 512 MiB: refused")
        if "db" not in {i.filename for i in infos}:
            raise InputError.one(name, "$", "not an OPF: the zip holds no 'db' spreadsheet")
        try:
            return {i.filename: archive.read(i) for i in infos if not i.is_dir()}
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InputError.one(name, "$", f"a damaged zip: {exc}") from None


def parse_db(text: str, name: str) -> list[Column]:
    """The spreadsheet's columns and cells; every line that is neither is a problem."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("#"):
        raise InputError.one(name, "db: line 1", "not a Datavyu spreadsheet (no '#4' version)")
    problems: list[Problem] = []
    columns: list[Column] = []
    current: tuple[str, int, tuple[str, ...]] | None = None
    cells: list[Cell] = []
    for number, line in enumerate(lines[1:], start=2):
        where = f"db: line {number}"
        if not line.strip():
            continue
        cell = _CELL.fullmatch(line)
        if cell is not None:
            if current is None:
                problems.append(Problem(name, where, "a cell before any column"))
                continue
            g = cell.groups()
            onset, offset = _seconds(*g[0:4]), _seconds(*g[4:8])
            if offset < onset:
                problems.append(Problem(name, where, "the cell's offset is before its onset"))
                continue
            cells.append(Cell(number, onset, offset, _split(cell["values"])))
            continue
        header = _HEADER.fullmatch(line)
        if header is None:
            problems.append(Problem(name, where, "neither a column header nor a cell"))
            continue
        if current is not None:
            columns.append(Column(current[0], current[1], current[2], tuple(cells)))
        args = tuple(a.split("|", 1)[0] for a in header["args"].split(",") if a)
        current, cells = (header["name"], number, args), []
    if current is not None:
        columns.append(Column(current[0], current[1], current[2], tuple(cells)))
    if problems:
        raise InputError(problems)
    return columns


def _empty(value: str, arg: str) -> bool:
    return value == "" or value == f"<{arg}>"


def import_opf(
    path: Path, data: bytes, book: Codebook | None, codes: Mapping[str, str] | None = None
) -> Imported:
    name = str(path)
    members = _members(data, name)
    try:
        text = members["db"].decode("utf-8")
    except UnicodeDecodeError:
        raise InputError.one(name, "db", "not UTF-8 text") from None
    columns = parse_db(text, name)
    derived = book is None
    if book is None:
        book = _derive(path, columns)
    events, problems = _events(name, columns, book, {} if derived else codes or {}, derived)
    if problems:
        raise InputError(problems)
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    fps = next((float(m) for d in members.values() for m in _FPS.findall(d)), None)
    source = attrs.evolve(origin("opf", path, data), fps=fps)
    session = new_session(book, source, session_id=session_id(path), dyad=path.stem,
                          stamp=stamp, events=events)  # fmt: skip
    notices = []
    project = members.get("project", b"").decode("utf-8", "replace")
    for feed in _FEED.findall(project):
        message = f"video {feed!r} not linked (open it with observer replay --video to line it up)"
        notices.append(Problem(name, "project.viewerSettings.feed", message))
    checked = session_from_data(unstructure(session), name)
    return Imported((checked,), book, derived, tuple(notices))


def _column_code(column: Column, point: bool) -> str:
    base = slug(column.name, "column")
    return f"{base}.point" if point else base


def _derive(path: Path, columns: list[Column]) -> Codebook:
    found = Found()
    for column in columns:
        stream = slug(column.name, "column")
        kinds = {c.onset == c.offset for c in column.cells} or {False}
        for point in sorted(kinds):
            code_id = _column_code(column, point)
            label = f"{column.name} (points)" if point and len(kinds) == 2 else column.name
            found.code(code_id, label=label, actor=stream, group=stream,
                       kind="point" if point else "state")  # fmt: skip
        for cell in column.cells:
            code_id = _column_code(column, cell.onset == cell.offset)
            for arg, value in zip(column.args, cell.values, strict=False):
                if not _empty(value, arg):
                    value_id = _value_id(found, slug(arg, "arg"), value)
                    found.value(code_id, slug(arg, "arg"), value_id, value)
    return derived_codebook(path, found)


def _value_id(found: Found, modifier: str, value: str) -> str:
    """The id of ``value`` among ``modifier``'s values: the same value keeps one id."""
    return found.value_id(modifier, value, slug(value, "value"))


def _events(
    name: str, columns: list[Column], book: Codebook, codes: Mapping[str, str], derived: bool
) -> tuple[list[Event], list[Problem]]:
    by_label = {c.label: c for c in book.codes}
    events: list[Event] = []
    problems: list[Problem] = []
    for column in columns:
        at = f"db: line {column.line}"
        wanted = codes.get(column.name, column.name)
        mapped = book.code_by_id.get(wanted) or by_label.get(wanted)
        if mapped is None and not derived:
            problems.append(Problem(name, at, f"column {column.name!r} is not a code of {book.id}"))
            continue
        last_end = -1.0
        for cell in column.cells:
            where = f"db: line {cell.line}"
            point = cell.onset == cell.offset
            code = book.code_by_id[_column_code(column, point)] if derived else mapped
            assert code is not None
            if code.kind == "state" and point:
                problems.append(
                    Problem(name, where, f"a cell without length for state {code.id!r}")
                )
                continue
            if code.kind == "state":
                if cell.onset < last_end:
                    problems.append(Problem(name, where, "overlaps the column's previous cell"))
                last_end = cell.offset
            modifiers = _modifiers(name, where, column, cell, code, book, problems)
            end = None if code.kind == "point" else cell.offset
            events.append(Event(code.id, cell.onset, end, modifiers))
    return events, problems


def _modifiers(
    name: str, where: str, column: Column, cell: Cell, code: Code, book: Codebook,
    problems: list[Problem],
) -> dict[str, str]:  # fmt: skip
    out: dict[str, str] = {}
    for arg, value in zip(column.args, cell.values, strict=False):
        if _empty(value, arg):
            continue
        modifier = _modifier(book, code, arg)
        if modifier is None:
            problems.append(Problem(name, where, f"argument {arg!r} is no modifier of {code.id!r}"))
            continue
        chosen = next((v for v in modifier.values if value in (v.id, v.label)), None)
        if chosen is None:
            problems.append(Problem(name, where, f"{value!r} is not a value of {modifier.id!r}"))
            continue
        out[modifier.id] = chosen.id
    return out


def _modifier(book: Codebook, code: Code, arg: str) -> Modifier | None:
    for modifier_id in code.modifiers:
        modifier = book.modifier_by_id[modifier_id]
        if arg in (modifier.id, modifier.label) or slug(arg, "arg") == modifier.id:
            return modifier
    return None
