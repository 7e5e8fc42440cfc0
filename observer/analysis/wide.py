"""``observer stats --wide``: one row per session (or per session and segment), the
table an SPSS or Stata user analyses.

Columns: ``session, dyad, observer`` (with ``--by segment`` then ``segment, start,
end``: the whole session's row first, its segment empty), ``duration``, then for each
code of the codebook, in codebook order, ``CODE_count`` and ``CODE_rate`` (per
minute) and, for a state code, ``CODE_duration`` (total seconds) and ``CODE_mean``
(mean bout seconds): the figures of the long ``observer stats --format csv``
(``count``, ``rate_per_min``, ``total_s``, ``mean_s``); then each response window's
figures, in the whole session's row (:func:`observer.analysis.windows.window_cells`).
Then every rating item and
composite (:func:`observer.scores.rating_cells`): without ``--by`` all of them, a
segment-scoped one as ``ITEM_SEGMENT``; with it, each row the ones that belong to
it (the session-wide ones in the whole session's row, a segment's items in its row).
Sessions of several codebooks give the union of their columns, in the order first
seen; a column a session lacks is missing in its row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from observer.analysis.segments import SegmentStats
from observer.analysis.stats import SessionStats
from observer.analysis.windows import window_cells
from observer.codebook import Codebook
from observer.scores import rating_cells
from observer.sessionfile import Session
from observer.table import Cell, Column, Rows, Table

STAT_COLUMNS = (
    ("count", "count", "integer", "count"),
    ("rate", "rate_per_min", "number", "rate per minute"),
    ("duration", "total_s", "number", "total duration (s)"),
    ("mean", "mean_s", "number", "mean bout duration (s)"),
)
"""(column suffix, field of the long output, kind, what the label says)."""
_STATE_ONLY = frozenset({"duration", "mean"})

Part = tuple[Session, SessionStats, Sequence[SegmentStats] | None]


def stats_cells(book: Codebook, result: SessionStats) -> list[tuple[Column, Cell]]:
    out: list[tuple[Column, Cell]] = []
    for figures in result.codes:
        code = book.code_by_id[figures.code]
        for suffix, field, kind, what in STAT_COLUMNS:
            if suffix in _STATE_ONLY and code.kind != "state":
                continue
            column = Column(f"{code.id}_{suffix}", kind, f"{code.label} ({code.id}): {what}")  # type: ignore[arg-type]
            out.append((column, getattr(figures, field)))
    return out


def wide_table(parts: Iterable[Part], by_segment: bool) -> Table:
    """The rows of every session as it is read (each row is kept, not its events)."""
    place = (
        [
            Column("segment", "text", "Segment (empty: the whole session)"),
            Column("start", "number", "Segment start (s)"),
            Column("end", "number", "Segment end (s)"),
        ]
        if by_segment
        else []
    )
    head = [
        Column("session", "text", "Session id"),
        Column("dyad", "text", "Dyad"),
        Column("observer", "text", "Observer"),
        *place,
        Column("duration", "number", "Duration (s)"),
    ]
    rows = Rows(head)
    for session, whole, segments in parts:
        book = session.book
        ids: list[tuple[Column, Cell]] = [
            (head[0], session.id),
            (head[1], session.dyad),
            (head[2], session.observer),
        ]
        if not by_segment:
            rows.add(
                [
                    *ids,
                    (head[-1], whole.duration),
                    *stats_cells(book, whole),
                    *window_cells(session),
                    *rating_cells(book, whole.ratings, wide=True),
                ]
            )
            continue
        spans: list[tuple[str, float, float, SessionStats, str | None]] = [
            ("", 0.0, session.duration, whole, None)
        ]
        spans += [(p.segment, p.start, p.end, p.stats, p.segment) for p in segments or ()]
        for name, start, end, result, segment in spans:
            rows.add(
                [
                    *ids,
                    (place[0], name),
                    (place[1], start),
                    (place[2], end),
                    (head[-1], result.duration),
                    *stats_cells(book, result),
                    *(window_cells(session) if segment is None else ()),
                    *rating_cells(book, whole.ratings, segment, wide=False),
                ]
            )
    return rows.table()
