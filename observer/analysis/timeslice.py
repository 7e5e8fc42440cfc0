"""Time slices of the BORIS-compatible ``timeslice`` method (docs/analysis.md).

t runs from the earliest event start to the latest event end over both
sessions, in steps of ``unit`` (t = first + k·unit while t ≤ last). At each t an
actor's label is the sorted list of that actor's codes active at t: a state when
start ≤ t ≤ end, a point when |start − t| ≤ unit/2; the empty list is a label
too. As in BORIS, a code active twice at t (two points within unit/2 of t, or a
bout ending at the instant another bout of the same code starts) is listed
twice: BORIS's published K values (0.807 at 1 s and 0.816 at 0.5 s on the
shared synthetic pair) are reproduced only with repeats kept.
Times are compared in whole microseconds, so slice boundaries are exact. One
sweep over the events: the cost is the number of (slice, code) hits, not
slices × events.
"""

from __future__ import annotations

from collections.abc import Sequence

from observer.analysis.align import micros
from observer.analysis.timeunit import add_label
from observer.sessionfile import Session


def span(sessions: Sequence[Session]) -> tuple[int, int] | None:
    """(first start, last end) over the sessions' events in µs; None without events."""
    starts = [micros(s.events[0].start) for s in sessions if s.events]
    if not starts:
        return None
    last = max(e.start if e.end is None else e.end for s in sessions for e in s.events)
    return min(starts), micros(last)


def slice_labels(
    session: Session,
    stream_of: dict[str, str],
    streams: Sequence[str],
    first: int,
    count: int,
    unit: float,
) -> dict[str, list[str]]:
    """Per stream id, the label of each of the ``count`` slices starting at ``first`` µs."""
    u = micros(unit)
    out = {s: [""] * count for s in streams}
    last = count - 1
    for event in session.events:
        code = event.code
        labels = out[stream_of[code]]
        offset = round(event.start * 1_000_000) - first
        if event.end is None:
            # |start − t| ≤ u/2  ⇔  2·offset − u ≤ 2·k·u ≤ 2·offset + u
            lo = -(-(2 * offset - u) // (2 * u))
            hi = (2 * offset + u) // (2 * u)
        else:
            lo = -(-offset // u)
            hi = (round(event.end * 1_000_000) - first) // u
        for k in range(max(lo, 0), min(hi, last) + 1):
            if labels[k]:
                add_label(labels, k, code, repeats=True)
            else:
                labels[k] = code
    return out


def _union(x: str, y: str) -> str:
    return "+".join(sorted(x.split("+") + y.split("+")))


def merge(parts: Sequence[list[str]], count: int) -> list[str]:
    """Slice by slice, the union (repeats kept) of several streams' labels: an actor's."""
    if not parts:
        return [""] * count
    out = parts[0]
    for labels in parts[1:]:
        out = [
            x if not y else (y if not x else _union(x, y)) for x, y in zip(out, labels, strict=True)
        ]
    return out
