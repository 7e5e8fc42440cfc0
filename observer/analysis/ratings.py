"""Agreement on ratings: ICC(A,1), quadratic-weighted κ and Krippendorff's α for
scales and composites; Cohen's κ and percentage agreement for category and check
items (a category with classes also at the level of its classes).

A *target* is one observed session coded by several observers (the raters).
Targets come from explicit pairs (``A1 B1 A2 B2 …``: raters "first" and
"second") or from a folder (sessions of the same dyad are one target; each
observer is a rater; two sessions of one dyad by one observer are refused).

Per rating item (and per segment for segment-scoped items):
- ICC(A,1), two-way random effects, absolute agreement, single rater (Shrout &
  Fleiss 1979 ICC(2,1); McGraw & Wong 1996 ICC(A,1)), on the targets every rater
  rated (complete cases; the others are counted as ``missing``);
- quadratic-weighted κ (Cohen 1968) for each pair of raters, on the targets both
  rated, with the item's scale points as the categories;
- Krippendorff's α (interval), which uses every rating given, missing or not.

A composite (computed from each session's items, see ``observer.scores``)
is treated like a scale; its quadratic-weighted κ uses the distance between the
values themselves. A category or check item gets Cohen's κ (1960) and the share of
targets on which two raters agree, per pair of raters, over the targets both rated.
A null rating (left blank) or an absent one counts as missing, never as a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import attrs

from observer.analysis.alpha import interval_alpha
from observer.analysis.kappa import Tally, cohen, quadratic_kappa, square, weighted_kappa
from observer.codebook import Codebook, Composite, Rating
from observer.errors import InputError, Problem
from observer.scores import composite_value, item_value
from observer.sessionfile import Session

PAIR_RATERS = ("first", "second")


@attrs.frozen
class Target:
    name: str
    sessions: dict[str, Session]
    """Rater → session."""


def targets_from_pairs(sessions: Sequence[Session]) -> tuple[list[str], list[Target]]:
    """``A1 B1 A2 B2 …``: each consecutive two are one target, raters first and second."""
    pairs = [sessions[i : i + 2] for i in range(0, len(sessions), 2)]
    targets = [
        Target(f"{a.dyad} ({a.id} | {b.id})", dict(zip(PAIR_RATERS, (a, b), strict=True)))
        for a, b in pairs
    ]
    return list(PAIR_RATERS), targets


def targets_by_dyad(sessions: Sequence[tuple[str, Session]]) -> tuple[list[str], list[Target]]:
    """Sessions of the same dyad form one target, each observer a rater."""
    by_dyad: dict[str, dict[str, tuple[str, Session]]] = {}
    problems: list[Problem] = []
    for name, session in sessions:
        seen = by_dyad.setdefault(session.dyad, {})
        if session.observer in seen:
            problems.append(
                Problem(
                    name,
                    "observer",
                    f"a second session of dyad {session.dyad!r} by observer "
                    f"{session.observer!r} (also {seen[session.observer][0]}): "
                    "name the sessions to compare in pairs instead of a folder",
                )
            )
        seen[session.observer] = (name, session)
    if problems:
        raise InputError(problems)
    raters = sorted({s.observer for _, s in sessions})
    targets = [
        Target(dyad, {obs: s for obs, (_, s) in found.items()})
        for dyad, found in sorted(by_dyad.items())
    ]
    return raters, targets


def icc_a1(rows: Sequence[Sequence[float]]) -> tuple[float | None, str | None]:
    """ICC(A,1) of n targets × k raters (every cell present), from the two-way ANOVA:
    (MSR − MSE) / (MSR + (k − 1)·MSE + k·(MSC − MSE)/n)."""
    n = len(rows)
    k = len(rows[0]) if rows else 0
    if n < 2:
        return None, f"needs at least two targets rated by every rater (have {n})"
    if k < 2:
        return None, "needs at least two raters"
    grand = sum(map(sum, rows)) / (n * k)
    row_means = [sum(r) / k for r in rows]
    col_means = [sum(r[j] for r in rows) / n for j in range(k)]
    ss_total = sum((x - grand) ** 2 for r in rows for x in r)
    ss_rows = k * sum((m - grand) ** 2 for m in row_means)
    ss_cols = n * sum((m - grand) ** 2 for m in col_means)
    ms_rows = ss_rows / (n - 1)
    ms_cols = ss_cols / (k - 1)
    ms_error = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    if denominator <= 1e-12 * max(1.0, ss_total):
        return None, "no variation among the ratings (every rating the same)"
    return (ms_rows - ms_error) / denominator, None


Grid = list[list[Any]]
"""Targets × raters: each rater's value for the target, None when missing."""


def _grid(raters: list[str], targets: list[Target], value: Any) -> Grid:
    return [[value(t.sessions[r]) if r in t.sessions else None for r in raters] for t in targets]


def _few(n: int, by: str = "both") -> tuple[None, str]:
    """Agreement over fewer than two targets is undefined (as ICC's), never 0."""
    return None, f"needs at least two targets rated by {by} (have {n})"


def _numeric(
    name: str, segment: str | None, grid: Grid, raters: list[str], position: Any
) -> dict[str, Any]:
    """ICC(A,1), quadratic-weighted κ per pair and interval α of numeric ratings;
    ``position`` maps two raters' values to weighted κ (value, reason)."""
    complete = [[float(v) for v in row] for row in grid if None not in row]
    icc, icc_reason = icc_a1(complete)
    pairs: list[dict[str, Any]] = []
    for x, y in combinations(range(len(raters)), 2):
        both = [(row[x], row[y]) for row in grid if row[x] is not None and row[y] is not None]
        value, reason = position(both) if len(both) >= 2 else _few(len(both))
        pairs.append(
            {
                "a": raters[x],
                "b": raters[y],
                "weighted_kappa": value,
                "weighted_kappa_reason": reason,
                "n": len(both),
            }
        )
    alpha = interval_alpha([[None if v is None else float(v) for v in row] for row in grid])
    if alpha.units < 2:
        alpha = attrs.evolve(alpha, alpha=None, reason=_few(alpha.units, "two raters or more")[1])
    if len(pairs) == 1:
        wk, wk_reason = pairs[0]["weighted_kappa"], pairs[0]["weighted_kappa_reason"]
    else:
        wk, wk_reason = None, "more than two raters: see the pairwise values"
    return {
        "rating": name,
        "segment": segment,
        "targets": len(grid),
        "complete": len(complete),
        "missing": len(grid) - len(complete),
        "icc_a1": icc,
        "icc_a1_reason": icc_reason,
        "weighted_kappa": wk,
        "weighted_kappa_reason": wk_reason,
        "pairs": pairs,
        "alpha_interval": alpha.alpha,
        "alpha_interval_reason": alpha.reason,
    }


def _scale_item(
    rating: Rating, segment: str | None, raters: list[str], targets: list[Target]
) -> dict[str, Any]:
    grid = _grid(raters, targets, lambda s: item_value(s.ratings, rating, segment))
    points = len(rating.scale())

    def position(both: list[tuple[Any, Any]]) -> tuple[float | None, str | None]:
        steps = [(_position(rating, a), _position(rating, b)) for a, b in both]
        return weighted_kappa(steps, points)

    out = _numeric(rating.id, segment, grid, raters, position)
    out = {"rating": rating.id, "segment": segment, "kind": "scale", **out}
    out["scale"] = {"min": rating.min, "max": rating.max, "step": rating.step}
    return out


def _position(rating: Rating, value: float) -> int:
    return round((value - rating.low) / rating.step)


def _composite_item(
    book: Codebook,
    composite: Composite,
    segment: str | None,
    raters: list[str],
    targets: list[Target],
) -> dict[str, Any]:
    grid = _grid(raters, targets, lambda s: composite_value(book, s.ratings, composite, segment))
    out = _numeric(composite.id, segment, grid, raters, quadratic_kappa)
    return {"rating": composite.id, "segment": segment, "kind": "composite", **out}


def _nominal(tallies: list[tuple[str, str, Tally]]) -> dict[str, Any]:
    """Cohen's κ and percentage agreement per pair of raters (and alone for two)."""
    pairs = []
    for a, b, tally in tallies:
        k = cohen(tally)
        n = sum(tally.values())
        if n < 2:  # as for scales: undefined over fewer than two targets, never 0
            k = attrs.evolve(k, kappa=None, reason=_few(n)[1], agreement=None)
        pairs.append(
            {
                "a": a,
                "b": b,
                "kappa": k.kappa,
                "kappa_reason": k.reason,
                "agreement": k.agreement,
                "n": n,
                "table": square(tally, sorted({label for pair in tally for label in pair})),
            }
        )
    if len(pairs) == 1:
        one = pairs[0]
        top = {name: one[name] for name in ("kappa", "kappa_reason", "agreement", "n")}
    else:
        reason = "more than two raters: see the pairwise values"
        top = {"kappa": None, "kappa_reason": reason, "agreement": None, "n": None}
    return {**top, "pairs": pairs}


def _tallies(grid: Grid, raters: list[str], label: Any) -> list[tuple[str, str, Tally]]:
    out = []
    for x, y in combinations(range(len(raters)), 2):
        tally: Tally = Counter(
            (label(row[x]), label(row[y]))
            for row in grid
            if row[x] is not None and row[y] is not None
        )
        out.append((raters[x], raters[y], tally))
    return out


def _nominal_item(
    rating: Rating, segment: str | None, raters: list[str], targets: list[Target]
) -> dict[str, Any]:
    grid = _grid(raters, targets, lambda s: item_value(s.ratings, rating, segment))
    complete = sum(1 for row in grid if None not in row)

    def label(value: Any) -> str:
        return ("yes" if value else "no") if rating.kind == "check" else str(value)

    out: dict[str, Any] = {
        "rating": rating.id,
        "segment": segment,
        "kind": rating.kind,
        "targets": len(grid),
        "complete": complete,
        "missing": len(grid) - complete,
        **_nominal(_tallies(grid, raters, label)),
    }
    if rating.classes:
        out["classes"] = _nominal(_tallies(grid, raters, lambda v: str(rating.class_of(v))))
    return out


def _check_scales(book: Codebook, targets: list[Target]) -> None:
    """Values from a session of another codebook version must be valid in this one."""
    problems: list[Problem] = []
    for target in targets:
        for session in target.sessions.values():
            for rating in book.ratings:
                segments: list[str | None] = [s.id for s in book.rating_segments(rating)]
                for segment in segments or [None]:
                    raw = session.ratings.get(rating.id)
                    if segment is not None:
                        raw = raw.get(segment) if isinstance(raw, dict) else None
                    problem = None if isinstance(raw, dict) else rating.problem(raw)
                    if problem is not None:
                        where = f"ratings.{rating.id}" + (f".{segment}" if segment else "")
                        problems.append(Problem(session.id, where, problem))
    if problems:
        raise InputError(problems)


def rating_agreement(book: Codebook, raters: list[str], targets: list[Target]) -> dict[str, Any]:
    """Every rating item of ``book`` (per segment for segment-scoped ones), then
    every composite: scales and composites by ICC(A,1) and quadratic-weighted κ,
    category and check items by Cohen's κ and percentage agreement."""
    _check_scales(book, targets)
    items: list[dict[str, Any]] = []
    for rating in book.ratings:
        segments: list[str | None] = (
            [s.id for s in book.rating_segments(rating)] if rating.scope == "segment" else [None]
        )
        for segment in segments:
            if rating.kind == "scale":
                items.append(_scale_item(rating, segment, raters, targets))
            else:
                items.append(_nominal_item(rating, segment, raters, targets))
    for composite in book.composites:
        scope, spans = book.composite_scope(composite)
        where: list[str | None] = [s.id for s in spans] if scope == "segment" else [None]
        for segment in where:
            items.append(_composite_item(book, composite, segment, raters, targets))
    return {
        "raters": raters,
        "targets": [
            {"target": t.name, "sessions": {r: s.id for r, s in t.sessions.items()}}
            for t in targets
        ],
        "items": items,
    }
