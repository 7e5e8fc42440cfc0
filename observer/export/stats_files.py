"""Events and ratings as SPSS ``.sav`` and Stata ``.dta`` files (the ``formats`` extra).

**Events**: the columns of the CSV export (:mod:`observer.export.tabular`), one row
per event, each with a variable label. ``code``, ``group``, ``actor``, ``kind``,
``segment`` and ``status`` are numbered categories whose value labels are the ids
(every code, group, actor and segment of the sessions' codebooks, in codebook order,
so a code never used is still labelled); the code's label is in ``label``. Times
are seconds (``end`` and ``duration`` missing for a point event).

**Ratings**: one row per session: ``session``, ``dyad``, ``observer``, then one
variable per rating item and composite (a segment-scoped one per segment,
``ITEM_SEGMENT``), labelled with the item's label; a category's values numbered with
their ids as value labels and, when its values have classes (the Strange Situation's
``A1``...``D`` in ``A``...``D``), a ``ITEM_class`` variable of the classes; a check
0/1 labelled no/yes; a composite computed.

pyreadstat writes a whole table at once, so both are built in memory (column by
column) from the sessions as they are read, then written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import get_args

from observer.export import modifier_text
from observer.export.tables import StatsFormat, stats_chunks
from observer.scores import rating_cells, scores
from observer.sessionfile import Session, Status, segment_finder
from observer.table import Column, Rows, Table

EVENT_LABELS = {
    "session": "Session id",
    "dyad": "Dyad",
    "observer": "Observer",
    "code": "Code (id)",
    "label": "Code label",
    "group": "Code group",
    "actor": "Actor",
    "kind": "Event kind",
    "start": "Onset (s, session clock)",
    "end": "Offset (s, session clock)",
    "duration": "Duration (s)",
    "modifiers": "Modifiers (name=value;...)",
    "segment": "Segment the event starts in",
    "status": "Session status",
    "flags": "Event flags",
}
_TEXT = ("session", "dyad", "observer", "label", "modifiers", "flags")
_NUMBERS = ("start", "end", "duration")


def events_table(sessions: Iterable[Session]) -> Table:
    """Every event of every session, with the category columns' values collected."""
    cells: dict[str, list[object]] = {name: [] for name in EVENT_LABELS}
    values: dict[str, dict[str, None]] = {
        "code": {},
        "group": {},
        "actor": {},
        "kind": {"point": None, "state": None},
        "segment": {},
        "status": dict.fromkeys(get_args(Status)),
    }
    for session in sessions:
        book = session.book
        values["code"].update(dict.fromkeys(c.id for c in book.codes))
        values["group"].update(dict.fromkeys(g.id for g in book.groups))
        values["actor"].update(dict.fromkeys(a.id for a in book.actors))
        values["segment"].update(dict.fromkeys(s.id for s in book.segments))
        codes = book.code_by_id
        segment_at = segment_finder(session)
        for event in session.events:
            code = codes[event.code]
            end = event.end
            segment = segment_at(event.start)
            if segment:
                values["segment"].setdefault(segment)
            mods = modifier_text(event.modifiers, code.modifiers) if event.modifiers else ""
            for name, value in (
                ("session", session.id),
                ("dyad", session.dyad),
                ("observer", session.observer),
                ("code", code.id),
                ("label", code.label),
                ("group", code.group),
                ("actor", code.actor),
                ("kind", code.kind),
                ("start", round(event.start, 6)),
                ("end", None if end is None else round(end, 6)),
                ("duration", None if end is None else max(0.0, round(end - event.start, 6))),
                ("modifiers", mods),
                ("segment", segment or None),
                ("status", session.status),
                ("flags", ";".join(event.flags)),
            ):
                cells[name].append(value)
    columns = []
    for name, label in EVENT_LABELS.items():
        if name in _TEXT:
            columns.append(Column(name, "text", label))
        elif name in _NUMBERS:
            columns.append(Column(name, "number", label))
        else:
            columns.append(Column(name, "category", label, tuple(values[name])))
    return Table(columns, [cells[c.name] for c in columns])  # type: ignore[misc]


def ratings_table(sessions: Iterable[Session]) -> Table:
    """One row per session: its ids, then every rating item and composite."""
    rows = Rows(
        [
            Column("session", "text", "Session id"),
            Column("dyad", "text", "Dyad"),
            Column("observer", "text", "Observer"),
        ]
    )
    for session in sessions:
        ids: list[tuple[Column, object]] = [
            (rows.columns["session"], session.id),
            (rows.columns["dyad"], session.dyad),
            (rows.columns["observer"], session.observer),
        ]
        book = session.book
        rows.add([*ids, *rating_cells(book, scores(book, session.ratings), wide=True)])  # type: ignore[list-item]
    return rows.table()


def _chunks(table: Table, fmt: StatsFormat) -> Iterator[bytes]:
    yield from stats_chunks(table, fmt, file_label="observer export")


def events_sav(sessions: Iterable[Session]) -> Iterator[bytes]:
    return _chunks(events_table(sessions), "sav")


def events_dta(sessions: Iterable[Session]) -> Iterator[bytes]:
    return _chunks(events_table(sessions), "dta")


def ratings_sav(sessions: Iterable[Session]) -> Iterator[bytes]:
    return _chunks(ratings_table(sessions), "sav")


def ratings_dta(sessions: Iterable[Session]) -> Iterator[bytes]:
    return _chunks(ratings_table(sessions), "dta")
