"""Ratings as CSV or TSV: one row per session, item (or composite) and segment.

Columns: ``session, dyad, observer, rating, label, kind, segment, value, class``.
``kind`` is ``scale``, ``category``, ``check`` or ``composite`` (computed from
its items, never stored); ``segment`` is empty for a session-wide item; ``value``
is the number, the category's value id, ``yes``/``no`` for a check, or empty when
not rated; ``class`` is a category value's class (empty otherwise). The long
shape reads as-is into R (``tidyr::pivot_wider``) or pandas (``pivot``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from observer.scores import flat, label_of, plain, scores
from observer.sessionfile import Session

COLUMNS = ("session", "dyad", "observer", "rating", "label", "kind", "segment", "value", "class")


def ratings_bytes(sessions: Iterable[Session], delimiter: str = ",") -> bytes:
    return rows_bytes(rating_rows(sessions), delimiter)


def rows_bytes(rows: Iterable[tuple[Any, ...]], delimiter: str = ",") -> bytes:
    """The header and ``rows`` (from :func:`rating_rows`) as CSV or TSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def rating_rows(sessions: Iterable[Session]) -> list[tuple[Any, ...]]:
    """One row of :data:`COLUMNS` per session, item (or composite) and segment."""
    rows: list[tuple[Any, ...]] = []
    for session in sessions:
        book = session.book
        for name, segment, value in flat(book, scores(book, session.ratings)):
            rating = book.rating_by_id.get(name)
            kind = "composite" if rating is None else rating.kind
            cls = rating.class_of(value) if rating is not None else None
            rows.append(
                (
                    session.id,
                    session.dyad,
                    session.observer,
                    name,
                    label_of(book, name),
                    kind,
                    segment or "",
                    plain(value),
                    cls or "",
                )
            )
    return rows
