"""Quasi-independence: a two-way table in which some cells cannot hold a count.

When consecutive codes cannot repeat, the diagonal of a lag-1 table is structurally
zero, and "no sequential dependence" is the model of row and column effects over the
other cells (quasi-independence; Bakeman & Quera 1995). Its expected counts have no
closed form: :func:`fit` finds them by iterative proportional fitting. Nor does the
adjusted residual keep the closed form of the full table: :func:`adjusted_residuals`
computes Haberman's, (x − e) / √(e (1 − h)), with h the leverage of the cell in the
Poisson log-linear model of that structure (Christensen 1997, p. 357).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

ROUNDS = 200
TOLERANCE = 1e-10
EXACT_FIT = 1e-9  # 1 − h at or below this: the cell is fitted exactly, it has no residual

Grid = Sequence[Sequence[float]]


def fit(x: Grid, free: Sequence[Sequence[bool]]) -> list[list[float]]:
    """Expected counts with the row and column totals of ``x``, 0 where ``free`` is False."""
    k = len(x)
    rows = [sum(r) for r in x]
    cols = [sum(x[i][j] for i in range(k)) for j in range(k)]
    n = sum(rows)
    e = [[1.0 if free[i][j] else 0.0 for j in range(k)] for i in range(k)]
    for _ in range(ROUNDS):
        for i in range(k):
            s = sum(e[i])
            factor = rows[i] / s if s else 0.0
            e[i] = [v * factor for v in e[i]]
        for j in range(k):
            s = sum(e[i][j] for i in range(k))
            factor = cols[j] / s if s else 0.0
            for i in range(k):
                e[i][j] *= factor
        worst = max(abs(sum(e[i]) - rows[i]) for i in range(k))
        if worst < TOLERANCE * max(n, 1):
            break
    return e


def _inverse(m: list[list[float]]) -> list[list[float]] | None:
    """Gauss-Jordan with partial pivoting; None for a singular matrix."""
    p = len(m)
    scale = max((abs(m[i][i]) for i in range(p)), default=0.0)
    a = [row[:] + [float(i == j) for j in range(p)] for i, row in enumerate(m)]
    for col in range(p):
        pivot = max(range(col, p), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) <= 1e-12 * scale:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        lead = a[col][col]
        a[col] = [v / lead for v in a[col]]
        for r in range(p):
            if r != col and a[r][col]:
                f = a[r][col]
                a[r] = [v - f * w for v, w in zip(a[r], a[col], strict=True)]
    return [row[p:] for row in a]


def adjusted_residuals(
    x: Grid, e: Grid, free: Sequence[Sequence[bool]]
) -> list[list[float | None]] | None:
    """Haberman's adjusted residual of every free cell; None where it has no variance.

    The model has an intercept and one effect for each row and column with a non-zero
    total but the first; a free cell's design vector picks its row's and its column's.
    The whole result is None when the structure leaves the effects unidentified (the
    information matrix is singular), as with two codes that cannot repeat.
    """
    k = len(x)
    rows = [i for i in range(k) if sum(x[i])]
    cols = [j for j in range(k) if sum(x[i][j] for i in range(k))]
    row_param = {i: 1 + n for n, i in enumerate(rows[1:])}
    col_param = {j: len(rows) + n for n, j in enumerate(cols[1:])}
    size = len(rows) + len(cols) - 1

    def params(i: int, j: int) -> list[int]:
        picked = [0]
        if i in row_param:
            picked.append(row_param[i])
        if j in col_param:
            picked.append(col_param[j])
        return picked

    cells = [(i, j) for i in rows for j in cols if free[i][j]]
    info = [[0.0] * size for _ in range(size)]
    for i, j in cells:
        for p in params(i, j):
            for q in params(i, j):
                info[p][q] += e[i][j]
    inverse = _inverse(info) if cells else None
    if inverse is None:
        return None
    z: list[list[float | None]] = [[None] * k for _ in range(k)]
    for i, j in cells:
        ps = params(i, j)
        leverage = e[i][j] * sum(inverse[p][q] for p in ps for q in ps)
        if e[i][j] > 0 and 1 - leverage > EXACT_FIT:
            z[i][j] = (x[i][j] - e[i][j]) / math.sqrt(e[i][j] * (1 - leverage))
    return z
