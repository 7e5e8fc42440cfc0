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

from observer.export.tables import StatsFormat, stats_chunks
from observer.export.tabular import event_columns
from observer.scores import rating_cells, scores
from observer.sessionfile import Session, Status
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
        found = event_columns(session)
        found["segment"] = [s or None for s in found["segment"]]  # outside any: missing
        values["segment"].update(dict.fromkeys(s for s in found["segment"] if s))
        for name, column in found.items():
            cells[name].extend(column)
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
