"""Interval records derived from the continuous one, and interval agreement (IOA).

The session is cut into intervals of S seconds from time 0, the last one shorter
(ends at the session's duration). Per interval and code, by rule:

- ``partial``: the code occurs at some time in the interval (a state bout overlaps
  it for a positive time, or a point event falls in it);
- ``whole``: a state runs through all of the interval (a point event never does: 0);
- ``momentary``: a state runs at the interval's end; a point event occurs within
  ±S/2 of it.

plus ``count``, the onsets in the interval. Times are compared in integer
microseconds, so interval boundaries never suffer float noise. Interval k covers
[k·S, (k+1)·S); the last also takes an onset at the session's end.

Interval agreement (Reed & Azulay 2011's family, as fractions in [0, 1]) is in
:func:`ioa`; each definition is given in docs/sequential.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from observer.analysis.align import micros
from observer.codebook import Codebook
from observer.sessionfile import Session

RULES = ("partial", "whole", "momentary")


@attrs.frozen
class CodeIntervals:
    code: str
    kind: str
    scored: dict[str, tuple[int, ...]]  # rule -> 0/1 per interval
    counts: tuple[int, ...]
    total_us: int  # state time; 0 for point codes
    onsets: int


def interval_count(duration: float, interval: float) -> int:
    d, s = micros(duration), micros(interval)
    return -(-d // s) if d > 0 else 0


def _merged(bouts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(bouts):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def code_intervals(
    session: Session, interval: float, span: float | None = None
) -> list[CodeIntervals]:
    """Every code of the codebook over the intervals of [0, span] (default: the
    session's duration)."""
    step = micros(interval)
    if step < 1:
        raise ValueError("the interval must be positive")
    length = session.duration if span is None else span
    end = micros(length)
    count = interval_count(length, interval)
    bounds = [(k * step, min((k + 1) * step, end)) for k in range(count)]
    span_end = bounds[-1][1] if bounds else 0
    by_code: dict[str, list[tuple[int, int | None]]] = {c.id: [] for c in session.book.codes}
    for event in session.events:
        by_code[event.code].append(
            (micros(event.start), None if event.end is None else micros(event.end))
        )
    out: list[CodeIntervals] = []
    for code in session.book.codes:
        events = by_code[code.id]
        counts = [0] * count
        for s, _ in events:
            k = min(s // step, count - 1) if count else -1
            if 0 <= k < count:
                counts[k] += 1
        partial = [0] * count
        whole = [0] * count
        momentary = [0] * count
        total = 0
        if code.kind == "point":
            for s, _ in events:
                k = min(s // step, count - 1) if count else -1
                if k >= 0:
                    partial[k] = 1
                for j in range(max(0, s // step - 1), min(count, s // step + 2)):
                    if abs(bounds[j][1] - s) * 2 <= step:
                        momentary[j] = 1
        else:
            bouts = _merged([(s, s if e is None else e) for s, e in events])
            total = sum(e - s for s, e in bouts)
            for s, e in bouts:
                first = min(s // step, count - 1) if count else 0
                for k in range(first, count):
                    a, b = bounds[k]
                    if a > e or (a == e and s < e):
                        break
                    if (s < b and e > a) or (s == e and a <= s < b):
                        partial[k] = 1
                    if s <= a and e >= b:
                        whole[k] = 1
                    at_end = b == span_end
                    if (s <= b < e) or (at_end and s < b <= e):
                        momentary[k] = 1
        out.append(
            CodeIntervals(
                code.id,
                code.kind,
                {"partial": tuple(partial), "whole": tuple(whole), "momentary": tuple(momentary)},
                tuple(counts),
                total,
                len(events),
            )
        )
    return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def bounds_s(session: Session, interval: float) -> list[tuple[float, float]]:
    """Each interval's (start, end) in seconds."""
    step, end = micros(interval), micros(session.duration)
    n = interval_count(session.duration, interval)
    return [(k * step / 1e6, min((k + 1) * step, end) / 1e6) for k in range(n)]


@attrs.frozen
class RuleEstimate:
    """One code's continuous truth beside each rule's estimate and its bias."""

    code: str
    kind: str
    count: int
    proportion: float | None
    scored: dict[str, int]
    estimates: dict[str, float | None]
    bias: dict[str, float | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "count": self.count,
            "proportion": self.proportion,
            "scored_intervals": self.scored,
            "estimates": self.estimates,
            "bias": self.bias,
        }


def summary(session: Session, coded: Sequence[CodeIntervals]) -> list[dict[str, Any]]:
    """:func:`estimates` as the summary rows of docs/sequential.md."""
    return [row.as_dict() for row in estimates(session, coded)]


def estimates(session: Session, coded: Sequence[CodeIntervals]) -> list[RuleEstimate]:
    """Per code: the continuous truth and each rule's estimate, and its bias."""
    n = len(coded[0].counts) if coded else 0
    duration = session.duration
    rows: list[RuleEstimate] = []
    for c in coded:
        truth = _r(c.total_us / 1e6 / duration) if c.kind == "state" and duration > 0 else None
        by_rule = {rule: _r(sum(c.scored[rule]) / n) if n else None for rule in RULES}
        scored = {rule: sum(c.scored[rule]) for rule in RULES}
        bias = {
            rule: None if truth is None or est is None else _r(est - truth)
            for rule, est in by_rule.items()
        }
        rows.append(RuleEstimate(c.code, c.kind, c.onsets, truth, scored, by_rule, bias))
    return rows


# --- interval agreement (IOA) ---------------------------------------------------------


def _ratio(small: float, large: float) -> float:
    return 1.0 if large == 0 else small / large


IOA_FIGURES = (
    "total_count",
    "total_duration",
    "mean_count_per_interval",
    "exact_count_per_interval",
    "interval_by_interval",
    "scored_interval",
    "unscored_interval",
)


@attrs.frozen
class Agreement:
    """The IOA family over some (code, interval) cells: each figure a fraction in
    [0, 1], None when undefined (``reasons`` says why)."""

    intervals: int
    count_a: int
    count_b: int
    durations: tuple[float | None, float | None] | None  # None: point codes only
    figures: dict[str, float | None]
    reasons: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "intervals": self.intervals,
            "count_a": self.count_a,
            "count_b": self.count_b,
            "total_count": self.figures["total_count"],
        }
        if self.durations is not None:
            out["duration_a"], out["duration_b"] = self.durations
        out.update({name: self.figures[name] for name in IOA_FIGURES[1:]})
        out["reasons"] = self.reasons
        return out


@attrs.frozen
class CodeAgreement:
    code: str
    kind: str
    agreement: Agreement

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, **self.agreement.as_dict()}


@attrs.frozen
class IntervalAgreement:
    """Interval agreement of two sessions: overall and per code."""

    interval: float
    overall: Agreement
    codes: tuple[CodeAgreement, ...]
    restricted_to: dict[str, Any] | None = None
    source: str = "continuous"
    """``continuous``: intervals derived from the events (partial-interval scoring);
    ``scans``: the time-sampling scans (momentary, at each sampling instant)."""

    def as_dict(self) -> dict[str, Any]:
        rule = "momentary" if self.source == "scans" else "partial"
        out = {
            "parameters": {"interval": self.interval, "rule": rule, "source": self.source},
            **self.overall.as_dict(),
            "codes": [c.as_dict() for c in self.codes],
        }
        if self.restricted_to is not None:
            out["restricted_to"] = self.restricted_to
        return out


def _ioa_cells(
    counts_a: Sequence[Sequence[int]],
    counts_b: Sequence[Sequence[int]],
    scored_a: Sequence[Sequence[int]],
    scored_b: Sequence[Sequence[int]],
    totals: tuple[float, float] | None,
) -> Agreement:
    """The family over the given (code, interval) cells; lists are per code."""
    ca = sum(map(sum, counts_a))
    cb = sum(map(sum, counts_b))
    per: list[float] = []
    exact = 0
    agree = scored_n = scored_agree = unscored_n = unscored_agree = 0
    for xa, xb, sa, sb in zip(counts_a, counts_b, scored_a, scored_b, strict=True):
        for i, j, p, q in zip(xa, xb, sa, sb, strict=True):
            per.append(_ratio(min(i, j), max(i, j)))
            exact += i == j
            agree += p == q
            if p or q:
                scored_n += 1
                scored_agree += p and q
            if not (p and q):
                unscored_n += 1
                unscored_agree += not (p or q)
    cells = len(per)
    reasons: dict[str, str] = {}
    figures: dict[str, float | None] = {}

    def frac(key: str, num: float, den: float, why: str) -> None:
        if den == 0:
            reasons[key] = why
            figures[key] = None
        else:
            figures[key] = _r(num / den)

    frac("total_count", min(ca, cb), max(ca, cb), "neither observer coded it")
    durations: tuple[float | None, float | None] | None = None
    if totals is None:
        figures["total_duration"] = None
        reasons["total_duration"] = "point codes have no duration"
    else:
        ta, tb = totals
        durations = (_r(ta), _r(tb))
        why = "neither observer coded any duration"
        frac("total_duration", min(ta, tb), max(ta, tb), why)
    frac("mean_count_per_interval", sum(per), cells, "no intervals")
    frac("exact_count_per_interval", exact, cells, "no intervals")
    frac("interval_by_interval", agree, cells, "no intervals")
    why = "no interval scored by either observer"
    frac("scored_interval", scored_agree, scored_n, why)
    frac("unscored_interval", unscored_agree, unscored_n, "every interval scored by both observers")
    return Agreement(cells, ca, cb, durations, figures, reasons)


def ioa(a: Session, b: Session, interval: float, book: Codebook | None = None) -> dict[str, Any]:
    """:func:`interval_agreement` as the JSON object of docs/sequential.md."""
    return interval_agreement(a, b, interval, book).as_dict()


def interval_agreement(
    a: Session, b: Session, interval: float, book: Codebook | None = None
) -> IntervalAgreement:
    """Interval agreement of A and B per code (A's codebook, or ``book``: a restricted
    one) and overall.

    Both are cut into the same intervals, up to the longer session; scoring is
    partial-interval (the code occurs in the interval), counts are onsets.
    """
    span = max(a.duration, b.duration)
    n = interval_count(span, interval)
    ia = {c.code: c for c in code_intervals(a, interval, span)}
    ib = {c.code: c for c in code_intervals(b, interval, span)}
    zeros = tuple([0] * n)
    codebook = a.book if book is None else book
    codes: list[CodeAgreement] = []
    for code in codebook.codes:
        x, y = ia[code.id], ib.get(code.id)
        y_counts = zeros if y is None else y.counts
        y_scored = zeros if y is None else y.scored["partial"]
        totals = None
        if code.kind == "state":
            totals = (x.total_us / 1e6, 0.0 if y is None else y.total_us / 1e6)
        entry = _ioa_cells([x.counts], [y_counts], [x.scored["partial"]], [y_scored], totals)
        codes.append(CodeAgreement(code.id, code.kind, entry))
    all_a = [ia[c.id] for c in codebook.codes]
    all_b = [ib.get(c.id) for c in codebook.codes]
    state = [i for i, c in enumerate(codebook.codes) if c.kind == "state"]
    totals_all = None
    if state:
        duration_b = 0
        for i in state:
            other = all_b[i]
            duration_b += 0 if other is None else other.total_us
        totals_all = (sum(all_a[i].total_us for i in state) / 1e6, duration_b / 1e6)
    overall = _ioa_cells(
        [x.counts for x in all_a],
        [zeros if y is None else y.counts for y in all_b],
        [x.scored["partial"] for x in all_a],
        [zeros if y is None else y.scored["partial"] for y in all_b],
        totals_all,
    )
    return IntervalAgreement(interval, overall, tuple(codes))
