"""BORIS's exported events (TSV or CSV) read as sessions, one per observation.

BORIS writes events in two layouts, both read here (the header row says which):

- *aggregated events*: one row per event, ``Observation id``, ``Subject``,
  ``Behavior``, ``Behavioral category``, ``Modifiers``, ``Behavior type`` (STATE or
  POINT), ``Start (s)``, ``Stop (s)``, ``Comment start``;
- *tabular events*: one row per press, ``Time``, ``Subject``, ``Behavior``, ``Comment``
  and ``Status`` or ``Behavior type`` (START, STOP or POINT), below a block naming the
  ``Observation id`` (or with it in a column). A START is paired with the next STOP of
  the same subject and behaviour; one left unpaired is refused with its line.

A behaviour of a subject is a code (its actor the subject, ``No focal subject`` an actor
of its own), each its own stream. BORIS's modifiers (``a|b``, one per modifier set,
``None`` for none chosen) become one modifier, ``modifiers``, holding the combination.
Comments become notes. With ``--codebook`` a behaviour must be one of its codes (by
id, by label, or through ``--map`` as ``subject/behavior`` or ``behavior``).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import attrs

from observer.codebook import Code, Codebook
from observer.errors import InputError, Problem
from observer.interchange.importers import Imported, new_session, origin, seconds, session_id
from observer.interchange.importers.derive import Found, derived_codebook, slug
from observer.sessionfile import (
    Event,
    Note,
    session_from_data,
    unstructure,
)

NO_SUBJECT = "No focal subject"
MODIFIER = "modifiers"

Row = dict[str, str]


@attrs.define
class Observation:
    """One observation's events as they are read (a START waits for its STOP)."""

    events: list[Event | Pending] = attrs.field(factory=list)
    notes: list[Note] = attrs.field(factory=list)


@attrs.frozen
class Pending:
    key: tuple[str, str, str]
    line: int
    start: float
    code: Code
    modifiers: dict[str, str]
    index: int
    """Its place in its observation's events (where its STOP puts the event)."""


def _table(data: bytes, name: str) -> tuple[list[tuple[int, list[str]]], str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.one(name, "$", "not UTF-8 text (BORIS writes UTF-8)") from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    rows = [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)]
    return rows, delimiter


def _records(data: bytes, name: str) -> Iterator[tuple[int, Row]]:
    """Each event row as {column: value}, with the observation id filled in."""
    rows, _ = _table(data, name)
    header: list[str] | None = None
    observation = ""
    for number, row in rows:
        cells = [c.strip() for c in row]
        if header is None:
            if cells[:1] == ["Observation id"] and len(cells) > 1 and "Subject" not in cells:
                observation = cells[1]
            if "Behavior" in cells and ("Time" in cells or "Start (s)" in cells):
                header = cells
            continue
        if not any(cells):
            continue
        record = dict(zip(header, cells, strict=False))
        record.setdefault("Observation id", observation)
        record["Observation id"] = record["Observation id"] or observation
        yield number, record
    if header is None:
        raise InputError.one(
            name, "$", "not a BORIS events export (no row naming Behavior and Time or Start (s))"
        )


def _modifiers(record: Row) -> str:
    return _combination(record.get("Modifiers", ""))


@functools.lru_cache(maxsize=4096)
def _combination(cell: str) -> str:
    """The modifiers cell as one value: its parts, ``None`` (none chosen) left out."""
    parts = [p.strip() for p in cell.split("|")]
    return "|".join(p for p in parts if p and p != "None")


def import_boris_events(
    path: Path, data: bytes, book: Codebook | None, codes: Mapping[str, str] | None = None
) -> Imported:
    name = str(path)
    records = list(_records(data, name))
    derived = book is None
    if book is None:
        book = _derive(path, records)
    problems: list[Problem] = []
    observations: dict[str, Observation] = {}
    open_states: dict[tuple[str, str, str], Pending] = {}
    code_of = _finder(book, derived, codes or {})
    for number, record in records:
        where = f"line {number}"
        kind = (record.get("Behavior type") or record.get("Status") or "").upper()
        obs = observations.get(record["Observation id"])
        if obs is None:
            obs = observations[record["Observation id"]] = Observation()
        subject, behavior = record.get("Subject", ""), record.get("Behavior", "")
        code = code_of(subject, behavior)
        if code is None:
            problems.append(Problem(name, f"{where}, column Behavior",
                                    f"{behavior!r} ({subject}) is not a code of {book.id}"))  # fmt: skip
            continue
        t = seconds(record.get("Start (s)") or record.get("Time", ""), name, where, problems)
        if t is None:
            continue
        if (code.kind == "point") != (kind == "POINT") and kind in ("STATE", "POINT", "START"):
            problems.append(Problem(name, f"{where}, column Behavior type",
                                    f"{kind} for {code.kind} code {code.id!r}"))  # fmt: skip
            continue
        mods = _chosen(book, code, _modifiers(record), name, where, problems)
        comment = record.get("Comment start") or record.get("Comment") or ""
        if comment:
            obs.notes.append(Note(t, comment))
        key = (record["Observation id"], subject, behavior)
        if kind == "STATE":
            stop = seconds(record.get("Stop (s)", ""), name, f"{where}, column Stop (s)", problems)
            if stop is not None:
                obs.events.append(Event(code.id, t, stop, mods))
        elif kind == "POINT":
            obs.events.append(Event(code.id, t, None, mods))
        elif kind == "START":
            if key in open_states:
                problems.append(Problem(name, where, f"a second START of {behavior!r} ({subject})"
                                        f" before the STOP of line {open_states[key].line}"))  # fmt: skip
            open_states[key] = Pending(key, number, t, code, mods, len(obs.events))
            obs.events.append(open_states[key])
        elif kind == "STOP":
            began = open_states.pop(key, None)
            if began is None:
                problems.append(Problem(name, where, f"a STOP of {behavior!r} ({subject})"
                                        " without its START"))  # fmt: skip
                continue
            obs.events[began.index] = Event(began.code.id, began.start, t, began.modifiers)
        else:
            problems.append(Problem(name, f"{where}, column Behavior type",
                                    f"{kind!r} is not STATE, POINT, START or STOP"))  # fmt: skip
    for (_, subject, behavior), pending in open_states.items():
        problems.append(Problem(name, f"line {pending.line}",
                                f"an unpaired START of {behavior!r} ({subject}): no STOP follows"))  # fmt: skip
    if problems:
        raise InputError(problems)
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    source = origin("boris-events", path, data)
    sessions = []
    for obs_id, obs in observations.items():
        events = (e for e in obs.events if isinstance(e, Event))
        session = new_session(book, source, session_id=session_id(Path(obs_id)), dyad=obs_id,
                              stamp=stamp, events=events, notes=obs.notes)  # fmt: skip
        sessions.append(session_from_data(unstructure(session), f"{name}: {obs_id}"))
    return Imported(tuple(sessions), book, derived)


@functools.lru_cache(maxsize=4096)
def _code_id(subject: str, behavior: str) -> str:
    return f"{_actor(subject)}.{slug(behavior, 'behavior')}"


@functools.lru_cache(maxsize=4096)
def _actor(subject: str) -> str:
    return slug(subject or NO_SUBJECT, "subject")


def _finder(
    book: Codebook, derived: bool, codes: Mapping[str, str]
) -> Callable[[str, str], Code | None]:
    """The code a subject's behaviour is (None: not one of the codebook's), looked up once
    for each pair."""
    by_label = {c.label: c for c in book.codes}
    found: dict[tuple[str, str], Code | None] = {}

    def code(subject: str, behavior: str) -> Code | None:
        pair = (subject, behavior)
        if pair not in found:
            if derived:
                found[pair] = book.code_by_id.get(_code_id(subject, behavior))
            else:
                wanted = codes.get(f"{subject}/{behavior}") or codes.get(behavior) or behavior
                found[pair] = book.code_by_id.get(wanted) or by_label.get(wanted)
        return found[pair]

    return code


def _chosen(
    book: Codebook, code: Code, combination: str, name: str, where: str, problems: list[Problem]
) -> dict[str, str]:
    if not combination:
        return {}
    for modifier_id in code.modifiers:
        modifier = book.modifier_by_id[modifier_id]
        for value in modifier.values:
            if combination in (value.id, value.label):
                return {modifier.id: value.id}
    problems.append(Problem(name, f"{where}, column Modifiers",
                            f"{combination!r} is no modifier value of {code.id!r}"))  # fmt: skip
    return {}


def _derive(path: Path, records: list[tuple[int, Row]]) -> Codebook:
    found = Found()
    for _, record in records:
        subject, behavior = record.get("Subject", ""), record.get("Behavior", "")
        kind = (record.get("Behavior type") or record.get("Status") or "").upper()
        code_id = _code_id(subject, behavior)
        found.code(code_id, label=behavior or code_id, actor=_actor(subject),
                   group=code_id, kind="point" if kind == "POINT" else "state")  # fmt: skip
        combination = _modifiers(record)
        if combination:
            value_id = found.value_id(MODIFIER, combination, slug(combination, "value"))
            found.value(code_id, MODIFIER, value_id, combination)
    return derived_codebook(path, found)
