"""observer's own CSV and TSV (``observer export --format csv|tsv``) read back.

Every column the export writes must be present. Rows group into sessions by the
``session`` column; with a codebook every ``code`` must be one of its codes, without
one the codebook is derived from the rows (codes with their label, group, actor
and kind; modifiers and their values as seen; segments as seen). Segment spans are
rebuilt from the ``segment`` column, so exporting the imported sessions again
writes the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.export.tabular import COLUMNS
from observer.interchange.importers import Imported, origin, seconds
from observer.interchange.importers.derive import Found, derived_codebook
from observer.sessionfile import (
    SCHEMA,
    CodebookRef,
    Event,
    SegmentSpan,
    Session,
    session_from_data,
    unstructure,
)

KEEPS_STATUS = ("complete", "recovered", "imported")


def import_csv(
    path: Path, data: bytes, book: Codebook | None, codes: Mapping[str, str] | None = None
) -> Imported:
    return _import(path, data, book, ",", "csv", codes or {})


def import_tsv(
    path: Path, data: bytes, book: Codebook | None, codes: Mapping[str, str] | None = None
) -> Imported:
    return _import(path, data, book, "\t", "tsv", codes or {})


def _rows(path: Path, data: bytes, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    name = str(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(name, f"byte {exc.start}", "not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise InputError.one(name, "line 1", "empty file: no header row")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError.one(name, "line 1", f"missing column(s): {', '.join(missing)}")
    index = {c: header.index(c) for c in COLUMNS}
    for line, row in enumerate(reader, start=2):
        if len(row) != len(header):
            raise InputError.one(
                name, f"line {line}", f"{len(row)} fields where the header has {len(header)}"
            )
        yield line, {c: row[i] for c, i in index.items()}


def _modifiers(value: str, name: str, where: str, problems: list[Problem]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in value.split(";") if value else ():
        key, eq, val = part.partition("=")
        if not eq or not key or not val:
            problems.append(Problem(name, where, f"modifier {part!r} is not name=value"))
        else:
            out[key] = val
    return out


def _import(
    path: Path, data: bytes, book: Codebook | None, delimiter: str, fmt: str,
    codes: Mapping[str, str],
) -> Imported:  # fmt: skip
    name = str(path)
    problems: list[Problem] = []
    sessions: dict[str, dict[str, Any]] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    for line, row in _rows(path, data, delimiter):
        if book is not None:
            row["code"] = codes.get(row["code"], row["code"])
        rows.append((line, row))
        if book is not None and row["code"] not in book.code_by_id:
            problems.append(
                Problem(name, f"line {line}, column code", f"unknown code {row['code']!r}")
            )
    if problems:
        raise InputError(problems)
    derived = book is None
    if book is None:
        book = _derive(path, rows)
    for line, row in rows:
        where = f"line {line}"
        start = seconds(row["start"], name, f"{where}, column start", problems)
        end = seconds(row["end"], name, f"{where}, column end", problems) if row["end"] else None
        mods = _modifiers(row["modifiers"], name, f"{where}, column modifiers", problems)
        if start is None:
            continue
        flags = tuple(f for f in row["flags"].split(";") if f)
        s = sessions.setdefault(
            row["session"],
            {"dyad": row["dyad"], "observer": row["observer"], "status": row["status"], "ev": []},
        )
        s["ev"].append((Event(row["code"], start, end, mods, flags), row["segment"], line))
    if problems:
        raise InputError(problems)
    out = []
    source = origin(fmt, path, data)
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    for sid, s in sessions.items():
        events = [e for e, _, _ in s["ev"]]
        last = max((e.end if e.end is not None else e.start) for e in events)
        status = s["status"] if s["status"] in KEEPS_STATUS else "imported"
        session = Session(
            schema=SCHEMA,
            id=sid,
            status=status,  # type: ignore[arg-type]
            codebook=CodebookRef(book.id, book.version, book.sha256, book.document),
            dyad=s["dyad"],
            observer=s["observer"],
            started_at=stamp,
            ended_at=stamp,
            duration=last,
            events=tuple(events),
            segments=_spans([(e.start, seg) for e, seg, _ in s["ev"]]),
            imported_from=source,
        )
        first = s["ev"][0][2]
        out.append(session_from_data(unstructure(session), f"{name}: line {first}"))
    return Imported(tuple(out), book, derived)


def _spans(starts: list[tuple[float, str]]) -> tuple[SegmentSpan, ...]:
    """Segment spans that give every event the segment its row names."""
    spans: list[SegmentSpan] = []
    current = ""
    for t, segment in starts:
        if segment == current:
            continue
        if current:
            spans[-1] = SegmentSpan(current, spans[-1].start, t)
        if segment:
            spans.append(SegmentSpan(segment, t, None))
        current = segment
    return tuple(spans)


def _derive(path: Path, rows: list[tuple[int, dict[str, str]]]) -> Codebook:
    """A codebook holding every code, actor, group, modifier and segment the rows name."""
    found = Found()
    for _, row in rows:
        found.code(
            row["code"], label=row["label"] or row["code"], actor=row["actor"],
            group=row["group"], kind=row["kind"],
        )  # fmt: skip
        if row["segment"]:
            found.segments.setdefault(row["segment"], row["segment"])
        for part in row["modifiers"].split(";") if row["modifiers"] else ():
            key, _, value = part.partition("=")
            found.value(row["code"], key, value, value)
    return derived_codebook(path, found)
