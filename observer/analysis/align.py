"""Event alignment of two observers' codings: the pairs the ``event`` κ counts.

Within each stream (one group × actor) the two onset-sorted event lists are
aligned globally (Needleman–Wunsch): pairing two events costs 0 when their codes
are equal and 1 when they differ, leaving an event unpaired costs 1.5, so one
disagreement beats an omission plus a commission. Two events may pair only when
their onsets differ by at most ``tolerance`` seconds.

Equivalently, the alignment maximises the saving of its pairs over leaving
everything unpaired (3 for an equal pair, 2 for an unequal one). Ties are broken
deterministically: first by the smaller total onset difference of the pairs
(times compared in whole microseconds, exactly), then, walking back from the
end, by preferring a pair, then leaving A's event unpaired, then B's.

Because both lists are sorted and pairing needs |Δonset| ≤ tolerance, the cells
where a pair is possible form a staircase band; only that band is computed
(outside it a row's best value is known without computing), so the cost grows
with the number of events times the events within the tolerance, never m × n.

The replay screen's compare mode uses :func:`align_sessions` to show exactly
what the statistic counted.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Literal

import attrs

from observer.sessionfile import Session

Kind = Literal["agreement", "disagreement", "omission", "commission"]

_DIAGONAL, _UP, _LEFT = 0, 1, 2
SAVING_EQUAL, SAVING_UNEQUAL = 3, 2
MAX_BAND_CELLS = 20_000_000
"""Refuse tolerances so wide that the band approaches the full m × n table."""


@attrs.frozen
class Pair:
    """One aligned item: ``a``/``b`` index ``session.events`` of A and B (None: unpaired)."""

    stream: str
    a: int | None
    b: int | None
    kind: Kind


def micros(t: float) -> int:
    return round(t * 1_000_000)


# A DP row: (start, values, moves, banded). ``values[k]`` is S[i][start + k]; left of
# ``start`` the row equals the previous row, right of its band it keeps its last
# value; an unbanded row (no B event within tolerance) equals the previous row.
_Row = tuple[int, list[int], list[int], bool]


def align_events(
    a: Sequence[tuple[int, str]], b: Sequence[tuple[int, str]], tolerance_us: int
) -> list[tuple[int | None, int | None]]:
    """Align two onset-sorted lists of (onset in µs, code); pairs of list positions."""
    m, n = len(a), len(b)
    b_times = [t for t, _ in b]
    scale = (min(m, n) + 1) * (tolerance_us + 1)
    equal, unequal = SAVING_EQUAL * scale, SAVING_UNEQUAL * scale
    cells = sum(
        bisect_right(b_times, t + tolerance_us) - bisect_left(b_times, t - tolerance_us)
        for t, _ in a
    )
    if cells > MAX_BAND_CELLS:
        raise ValueError(
            f"the tolerance makes {cells:,} candidate pairs (at most {MAX_BAND_CELLS:,}): "
            "use a smaller tolerance"
        )
    rows: list[_Row] = [(0, [0], [_LEFT], False)]
    for t_a, code_a in a:
        lo = bisect_left(b_times, t_a - tolerance_us) + 1
        hi = bisect_right(b_times, t_a + tolerance_us)
        p_start, p_values, p_moves, _ = previous = rows[-1]
        if lo > hi:
            rows.append((p_start, p_values, p_moves, False))
            continue
        p_len, p_last = len(p_values), p_values[-1]
        k = lo - 1 - p_start
        diagonal = p_values[k] if k < p_len else p_last
        values, moves = [diagonal], [_UP]
        left = diagonal
        for j in range(lo, hi + 1):
            t_b, code_b = b[j - 1]
            best = diagonal + (equal if code_a == code_b else unequal) - abs(t_a - t_b)
            move = _DIAGONAL
            k += 1
            up = p_values[k] if k < p_len else p_last
            if up > best:
                best, move = up, _UP
            if left > best:
                best, move = left, _LEFT
            values.append(best)
            moves.append(move)
            diagonal, left = up, best
        del previous
        rows.append((lo - 1, values, moves, True))
    return _trace(rows, m, n)


def _value(row: _Row, j: int) -> int:
    """S[i][j] for a column at or right of the row's start."""
    start, values = row[0], row[1]
    k = j - start
    return values[k] if k < len(values) else values[-1]


def _trace(rows: list[_Row], m: int, n: int) -> list[tuple[int | None, int | None]]:
    """Walk back from (m, n): a pair, else A's event unpaired, else B's, on ties."""
    out: list[tuple[int | None, int | None]] = []
    i, j = m, n
    while i > 0 or j > 0:
        if i == 0:
            out.append((None, j - 1))
            j -= 1
            continue
        if j == 0:
            out.append((i - 1, None))
            i -= 1
            continue
        start, values, moves, banded = rows[i]
        k = j - start
        if not banded or k <= 0:
            move = _UP
        elif k < len(values):
            move = moves[k]
        else:
            move = _UP if _value(rows[i - 1], j) == values[-1] else _LEFT
        if move == _DIAGONAL:
            out.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif move == _UP:
            out.append((i - 1, None))
            i -= 1
        else:
            out.append((None, j - 1))
            j -= 1
    out.reverse()
    return out


def stream_indices(session: Session, streams: dict[str, str]) -> dict[str, list[int]]:
    """Indices into ``session.events`` per stream id, in onset order."""
    out: dict[str, list[int]] = {}
    for index, event in enumerate(session.events):
        out.setdefault(streams[event.code], []).append(index)
    return out


def align_stream(a: Session, b: Session, stream: str, tolerance: float = 2.0) -> list[Pair]:
    """The alignment of one stream (``"group/actor"``), sorted by the earlier onset of each pair."""
    streams = {c.id: c.stream for c in a.book.codes}
    a_idx = stream_indices(a, streams).get(stream, [])
    b_idx = stream_indices(b, streams).get(stream, [])
    return _pairs(a, b, stream, a_idx, b_idx, tolerance)


def onset(a: Session, b: Session, pair: Pair) -> float:
    """A pair's time: the earlier onset of its events."""
    if pair.a is None:
        return b.events[pair.b].start if pair.b is not None else 0.0
    if pair.b is None:
        return a.events[pair.a].start
    return min(a.events[pair.a].start, b.events[pair.b].start)


def _pairs(
    a: Session, b: Session, stream: str, a_idx: list[int], b_idx: list[int], tolerance: float
) -> list[Pair]:
    """Aligned pairs sorted by time (stable, so ties keep the alignment's order;
    pairs themselves never cross, so their order is the alignment's)."""
    ea, eb = a.events, b.events
    a_items = [(round(ea[i].start * 1_000_000), ea[i].code) for i in a_idx]
    b_items = [(round(eb[j].start * 1_000_000), eb[j].code) for j in b_idx]
    keyed: list[tuple[int, int, Pair]] = []
    for position, (x, y) in enumerate(align_events(a_items, b_items, micros(tolerance))):
        if x is None:
            assert y is not None
            t, pair = b_items[y][0], Pair(stream, None, b_idx[y], "commission")
        elif y is None:
            t, pair = a_items[x][0], Pair(stream, a_idx[x], None, "omission")
        else:
            (ta, ca), (tb, cb) = a_items[x], b_items[y]
            kind: Kind = "agreement" if ca == cb else "disagreement"
            t, pair = min(ta, tb), Pair(stream, a_idx[x], b_idx[y], kind)
        keyed.append((t, position, pair))
    keyed.sort(key=lambda item: item[:2])
    return [pair for _, _, pair in keyed]


def align_by_stream(a: Session, b: Session, tolerance: float = 2.0) -> dict[str, list[Pair]]:
    """Every stream of A's codebook (codebook order) with its alignment."""
    streams = {c.id: c.stream for c in a.book.codes}
    a_by = stream_indices(a, streams)
    b_by = stream_indices(b, streams)
    return {
        s.id: _pairs(a, b, s.id, a_by.get(s.id, []), b_by.get(s.id, []), tolerance)
        for s in a.book.streams
    }


def align_sessions(
    a: Session,
    b: Session,
    tolerance: float = 2.0,
    *,
    by_stream: dict[str, list[Pair]] | None = None,
) -> list[Pair]:
    """All streams' pairs, sorted by time (the earlier onset of the pair), then stream.

    Streams come from A's codebook; B's codes are looked up there (the agreement
    command has already refused sessions whose codebooks differ in their codes).
    ``by_stream``: :func:`align_by_stream`'s result, if already computed.
    """
    if by_stream is None:
        by_stream = align_by_stream(a, b, tolerance)
    order = {s.id: k for k, s in enumerate(a.book.streams)}
    keyed = [
        (onset(a, b, pair), order[stream], position, pair)
        for stream, pairs in by_stream.items()
        for position, pair in enumerate(pairs)
    ]
    keyed.sort(key=lambda item: item[:3])
    return [item[3] for item in keyed]
