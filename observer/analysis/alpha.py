"""Krippendorff's α for any number of observers, with missing values.

Each unit holds one value per observer, or None where that observer gave none;
units with fewer than two values are not pairable and are left out. With n_u
values in unit u, the coincidences are o_ck = Σ_u Σ_{i≠j} [v_i = c][v_j = k] /
(n_u − 1); n_c = Σ_k o_ck; n = Σ_c n_c; α = 1 − D_o / D_e with D_o = Σ o_ck δ²_ck / n
and D_e = Σ n_c n_k δ²_ck / (n (n − 1)) (Krippendorff 2011, "Computing
Krippendorff's alpha-reliability"). δ² is 0/1 for ``nominal`` data and (c − k)²
for ``interval`` data. Sums are computed per unit in closed form, so the cost is
linear in the number of values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Literal, TypeVar

import attrs

Metric = Literal["nominal", "interval"]
T = TypeVar("T")


@attrs.frozen
class Alpha:
    alpha: float | None
    reason: str | None
    n: int
    """Pairable values (values in units with at least two)."""
    units: int
    """Pairable units."""


def _pairable(units: Iterable[Sequence[T | None]]) -> Iterator[list[T]]:
    """Each unit's values, missing ones dropped, for units with at least two."""
    for unit in units:
        values = [v for v in unit if v is not None]
        if len(values) >= 2:
            yield values


def nominal_alpha(units: Iterable[Sequence[Hashable | None]]) -> Alpha:
    observed = 0.0  # Σ_u (n_u² − Σ_c n_uc²) / (n_u − 1): disagreeing coincidences
    totals: Counter[Hashable] = Counter()
    n = pairable = 0
    for values in _pairable(units):
        m = len(values)
        counts = Counter(values)
        observed += (m * m - sum(c * c for c in counts.values())) / (m - 1)
        totals.update(counts)
        n += m
        pairable += 1
    expected = n * n - sum(c * c for c in totals.values())
    return _finish(observed, expected, n, pairable)


def interval_alpha(units: Iterable[Sequence[float | None]]) -> Alpha:
    observed = 0.0  # Σ_u Σ_{i≠j} (v_i − v_j)² / (n_u − 1)
    total = total_sq = 0.0
    n = pairable = 0
    for values in _pairable(units):
        m = len(values)
        s, sq = sum(values), sum(v * v for v in values)
        observed += 2 * (m * sq - s * s) / (m - 1)
        total += s
        total_sq += sq
        n += m
        pairable += 1
    expected = 2 * (n * total_sq - total * total)
    return _finish(observed, expected, n, pairable)


def _finish(observed: float, expected: float, n: int, units: int) -> Alpha:
    if units == 0:
        return Alpha(None, "no unit has values from two observers", 0, 0)
    if expected <= 0:
        return Alpha(None, "every value is the same: no variation to agree on (D_e = 0)", n, units)
    # α = 1 − D_o/D_e = 1 − (n − 1) · observed / expected
    return Alpha(1 - (n - 1) * observed / expected, None, n, units)
