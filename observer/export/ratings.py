"""Ratings as CSV or TSV: one row per session, item (or composite) and segment.

Columns: ``session, dyad, observer, rating, label, kind, segment, value, class``.
``kind`` is ``scale``, ``category``, ``check``, ``allocation``, ``composite``
(computed from its items, never stored) or ``pair`` (a classification with its
forced alternative, ``D/B3``); ``segment`` is empty for a session-wide item;
``value`` is the number, the category's value id, ``yes``/``no`` for a check, or
empty when not rated; ``class`` is a category value's class (empty otherwise). An
allocation has one row per part, its ``rating`` ``ITEM.PART`` and ``value`` the
part's points: pivoted, one column per part. The long shape reads as-is into R
(``tidyr::pivot_wider``) or pandas (``pivot``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from observer.scores import flat, label_of, plain, scores
from observer.sessionfile import Session

COLUMNS = ("session", "dyad", "observer", "rating", "label", "kind", "segment", "value", "class")


def ratings_bytes(sessions: Iterable[Session], delimiter: str = ",") -> bytes:
    return b"".join(ratings_chunks(sessions, delimiter))


def ratings_chunks(sessions: Iterable[Session], delimiter: str = ",") -> Iterator[bytes]:
    """The header, then each session's rows as soon as the session is read."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    for session in sessions:
        book = session.book
        for name, segment, value in flat(book, scores(book, session.ratings)):
            rating = book.rating_by_id.get(name)
            head = (session.id, session.dyad, session.observer)
            if rating is not None and rating.kind == "allocation":
                given = value if isinstance(value, dict) else {}
                for part in rating.parts:
                    writer.writerow(
                        (
                            *head,
                            f"{name}.{part.id}",
                            f"{rating.label}: {part.label}",
                            "allocation",
                            segment or "",
                            plain(given.get(part.id)),
                            "",
                        )
                    )
                continue
            kind = rating.kind if rating is not None else "pair" if "/" in name else "composite"
            cls = rating.class_of(value) if rating is not None else None
            writer.writerow(
                (*head, name, label_of(book, name), kind, segment or "", plain(value), cls or "")
            )
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    yield out.getvalue().encode("utf-8")  # the header alone, for no session


def csv_chunks(sessions: Iterable[Session]) -> Iterator[bytes]:
    """``--format ratings-csv``."""
    return ratings_chunks(sessions, ",")


def tsv_chunks(sessions: Iterable[Session]) -> Iterator[bytes]:
    """``--format ratings-tsv``."""
    return ratings_chunks(sessions, "\t")
