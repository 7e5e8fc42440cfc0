"""Statistics per segment (``observer stats --by segment``); which segment a time
falls in is :func:`observer.sessionfile.segment_finder`'s rule."""

from __future__ import annotations

from typing import Any

import attrs

from observer.analysis.stats import SessionStats, session_stats
from observer.sessionfile import Session


@attrs.frozen
class SegmentStats:
    segment: str
    start: float
    end: float
    stats: SessionStats

    def as_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "start": self.start,
            "end": self.end,
            "duration": self.stats.duration,
            "codes": [c.as_dict() for c in self.stats.codes],
        }


def segment_stats(session: Session) -> list[SegmentStats]:
    """``observer stats --by segment``: the statistics of each segment span, in order.

    An event belongs to the segment it starts in (as in the exports): count,
    rate, latency (``first_s``, from the segment's start) and the bout
    durations (``mean_s``, ``sd_s``) are of those events. ``total_s`` and
    ``proportion`` are the time each state code runs inside the segment, whatever
    segment its bouts started in, so the proportion is of the segment's time.
    A span without an end runs to the end of the session.
    """
    out: list[SegmentStats] = []
    for span in sorted(session.segments, key=lambda s: s.start):
        lo = span.start
        hi = session.duration if span.end is None else span.end
        starting = tuple(
            attrs.evolve(e, start=e.start - lo, end=None if e.end is None else e.end - lo)
            for e in session.events
            if lo <= e.start < hi
        )
        part = attrs.evolve(session, duration=max(0.0, hi - lo), events=starting)
        base = session_stats(part)
        inside: dict[str, float] = {}
        for e in session.events:
            if e.end is not None and e.start < hi and e.end > lo:
                inside[e.code] = inside.get(e.code, 0.0) + min(e.end, hi) - max(e.start, lo)
        codes = tuple(
            c
            if c.kind != "state"
            else attrs.evolve(
                c,
                total_s=round(inside.get(c.code, 0.0), 6),
                proportion=(
                    round(inside.get(c.code, 0.0) / part.duration, 6) if part.duration > 0 else None
                ),
            )
            for c in base.codes
        )
        out.append(SegmentStats(span.segment, lo, hi, attrs.evolve(base, codes=codes)))
    return out
