"""Time-unit labels and the tolerance tally of the ``time`` method (docs/analysis.md).

Unit i covers [i·u, (i+1)·u). In a stream, a unit's label is the sorted,
``+``-joined set of the stream's codes active at its midpoint (state codes:
start ≤ midpoint < end) or starting inside it (point codes), or "" for none.
All times are compared in whole microseconds, so boundaries are exact.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from observer.analysis.align import micros
from observer.analysis.kappa import Tally
from observer.sessionfile import Session


def unit_count(a: Session, b: Session, unit: float) -> int:
    """ceil(max(duration A, duration B) / unit)."""
    longest = max(micros(a.duration), micros(b.duration))
    return -(-longest // micros(unit))


def add_label(labels: list[str], i: int, code: str, *, repeats: bool = False) -> None:
    """Put ``code`` into the sorted, ``+``-joined label at ``labels[i]``: as into a set,
    or with ``repeats`` as into a multiset (a code active twice is listed twice)."""
    current = labels[i]
    if not current:
        labels[i] = code
        return
    parts = current.split("+")
    if repeats or code not in parts:
        labels[i] = "+".join(sorted([*parts, code]))


def unit_labels(
    session: Session, stream_of: dict[str, str], streams: Sequence[str], n: int, unit: float
) -> dict[str, list[str]]:
    """Per stream id, the label of each of the ``n`` units."""
    u = micros(unit)
    out = {s: [""] * n for s in streams}
    if n == 0:
        return out
    point = {c.id for c in session.book.codes if c.kind == "point"}
    for event in session.events:
        code = event.code
        labels = out[stream_of[code]]
        start = round(event.start * 1_000_000)
        if code in point or event.end is None:
            add_label(labels, min(start // u, n - 1), code)
            continue
        end = round(event.end * 1_000_000)
        # midpoint (2i+1)·u/2 in [start, end)  ⇔  2·start ≤ (2i+1)·u < 2·end
        first = max(0, -(-(2 * start - u) // (2 * u)))
        stop = min(n, -(-(2 * end - u) // (2 * u)))
        for i in range(first, stop):
            if labels[i]:
                add_label(labels, i, code)
            else:
                labels[i] = code
    return out


def tolerance_tally(a: Sequence[str], b: Sequence[str], window: int) -> Tally:
    """Tally unit by unit, A the reference: (a, a) when A's label a occurs among B's
    labels within ``window`` units either side, else (a, B's label of the unit)."""
    if window <= 0:
        return Counter(zip(a, b, strict=True))
    where: dict[str, list[int]] = {}
    for j, label in enumerate(b):
        where.setdefault(label, []).append(j)
    tally: Tally = Counter()
    for i, label in enumerate(a):
        spots = where.get(label)
        if spots:
            k = bisect_left(spots, i - window)
            if k < len(spots) and spots[k] <= i + window:
                tally[label, label] += 1
                continue
        tally[label, b[i]] += 1
    return tally
