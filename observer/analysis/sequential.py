"""Sequential analysis: event lag-k tables and time-window contingency.

Lag tables (Bakeman & Quera 2011): the events of the chosen streams merged into
one sequence by onset (events with the same onset in codebook order); each pair
(event i, event i + k) is one tally in the given × target table x. From it:

- expected ``e = x_G+ · x_+T / N`` (with ``no_repeats`` the diagonal is a
  structural zero and e is the quasi-independence fit of :mod:`quasi`);
- transitional probability ``P(T|G) = x_GT / x_G+``;
- adjusted residual ``z = (x − e) / √(e (1 − p_G+)(1 − p_+T))``, p = x / N (with
  ``no_repeats``, Haberman's residual of the quasi-independence model, :mod:`quasi`);
- Yule's Q of each cell's 2×2 collapse (this given or not × this target or not);
- the likelihood-ratio χ² ``G² = 2 Σ x ln(x / e)`` with
  df = (rows − 1)(columns − 1) − structural zeros, over the rows and columns
  with a non-zero total, and its p value.

A value that cannot be computed is None and the object says why (``notes``):
never NaN. Time-window contingency: see :func:`contingency`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

import attrs

from observer.analysis import quasi
from observer.sessionfile import Session


@attrs.frozen
class LagTable:
    codes: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    lag: int
    no_repeats: bool

    @property
    def n(self) -> int:
        return sum(map(sum, self.counts))


def sequence(session: Session, codes: Sequence[str]) -> list[str]:
    """The session's events of ``codes``, onset-ordered, ties in codebook order."""
    order = {c.id: i for i, c in enumerate(session.book.codes)}
    wanted = set(codes)
    chosen = [(e.start, order[e.code], e.code) for e in session.events if e.code in wanted]
    chosen.sort()
    return [code for _, _, code in chosen]


NO_REPEATS_LAG = (
    "is defined at lag 1 only: at lag 2 and beyond a code can meet itself (A B A) even"
    " when codes cannot repeat, so the diagonal is no structural zero there"
)


def lag_table(seq: Sequence[str], codes: Sequence[str], lag: int, no_repeats: bool) -> LagTable:
    if lag < 1:
        raise ValueError("the lag must be 1 or more")
    if no_repeats and lag != 1:
        raise ValueError(NO_REPEATS_LAG)
    index = {c: i for i, c in enumerate(codes)}
    k = len(codes)
    grid = [[0] * k for _ in range(k)]
    for given, target in zip(seq, seq[lag:], strict=False):
        g, t = index[given], index[target]
        if no_repeats and g == t:
            continue
        grid[g][t] += 1
    return LagTable(tuple(codes), tuple(tuple(r) for r in grid), lag, no_repeats)


def pooled_table(tables: Sequence[LagTable]) -> LagTable:
    first = tables[0]
    k = len(first.codes)
    grid = [[sum(t.counts[i][j] for t in tables) for j in range(k)] for i in range(k)]
    return LagTable(first.codes, tuple(tuple(r) for r in grid), first.lag, first.no_repeats)


def _free(table: LagTable) -> list[list[bool]]:
    """The cells that can hold a count: all, or all but the diagonal without repeats."""
    k = len(table.codes)
    return [[not (table.no_repeats and i == j) for j in range(k)] for i in range(k)]


def _expected(table: LagTable) -> list[list[float]]:
    x = table.counts
    k = len(x)
    rows = [sum(r) for r in x]
    cols = [sum(x[i][j] for i in range(k)) for j in range(k)]
    n = sum(rows)
    if n == 0:
        return [[0.0] * k for _ in range(k)]
    if not table.no_repeats:
        return [[rows[i] * cols[j] / n for j in range(k)] for i in range(k)]
    return quasi.fit(x, _free(table))


def yules_q(a: float, b: float, c: float, d: float) -> float | None:
    """(ad − bc) / (ad + bc); None when ad + bc = 0."""
    den = a * d + b * c
    return None if den == 0 else (a * d - b * c) / den


def odds_ratio(a: float, b: float, c: float, d: float) -> float | None:
    """ad / bc; None when bc = 0 (infinite or undefined)."""
    return None if b * c == 0 else (a * d) / (b * c)


def chi2_sf(x: float, df: int) -> float:
    """P(χ²_df ≥ x): the regularised upper incomplete gamma Q(df/2, x/2)."""
    a, z = df / 2.0, x / 2.0
    if z <= 0:  # also an x so small that x / 2 underflows to 0
        return 1.0
    log_front = a * math.log(z) - z - math.lgamma(a)
    if z < a + 1:  # series for the lower function P, then Q = 1 − P
        term = total = 1.0 / a
        ap = a
        for _ in range(10_000):
            ap += 1
            term *= z / ap
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    # Continued fraction for Q (modified Lentz).
    tiny = 1e-300
    b = z + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return min(1.0, math.exp(log_front) * h)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _adjusted_residuals(
    table: LagTable, e: list[list[float]], notes: list[str]
) -> list[list[float | None]]:
    """Haberman's adjusted residuals: the closed form, or the quasi-independence model's."""
    x = table.counts
    k = len(x)
    n = table.n
    rows = [sum(r) for r in x]
    cols = [sum(x[i][j] for i in range(k)) for j in range(k)]
    if not table.no_repeats:
        z: list[list[float | None]] = [[None] * k for _ in range(k)]
        for i in range(k):
            for j in range(k):
                var = e[i][j] * (1 - rows[i] / n) * (1 - cols[j] / n) if n else 0.0
                if var > 0:
                    z[i][j] = (x[i][j] - e[i][j]) / math.sqrt(var)
        return [[_r(v) for v in row] for row in z]
    fitted = quasi.adjusted_residuals(x, e, _free(table)) if n else None
    if fitted is None:
        if n:
            notes.append(
                "adjusted residuals are null: without repeats, the row and column effects "
                "of this table cannot all be estimated"
            )
        return [[None] * k for _ in range(k)]
    if any(
        fitted[i][j] is None for i in range(k) for j in range(k) if i != j and rows[i] and cols[j]
    ):
        notes.append("adjusted residuals are null for the cells the fit reproduces exactly")
    return [[_r(v) for v in row] for row in fitted]


@attrs.frozen
class LagStats:
    """A lag table's statistics; a value that cannot be computed is None (``notes``)."""

    table: LagTable
    expected: list[list[float | None]]
    probabilities: list[list[float | None]]
    z: list[list[float | None]]
    yules_q: list[list[float | None]]
    chi2: float | None
    df: int | None
    p: float | None
    chi2_reason: str | None
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The lag object of docs/sequential.md."""
        t = self.table
        return {
            "lag": t.lag,
            "no_repeats": t.no_repeats,
            "n": t.n,
            "codes": list(t.codes),
            "counts": [list(r) for r in t.counts],
            "expected": self.expected,
            "probabilities": self.probabilities,
            "z": self.z,
            "yules_q": self.yules_q,
            "chi2": self.chi2,
            "df": self.df,
            "p": self.p,
            "chi2_reason": self.chi2_reason,
            "notes": self.notes,
        }


def lag_stats(table: LagTable) -> dict[str, Any]:
    """:func:`lag_result` as the lag object of docs/sequential.md."""
    return lag_result(table).as_dict()


def lag_result(table: LagTable) -> LagStats:
    """n, codes, counts, expected, probabilities, z, yules_q, chi2, df, p of a lag table."""
    x = table.counts
    k = len(x)
    n = table.n
    rows = [sum(r) for r in x]
    cols = [sum(x[i][j] for i in range(k)) for j in range(k)]
    e = _expected(table)
    notes: list[str] = []
    probs: list[list[float | None]] = []
    qs: list[list[float | None]] = []
    for i in range(k):
        probs.append([_r(x[i][j] / rows[i]) if rows[i] else None for j in range(k)])
        q_row: list[float | None] = []
        for j in range(k):
            a = x[i][j]
            b, c = rows[i] - a, cols[j] - a
            structural = table.no_repeats and i == j
            q_row.append(None if structural else _r(yules_q(a, b, c, n - a - b - c)))
        qs.append(q_row)
    zs = _adjusted_residuals(table, e, notes)
    for i, code in enumerate(table.codes):
        if rows[i] == 0:
            notes.append(f"{code} is never a given at lag {table.lag}: its row is null")
        if cols[i] == 0:
            notes.append(f"{code} is never a target at lag {table.lag}: its column is null")
    live_rows = [i for i in range(k) if rows[i]]
    live_cols = [j for j in range(k) if cols[j]]
    df = (len(live_rows) - 1) * (len(live_cols) - 1)
    if table.no_repeats:
        df -= sum(1 for i in live_rows if i in live_cols)
    chi2 = p = None
    chi2_reason = None
    if n == 0:
        chi2_reason = "no transitions: fewer events than the lag + 1"
    elif df <= 0:
        chi2_reason = f"df = {df}: the table has too few codes with a non-zero total"
    else:
        g2 = 2 * math.fsum(
            x[i][j] * math.log(x[i][j] / e[i][j])
            for i in range(k)
            for j in range(k)
            if x[i][j] > 0 and e[i][j] > 0
        )
        g2 = max(g2, 0.0)
        chi2, p = _r(g2), chi2_sf(g2, df)
    return LagStats(
        table,
        [[_r(v) for v in row] for row in e],
        probs,
        zs,
        qs,
        chi2,
        df if chi2_reason is None else None,
        p,
        chi2_reason,
        notes,
    )


# --- time-window contingency --------------------------------------------------------


@attrs.frozen
class Window:
    given: str
    target: str
    start: float
    end: float
    anchor: str = "onset"  # or "offset"
    unit: float = 1.0


@attrs.frozen
class Contingency:
    given_count: int
    followed: int
    latencies: tuple[float, ...]
    table: tuple[tuple[int, int], tuple[int, int]]


def _units(duration: float, unit: float) -> int:
    return math.ceil(round(duration / unit, 9)) if duration > 0 else 0


def contingency(session: Session, w: Window) -> Contingency:
    """Given events followed by a target onset within [anchor + A, anchor + B].

    ``followed``: given events with at least one target onset in their window;
    a latency is the first such onset minus the anchor (the given event's onset,
    or its offset with ``anchor="offset"``; a point event's offset is its onset).
    The time-based 2×2 (Bakeman & Quera): time units of ``unit`` s from 0, unit i
    covering [i·u, (i+1)·u); a unit is inside a window when its midpoint is, and
    has a target when a target onset falls in it. Rows: inside, outside; columns:
    with a target onset, without.
    """
    anchors = [
        (e.start if w.anchor == "onset" or e.end is None else e.end)
        for e in session.events
        if e.code == w.given
    ]
    targets = sorted(e.start for e in session.events if e.code == w.target)
    latencies: list[float] = []
    for g in anchors:
        i = bisect_left(targets, g + w.start - 1e-9)
        if i < len(targets) and targets[i] <= g + w.end + 1e-9:
            latencies.append(round(targets[i] - g, 6))
    n = _units(session.duration, w.unit)
    inside = bytearray(n)
    for g in anchors:
        lo = max(0, math.ceil(round((g + w.start) / w.unit - 0.5, 9)))
        hi = min(n - 1, math.floor(round((g + w.end) / w.unit - 0.5, 9)))
        if lo <= hi:
            inside[lo : hi + 1] = b"\x01" * (hi - lo + 1)
    hit = bytearray(n)
    for t in targets if n else ():
        hit[min(n - 1, int(t // w.unit))] = 1
    a = sum(1 for i, h in zip(inside, hit, strict=True) if i and h)
    inside_total = sum(inside)
    hits = sum(hit)
    b = inside_total - a
    c = hits - a
    d = n - a - b - c
    return Contingency(len(anchors), len(latencies), tuple(latencies), ((a, b), (c, d)))


def pooled_contingency(results: Sequence[Contingency]) -> Contingency:
    a = sum(r.table[0][0] for r in results)
    b = sum(r.table[0][1] for r in results)
    c = sum(r.table[1][0] for r in results)
    d = sum(r.table[1][1] for r in results)
    latencies = tuple(t for r in results for t in r.latencies)
    followed = sum(r.followed for r in results)
    return Contingency(sum(r.given_count for r in results), followed, latencies, ((a, b), (c, d)))


def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default method)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@attrs.frozen
class ContingencyStats:
    """A time-window contingency's figures; None values are explained in ``notes``."""

    window: Window
    result: Contingency
    proportion: float | None
    latency: dict[str, float | None]
    yules_q: float | None
    odds_ratio: float | None
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The window object of docs/sequential.md."""
        w, r = self.window, self.result
        (a, b), (c, d) = r.table
        return {
            "given": w.given,
            "target": w.target,
            "window": [w.start, w.end],
            "from": w.anchor,
            "unit": w.unit,
            "n": r.given_count,
            "codes": [w.given, w.target],
            "followed": r.followed,
            "not_followed": r.given_count - r.followed,
            "proportion": self.proportion,
            "latency": self.latency,
            "table": [[a, b], [c, d]],
            "yules_q": self.yules_q,
            "odds_ratio": self.odds_ratio,
            "notes": self.notes,
        }


def contingency_stats(result: Contingency, w: Window) -> dict[str, Any]:
    """:func:`contingency_result` as the window object of docs/sequential.md."""
    return contingency_result(result, w).as_dict()


def contingency_result(result: Contingency, w: Window) -> ContingencyStats:
    (a, b), (c, d) = result.table
    notes: list[str] = []
    latency: dict[str, float | None] = {"median": None, "q1": None, "q3": None}
    if result.latencies:
        latency = {
            "median": _r(quantile(result.latencies, 0.5)),
            "q1": _r(quantile(result.latencies, 0.25)),
            "q3": _r(quantile(result.latencies, 0.75)),
        }
    else:
        notes.append("no given event was followed: no latencies")
    proportion = None
    if result.given_count:
        proportion = _r(result.followed / result.given_count)
    else:
        notes.append(f"no {w.given} events: the proportion is null")
    q = _r(yules_q(a, b, c, d))
    if q is None:
        notes.append("ad + bc = 0 in the time-based table: Yule's Q is null")
    ratio = _r(odds_ratio(a, b, c, d))
    if ratio is None:
        notes.append("bc = 0 in the time-based table: the odds ratio is null")
    return ContingencyStats(w, result, proportion, latency, q, ratio, notes)
