"""More than two observers of one session: Krippendorff's α (nominal) on time units.

Units and labels are those of the ``time`` method (unit i covers [i·u, (i+1)·u),
up to the longest session; a stream's label is its set of codes at the unit's
midpoint, point codes in the unit, or none). Every observer gives a value for
every unit. α is computed per stream and overall over all (unit, stream) cells
with labels qualified by stream; as for the ``time`` method, streams no observer
coded are left out of the overall value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from observer.analysis import timeunit
from observer.analysis.align import micros
from observer.analysis.alpha import Alpha, nominal_alpha
from observer.analysis.scope import Scope, restrict_book, restrict_session
from observer.sessionfile import Session


def _alpha_dict(result: Alpha) -> dict[str, Any]:
    return {
        "alpha": result.alpha,
        "alpha_reason": result.reason,
        "n": result.n,
        "units": result.units,
    }


@attrs.frozen
class StreamAlpha:
    stream: str
    alpha: Alpha
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stream": self.stream, **_alpha_dict(self.alpha)}
        if self.note:
            out["note"] = self.note
        return out


@attrs.frozen
class TimeAlpha:
    """Nominal α on time units of several observers: overall and per stream."""

    unit: float
    sessions: tuple[str, ...]
    restricted_to: dict[str, Any]
    overall: Alpha
    streams: tuple[StreamAlpha, ...]

    def as_dict(self) -> dict[str, Any]:
        """The ``alpha`` object of docs/analysis.md."""
        return {
            "metric": "nominal",
            "parameters": {"unit": self.unit},
            "sessions": list(self.sessions),
            "restricted_to": self.restricted_to,
            **_alpha_dict(self.overall),
            "streams": [s.as_dict() for s in self.streams],
        }


def time_alpha(
    sessions: Sequence[Session], unit: float = 1.0, scope: Scope | None = None
) -> TimeAlpha:
    scope = scope or Scope()
    book = restrict_book(sessions[0].book, scope)
    sessions = [restrict_session(s, book) for s in sessions]
    stream_of = {c.id: c.stream for c in book.codes}
    ids = [s.id for s in book.streams]
    n = -(-max(micros(s.duration) for s in sessions) // micros(unit))
    labels = [timeunit.unit_labels(s, stream_of, ids, n, unit) for s in sessions]
    used = {stream_of[e.code] for s in sessions for e in s.events}
    streams: list[StreamAlpha] = []
    for stream in ids:
        columns = [observer[stream] for observer in labels]
        note = (
            None if stream in used else "no observer coded this stream: left out of the overall α"
        )
        streams.append(StreamAlpha(stream, nominal_alpha(zip(*columns, strict=True)), note))
    pooled = [
        [f"{stream}:{label}" for label in values]
        for stream in ids
        if stream in used
        for values in zip(*(observer[stream] for observer in labels), strict=True)
    ]
    overall = nominal_alpha(pooled)
    if not used:
        overall = attrs.evolve(overall, reason="no session has any events")
    sessions_ids = tuple(s.id for s in sessions)
    return TimeAlpha(unit, sessions_ids, scope.as_dict(), overall, tuple(streams))
