"""Cohen's κ on a tally of (A's label, B's label) pairs, with the reason when undefined.

A tally is a ``Counter`` of ``(row, column)`` label pairs: rows are observer A,
columns observer B. κ = (p_o − p_e) / (1 − p_e) (Cohen 1960), computed from
integer counts so that it is exact up to the final division; it is undefined
(None, with a reason) when there is nothing to compare or p_e = 1 (both
observers used one and the same label throughout).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

Tally = Counter[tuple[str, str]]

PRESENT, ABSENT = "present", "absent"

LANDIS_KOCH_SOURCE = "Landis & Koch (1977), Biometrics 33:159-174"
_BANDS = (
    (0.0, "poor"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)


@attrs.frozen
class Kappa:
    """κ (None when undefined, then ``reason`` says why), percentage agreement P, N."""

    kappa: float | None
    reason: str | None
    agreement: float | None
    n: int

    def fields(self) -> dict[str, float | int | str | None]:
        """The JSON fields of every κ in the documents: kappa, kappa_reason, agreement, n."""
        return {
            "kappa": self.kappa,
            "kappa_reason": self.reason,
            "agreement": self.agreement,
            "n": self.n,
        }


def cohen(tally: Tally, *, empty: str = "") -> Kappa:
    """Cohen's κ of a tally; ``empty`` names the label meaning 'nothing coded'."""
    n = sum(tally.values())
    if n == 0:
        return Kappa(None, "nothing to compare (N = 0)", None, 0)
    rows: Counter[str] = Counter()
    cols: Counter[str] = Counter()
    diagonal = 0
    for (row, col), count in tally.items():
        if not count:
            continue  # a label seen zero times is no label of this tally
        rows[row] += count
        cols[col] += count
        if row == col:
            diagonal += count
    chance = sum(count * cols[label] for label, count in rows.items())
    agreement = diagonal / n
    denominator = n * n - chance
    if denominator == 0:
        (label,) = rows
        if label == empty:
            reason = "neither observer coded anything here (one label only: p_e = 1)"
        else:
            reason = f"both observers used only {display(label, empty)!r} (p_e = 1)"
        return Kappa(None, reason, agreement, n)
    return Kappa((n * diagonal - chance) / denominator, None, agreement, n)


def display(label: str, empty: str = "", name: str = "none") -> str:
    return name if label == empty else label


def collapse(tally: Tally, code: str, *, empty: str = "") -> Tally:
    """The 2×2 present/absent tally for ``code``: does each label contain it?

    Labels are single codes or ``+``-joined sets of codes; ``empty`` never contains one.
    """
    out: Tally = Counter()
    for (row, col), count in tally.items():
        a = PRESENT if row != empty and code in row.split("+") else ABSENT
        b = PRESENT if col != empty and code in col.split("+") else ABSENT
        out[a, b] += count
    return out


def code_kappa(two: Tally, code: str) -> Kappa:
    """κ for one code from its collapsed 2×2 tally, with reasons in the code's terms."""
    result = cohen(two, empty=ABSENT)
    if result.kappa is None and result.n:
        used = two[PRESENT, PRESENT] > 0
        reason = (
            f"both observers coded {code!r} throughout (p_e = 1)"
            if used
            else f"neither observer coded {code!r}"
        )
        return attrs.evolve(result, reason=reason)
    return result


def square(tally: Tally, order: Sequence[str]) -> dict[str, dict[str, int]]:
    """The tally as a full square table over the labels used, rows A, columns B."""
    used = {label for pair in tally for label in pair}
    labels = [label for label in order if label in used]
    labels += sorted(used.difference(labels))
    return {row: {col: tally.get((row, col), 0) for col in labels} for row in labels}


def landis_koch(kappa: float | None) -> str:
    """The Landis & Koch (1977) band of a κ: poor (< 0) … almost perfect (0.81–1)."""
    if kappa is None:
        return "undefined"
    if kappa < 0:
        return "poor"
    for upper, name in _BANDS[1:]:
        if kappa <= upper:
            return name
    return _BANDS[-1][1]


def weighted_kappa(
    pairs: Iterable[tuple[int, int]], points: int
) -> tuple[float | None, str | None]:
    """Quadratic-weighted κ (Cohen 1968) of paired ratings given as scale positions.

    ``pairs`` hold each rating's position on the scale (0 … points − 1), so the
    weights (i − j)² use the distance on the scale, not the rank among the
    values that happen to occur.
    """
    observed = [[0] * points for _ in range(points)]
    n = 0
    for a, b in pairs:
        observed[a][b] += 1
        n += 1
    if n == 0:
        return None, "no pair of ratings to compare"
    span = range(points)
    rows = [sum(row) for row in observed]
    cols = [sum(observed[i][j] for i in span) for j in span]
    disagreement = sum((i - j) ** 2 * observed[i][j] for i in span for j in span)
    expected = sum((i - j) ** 2 * rows[i] * cols[j] for i in span for j in span) / n
    if expected == 0:
        return None, "both observers gave one and the same rating throughout (p_e = 1)"
    return 1 - disagreement / expected, None


def quadratic_kappa(pairs: Sequence[tuple[float, float]]) -> tuple[float | None, str | None]:
    """Quadratic-weighted κ of paired numeric values, the weights the squared distance
    between the values: equal to ``weighted_kappa`` on scale positions (the scale's
    spacing cancels in the ratio), for values on no fixed scale such as composites."""
    n = len(pairs)
    if n == 0:
        return None, "no pair of ratings to compare"
    disagreement = math.fsum((a - b) ** 2 for a, b in pairs)
    expected = math.fsum((a - b) ** 2 for a, _ in pairs for _, b in pairs) / n
    if expected == 0:
        return None, "both observers gave one and the same rating throughout (p_e = 1)"
    return 1 - disagreement / expected, None
