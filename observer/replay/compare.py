"""Compare mode: the event alignment of two codings, laid out for a timeline.

The pairs come from :func:`observer.analysis.align.align_sessions`, the same
alignment the ``event`` κ counts, so what the supervisor walks through is
exactly what the statistic scored. Here they get a time (the earlier onset of
the pair), marks per stream and column, and the list of mismatches (a
disagreement, an omission or a commission) to jump between.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING

from observer.replay.timeline import column_of

if TYPE_CHECKING:
    from observer.analysis.align import Pair
    from observer.sessionfile import Session

PRIORITY = {"disagreement": 3, "omission": 2, "commission": 1, "agreement": 0}
"""When several pairs share a column, the mark shown is the most important one."""


def pair_time(pair: Pair, a: Session, b: Session) -> float:
    times = []
    if pair.a is not None:
        times.append(a.events[pair.a].start)
    if pair.b is not None:
        times.append(b.events[pair.b].start)
    return min(times)


class Comparison:
    """Pairs in time order with their times; queries by bisection."""

    def __init__(self, a: Session, b: Session, pairs: Sequence[Pair]):
        self.a, self.b = a, b
        keyed = sorted(((pair_time(p, a, b), k) for k, p in enumerate(pairs)))
        self.pairs: list[Pair] = [pairs[k] for _, k in keyed]
        self.times: list[float] = [t for t, _ in keyed]
        self._by_stream: dict[str, tuple[list[float], list[str]]] = {}
        for t, p in zip(self.times, self.pairs, strict=True):
            times, kinds = self._by_stream.setdefault(p.stream, ([], []))
            times.append(t)
            kinds.append(p.kind)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(PRIORITY, 0)
        for p in self.pairs:
            out[p.kind] += 1
        return out

    def marks(self, stream: str, t0: float, span: float, width: int) -> list[str | None]:
        """Per column, the most important kind of pair of ``stream`` starting there."""
        out: list[str | None] = [None] * width
        times, kinds = self._by_stream.get(stream, ([], []))
        lo, hi = bisect_left(times, t0), bisect_left(times, t0 + span)
        for t, kind in zip(times[lo:hi], kinds[lo:hi], strict=True):
            c = column_of(t, t0, span, width)
            if 0 <= c < width:
                old = out[c]
                if old is None or PRIORITY[kind] > PRIORITY[old]:
                    out[c] = kind
        return out
