"""Lanes and columns: where each event falls on a timeline drawn in terminal cells.

A *lane* holds one stream's events (one (group, actor) pair of the codebook) from
one session, in start order, with a running maximum of their ends so that every
query "which events touch [t0, t1]" is a bisection plus a short backward scan.
``lane_cells`` maps a time window onto ``width`` columns: column ``c`` covers
``[t0 + c·dt, t0 + (c+1)·dt)`` with ``dt = span / width``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from observer.codebook import Codebook, Stream
    from observer.sessionfile import Event


ZOOMS: tuple[float, ...] = (5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400)
"""Window spans in seconds, narrow to wide; the widest useful one covers the session."""
INITIAL_SPAN = 60.0
"""The window a replay opens with."""

_TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)


@attrs.frozen
class Lane:
    """One stream's events of one session (``side`` "A"/"B" in compare mode, else "")."""

    stream: Stream
    side: str
    source: int
    """Which session: 0 (the one replayed) or 1 (the one compared with it)."""
    events: tuple[int, ...]
    """Indices into that session's events, by start."""
    starts: tuple[float, ...]
    reach: tuple[float, ...]
    """``reach[i]``: the latest end (or point time) among ``events[: i + 1]``."""

    @property
    def label(self) -> str:
        return f"{self.side} {self.stream.id}" if self.side else self.stream.id


def make_lane(
    stream: Stream, events: Sequence[Event], indices: Sequence[int], side: str = "", source: int = 0
) -> Lane:
    starts: list[float] = []
    reach: list[float] = []
    latest = -math.inf
    for i in indices:
        event = events[i]
        starts.append(event.start)
        latest = max(latest, event.start if event.end is None else event.end)
        reach.append(latest)
    return Lane(stream, side, source, tuple(indices), tuple(starts), tuple(reach))


def build_lanes(
    book: Codebook,
    events: Sequence[Event],
    *,
    codes: frozenset[str] | None = None,
    side: str = "",
    source: int = 0,
) -> list[Lane]:
    """One lane per stream in codebook order, keeping only ``codes`` when given.

    A stream whose codes are all filtered out gets no lane.
    """
    stream_of = {c.id: c.stream for c in book.codes}
    members: dict[str, list[int]] = {s.id: [] for s in book.streams}
    for i, event in enumerate(events):
        if codes is None or event.code in codes:
            members[stream_of[event.code]].append(i)
    lanes = []
    for stream in book.streams:
        if codes is not None and not any(c.id in codes for c in stream.codes):
            continue
        lanes.append(make_lane(stream, events, members[stream.id], side, source))
    return lanes


def interleave(a: Sequence[Lane], b: Sequence[Lane]) -> list[Lane]:
    """Compare mode: each stream's lane of A directly above the same stream's lane of B."""
    by_stream = {lane.stream.id: lane for lane in b}
    out: list[Lane] = []
    for lane in a:
        out.append(lane)
        if lane.stream.id in by_stream:
            out.append(by_stream.pop(lane.stream.id))
    out.extend(by_stream.values())
    return out


def overlapping(lane: Lane, events: Sequence[Event], t0: float, t1: float) -> Iterator[int]:
    """Indices (into ``events``) of the lane's events touching [t0, t1], latest start first."""
    i = bisect_right(lane.starts, t1) - 1
    while i >= 0 and lane.reach[i] >= t0:
        index = lane.events[i]
        event = events[index]
        if (event.start if event.end is None else event.end) >= t0:
            yield index
        i -= 1


@attrs.frozen
class Cell:
    """What one column of a lane shows."""

    state: str | None = None
    """The state code covering most of the column, if any."""
    onset: bool = False
    """That state's bout begins in this column."""
    point: str | None = None
    """A point code in the column (the earliest)."""
    points: int = 0
    """How many point events fall in the column."""
    narrow: bool = False
    """A bout too short to cover most of any column begins in this column."""


EMPTY = Cell()


def column_of(t: float, t0: float, span: float, width: int) -> int:
    """The column of time ``t`` (may lie outside 0..width-1)."""
    return math.floor((t - t0) * width / span + 1e-9)


def lane_cells(
    lane: Lane, events: Sequence[Event], t0: float, span: float, width: int
) -> list[Cell]:
    """The lane drawn over ``[t0, t0 + span)`` in ``width`` columns."""
    if width <= 0:
        return []
    dt = span / width
    t1 = t0 + span
    cover = [0.0] * width
    state: list[str | None] = [None] * width
    point: list[str | None] = [None] * width
    points = [0] * width
    bouts: list[tuple[int, int, str]] = []
    for index in overlapping(lane, events, t0, t1):
        event = events[index]
        if event.end is None:
            c = column_of(event.start, t0, span, width)
            if 0 <= c < width:
                points[c] += 1
                point[c] = event.code  # scanning latest first: the earliest wins
            continue
        first = max(0, column_of(event.start, t0, span, width))
        # The end is exclusive: a bout ending on a column boundary stops before it.
        last = min(width - 1, max(first, math.ceil((event.end - t0) * width / span - 1e-9) - 1))
        for c in range(first, last + 1):
            left = t0 + c * dt
            amount = min(event.end, left + dt) - max(event.start, left)
            if state[c] is None or amount > cover[c]:
                cover[c], state[c] = amount, event.code
        if event.start >= t0 and first <= last:
            bouts.append((first, last, event.code))
    onset, narrow = _onsets(bouts, state, width)
    return [
        Cell(state[c], onset[c], point[c], points[c], narrow[c]) if state[c] or points[c] else EMPTY
        for c in range(width)
    ]


def _onsets(
    bouts: list[tuple[int, int, str]], state: list[str | None], width: int
) -> tuple[list[bool], list[bool]]:
    """Where each bout's letter goes: the first column it covers most of. A bout that
    covers no column most is marked (``narrow``) where it begins; a letter moves past
    such a mark to the bout's next column, or takes the mark's place if it has none."""
    onset, narrow = [False] * width, [False] * width
    owned = []
    for first, last, code in bouts:
        column = next((c for c in range(first, last + 1) if state[c] == code), None)
        if column is None:
            narrow[first] = True
        else:
            owned.append((column, last, code))
    for column, last, code in owned:
        free = (c for c in range(column, last + 1) if state[c] == code and not narrow[c])
        c = next(free, column)  # the mark gives way when the bout has no other column
        onset[c], narrow[c] = True, False
    return onset, narrow


def zoom_index(span: float) -> int:
    """The position in ZOOMS of the nearest span not narrower than ``span``."""
    for i, z in enumerate(ZOOMS):
        if z >= span - 1e-9:
            return i
    return len(ZOOMS) - 1


def place_window(t: float, t0: float, span: float, duration: float) -> float:
    """Keep the window while ``t`` is inside it; else page so ``t`` sits a tenth in."""
    if t0 <= t < t0 + span or (t >= duration and t0 <= t <= t0 + span):
        return t0
    return clamp_window(t - span * 0.1, span, duration)


def center_window(t: float, span: float, duration: float) -> float:
    return clamp_window(t - span / 2, span, duration)


def clamp_window(t0: float, span: float, duration: float) -> float:
    return max(0.0, min(t0, max(0.0, duration - span * 0.9)))


def tick_step(span: float, width: int, min_columns: int = 12) -> float:
    """A round tick interval leaving at least ``min_columns`` columns between ticks."""
    for step in _TICK_STEPS:
        if step * width / span >= min_columns:
            return step
    return _TICK_STEPS[-1] * math.ceil(span * min_columns / width / _TICK_STEPS[-1])


def ticks(t0: float, span: float, width: int) -> list[tuple[int, float]]:
    """(column, time) of every tick mark inside the window."""
    step = tick_step(span, width)
    t = math.ceil(t0 / step - 1e-9) * step
    out = []
    while t < t0 + span:
        c = column_of(t, t0, span, width)
        if 0 <= c < width:
            out.append((c, t))
        t += step
    return out
