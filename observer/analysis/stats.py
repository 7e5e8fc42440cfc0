"""Descriptive statistics per session and code (docs/analysis.md).

Every code of the session's codebook gets a row, with count 0 when unused.
``count`` and ``first_s`` (latency: start of the first occurrence) for every
code; ``rate_per_min`` = count per minute of session duration (pauses
excluded); for state codes also ``total_s``, ``mean_s``, ``sd_s`` (the sample
standard deviation, n − 1 in the denominator, of bout durations) and
``proportion`` = total_s / duration. A value that cannot be computed is None:
state-only fields for point codes, ``first_s`` and ``mean_s`` when the code
never occurs, ``sd_s`` with fewer than two bouts, rates when the duration is 0.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from observer.scores import scores
from observer.sessionfile import Session

FIELDS = (
    "count",
    "rate_per_min",
    "first_s",
    "total_s",
    "mean_s",
    "sd_s",
    "proportion",
)


@attrs.frozen
class CodeStats:
    code: str
    kind: str
    count: int
    rate_per_min: float | None
    first_s: float | None
    total_s: float | None
    mean_s: float | None
    sd_s: float | None
    proportion: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, **{name: getattr(self, name) for name in FIELDS}}


@attrs.frozen
class SessionStats:
    id: str
    duration: float
    codes: tuple[CodeStats, ...]
    ratings: dict[str, Any] = attrs.field(factory=dict)
    """Every rating item and composite (see observer.scores)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "duration": self.duration,
            "codes": [c.as_dict() for c in self.codes],
            "ratings": self.ratings,
        }


def _r(value: float) -> float:
    """Rounded to 1 µs (times) / 1e-6 (rates, proportions): no float noise in output."""
    return round(value, 6)


def session_stats(session: Session) -> SessionStats:
    starts: dict[str, list[float]] = {c.id: [] for c in session.book.codes}
    lengths: dict[str, list[float]] = {c.id: [] for c in session.book.codes}
    for event in session.events:
        starts[event.code].append(event.start)
        if event.end is not None:
            lengths[event.code].append(event.end - event.start)
    minutes = session.duration / 60
    rows: list[CodeStats] = []
    for code in session.book.codes:
        count = len(starts[code.id])
        rate = _r(count / minutes) if minutes > 0 else None
        first = _r(min(starts[code.id])) if count else None
        total = mean = sd = proportion = None
        if code.kind == "state":
            bouts = lengths[code.id]
            total_raw = math.fsum(bouts)
            total = _r(total_raw)
            if bouts:
                mean_raw = total_raw / len(bouts)
                mean = _r(mean_raw)
                if len(bouts) > 1:
                    squares = math.fsum((x - mean_raw) ** 2 for x in bouts)
                    sd = _r(math.sqrt(squares / (len(bouts) - 1)))
            proportion = _r(total_raw / session.duration) if session.duration > 0 else None
        rows.append(CodeStats(code.id, code.kind, count, rate, first, total, mean, sd, proportion))
    return SessionStats(
        session.id, session.duration, tuple(rows), scores(session.book, session.ratings)
    )
