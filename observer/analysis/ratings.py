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

An allocation is agreed on per part as a scale from 0 to the part's maximum (ICC,
quadratic-weighted κ on the points, α), and as a whole by the share of points in
agreement: for one target, Σ over parts of min(a, b) / total (1 when both raters
spread the points alike, 0 when they gave no part points in common), averaged over
the targets both rated. A category with a forced alternative adds the pair
(``D/B3`` against ``D/B2``) as a nominal item of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import attrs

from observer.analysis.alpha import interval_alpha
from observer.analysis.kappa import Kappa, Tally, cohen, quadratic_kappa, square, weighted_kappa
from observer.codebook import AllocationPart, Codebook, Composite, Rating
from observer.errors import InputError, Problem
from observer.scores import composite_value, item_value, pair_id, pair_value
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


MANY_RATERS = "more than two raters: see the pairwise values"


def _head(item: NumericItem | NominalItem | AllocationItem) -> dict[str, Any]:
    """What every item's JSON object starts with (docs/analysis.md)."""
    return {
        "rating": item.rating,
        "segment": item.segment,
        "kind": item.kind,
        "targets": item.targets,
        "complete": item.complete,
        "missing": item.targets - item.complete,
    }


@attrs.frozen
class WeightedPair:
    """Quadratic-weighted κ of one pair of raters over the targets both rated."""

    a: str
    b: str
    kappa: float | None
    reason: str | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "weighted_kappa": self.kappa,
            "weighted_kappa_reason": self.reason,
            "n": self.n,
        }


@attrs.frozen
class NumericItem:
    """A scale item or a composite: ICC(A,1), weighted κ (per pair; alone for two
    raters) and interval α, each None with its reason when undefined."""

    rating: str
    segment: str | None
    kind: str
    targets: int
    complete: int
    icc: float | None
    icc_reason: str | None
    pairs: tuple[WeightedPair, ...]
    alpha: float | None
    alpha_reason: str | None
    scale: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        if len(self.pairs) == 1:
            wk, wk_reason = self.pairs[0].kappa, self.pairs[0].reason
        else:
            wk, wk_reason = None, MANY_RATERS
        out: dict[str, Any] = {
            **_head(self),
            "icc_a1": self.icc,
            "icc_a1_reason": self.icc_reason,
            "weighted_kappa": wk,
            "weighted_kappa_reason": wk_reason,
            "pairs": [p.as_dict() for p in self.pairs],
            "alpha_interval": self.alpha,
            "alpha_interval_reason": self.alpha_reason,
        }
        if self.scale is not None:
            out["scale"] = self.scale
        return out


def _numeric(
    name: str, segment: str | None, kind: str, grid: Grid, raters: list[str], position: Any
) -> NumericItem:
    """ICC(A,1), quadratic-weighted κ per pair and interval α of numeric ratings;
    ``position`` maps two raters' values to weighted κ (value, reason)."""
    complete = [[float(v) for v in row] for row in grid if None not in row]
    icc, icc_reason = icc_a1(complete)
    pairs: list[WeightedPair] = []
    for x, y in combinations(range(len(raters)), 2):
        both = [(row[x], row[y]) for row in grid if row[x] is not None and row[y] is not None]
        value, reason = position(both) if len(both) >= 2 else _few(len(both))
        pairs.append(WeightedPair(raters[x], raters[y], value, reason, len(both)))
    alpha = interval_alpha([[None if v is None else float(v) for v in row] for row in grid])
    if alpha.units < 2:
        alpha = attrs.evolve(alpha, alpha=None, reason=_few(alpha.units, "two raters or more")[1])
    return NumericItem(
        name,
        segment,
        kind,
        len(grid),
        len(complete),
        icc,
        icc_reason,
        tuple(pairs),
        alpha.alpha,
        alpha.reason,
    )


def _scale_item(
    rating: Rating, segment: str | None, raters: list[str], targets: list[Target]
) -> NumericItem:
    grid = _grid(raters, targets, lambda s: item_value(s.ratings, rating, segment))
    points = len(rating.scale())

    def position(both: list[tuple[Any, Any]]) -> tuple[float | None, str | None]:
        steps = [(_position(rating, a), _position(rating, b)) for a, b in both]
        return weighted_kappa(steps, points)

    out = _numeric(rating.id, segment, "scale", grid, raters, position)
    return attrs.evolve(out, scale={"min": rating.min, "max": rating.max, "step": rating.step})


def _part_item(
    rating: Rating, part: AllocationPart, raters: list[str], targets: list[Target]
) -> NumericItem:
    """One part of an allocation, as a scale of points from 0 to the part's maximum."""

    def points(session: Session) -> int | None:
        value = item_value(session.ratings, rating, None)
        return value.get(part.id) if isinstance(value, dict) else None

    grid = _grid(raters, targets, points)
    count = rating.part_max(part) + 1

    def position(both: list[tuple[Any, Any]]) -> tuple[float | None, str | None]:
        return weighted_kappa([(int(a), int(b)) for a, b in both], count)

    out = _numeric(f"{rating.id}.{part.id}", None, "allocation-part", grid, raters, position)
    return attrs.evolve(out, scale={"min": 0, "max": rating.part_max(part), "step": 1})


def points_in_agreement(a: dict[str, int], b: dict[str, int], total: int) -> float:
    """The share of an allocation's points two raters agree on: Σ min(a, b) / total."""
    return sum(min(a.get(part, 0), points) for part, points in b.items()) / total


@attrs.frozen
class PointsPair:
    a: str
    b: str
    agreement: float | None
    reason: str | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "points_agreement": self.agreement,
            "points_agreement_reason": self.reason,
            "n": self.n,
        }


@attrs.frozen
class AllocationItem:
    """An allocation as a whole: the mean share of points in agreement, per pair of
    raters (alone for two), over the targets both rated; its parts are items of
    their own (``ITEM.PART``)."""

    rating: str
    segment: str | None
    kind: str
    targets: int
    complete: int
    total: int
    pairs: tuple[PointsPair, ...]

    def as_dict(self) -> dict[str, Any]:
        if len(self.pairs) == 1:
            top, reason = self.pairs[0].agreement, self.pairs[0].reason
        else:
            top, reason = None, MANY_RATERS
        return {
            **_head(self),
            "total": self.total,
            "points_agreement": top,
            "points_agreement_reason": reason,
            "pairs": [p.as_dict() for p in self.pairs],
        }


def _allocation_item(rating: Rating, raters: list[str], targets: list[Target]) -> AllocationItem:
    grid = _grid(raters, targets, lambda s: item_value(s.ratings, rating, None))
    total = rating.total or 1
    pairs = []
    for x, y in combinations(range(len(raters)), 2):
        shares = [
            points_in_agreement(row[x], row[y], total)
            for row in grid
            if isinstance(row[x], dict) and isinstance(row[y], dict)
        ]
        if not shares:
            pairs.append(PointsPair(raters[x], raters[y], None, "no target rated by both", 0))
        else:
            mean = round(sum(shares) / len(shares), 12)
            pairs.append(PointsPair(raters[x], raters[y], mean, None, len(shares)))
    complete = sum(1 for row in grid if None not in row)
    return AllocationItem(rating.id, None, "allocation", len(grid), complete, total, tuple(pairs))


def _pair_item(
    main: Rating, alternative: Rating, segment: str | None, raters: list[str], targets: list[Target]
) -> NominalItem:
    """A classification with its forced alternative (``D/B3``), as one nominal item."""

    def value(session: Session) -> Any:
        return pair_value(
            item_value(session.ratings, main, segment),
            item_value(session.ratings, alternative, segment),
        )

    grid = _grid(raters, targets, value)
    complete = sum(1 for row in grid if None not in row)
    values = _nominal(_tallies(grid, raters, str))
    name = pair_id(main, alternative)
    return NominalItem(name, segment, "pair", len(grid), complete, values, None)


def _position(rating: Rating, value: float) -> int:
    return round((value - rating.low) / rating.step)


def _composite_item(
    book: Codebook,
    composite: Composite,
    segment: str | None,
    raters: list[str],
    targets: list[Target],
) -> NumericItem:
    grid = _grid(raters, targets, lambda s: composite_value(book, s.ratings, composite, segment))
    return _numeric(composite.id, segment, "composite", grid, raters, quadratic_kappa)


@attrs.frozen
class NominalPair:
    a: str
    b: str
    kappa: Kappa
    table: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, **self.kappa.fields(), "table": self.table}


@attrs.frozen
class Nominal:
    """Cohen's κ and percentage agreement per pair of raters (at the top for two)."""

    pairs: tuple[NominalPair, ...]

    def as_dict(self) -> dict[str, Any]:
        if len(self.pairs) == 1:
            top = self.pairs[0].kappa.fields()
        else:
            top = {"kappa": None, "kappa_reason": MANY_RATERS, "agreement": None, "n": None}
        return {**top, "pairs": [p.as_dict() for p in self.pairs]}


def _nominal(tallies: list[tuple[str, str, Tally]]) -> Nominal:
    """Cohen's κ and percentage agreement per pair of raters (and alone for two);
    κ needs two targets rated by both, as every other rating statistic does."""
    pairs = []
    for a, b, tally in tallies:
        table = square(tally, sorted({label for pair in tally for label in pair}))
        k = cohen(tally)
        if k.n < 2:  # one target: κ would be 0 or undefined by chance, as ICC's is
            k = attrs.evolve(k, kappa=None, reason=_few(k.n)[1], agreement=None)
        pairs.append(NominalPair(a, b, k, table))
    return Nominal(tuple(pairs))


@attrs.frozen
class NominalItem:
    """A category or check item (a category with classes also at class level)."""

    rating: str
    segment: str | None
    kind: str
    targets: int
    complete: int
    values: Nominal
    classes: Nominal | None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            **_head(self),
            **self.values.as_dict(),
        }
        if self.classes is not None:
            out["classes"] = self.classes.as_dict()
        return out


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
) -> NominalItem:
    grid = _grid(raters, targets, lambda s: item_value(s.ratings, rating, segment))
    complete = sum(1 for row in grid if None not in row)

    def label(value: Any) -> str:
        return ("yes" if value else "no") if rating.kind == "check" else str(value)

    classes = None
    if rating.classes:
        classes = _nominal(_tallies(grid, raters, lambda v: str(rating.class_of(v))))
    values = _nominal(_tallies(grid, raters, label))
    return NominalItem(rating.id, segment, rating.kind, len(grid), complete, values, classes)


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
                    segmented = isinstance(raw, dict) and rating.kind != "allocation"
                    problem = None if segmented else rating.problem(raw)
                    if problem is not None:
                        where = f"ratings.{rating.id}" + (f".{segment}" if segment else "")
                        problems.append(Problem(session.id, where, problem))
    if problems:
        raise InputError(problems)


@attrs.frozen
class RatingAgreement:
    raters: tuple[str, ...]
    targets: tuple[Target, ...]
    items: tuple[NumericItem | NominalItem | AllocationItem, ...]

    def as_dict(self) -> dict[str, Any]:
        """The ``ratings`` object of docs/analysis.md."""
        return {
            "raters": list(self.raters),
            "targets": [
                {"target": t.name, "sessions": {r: s.id for r, s in t.sessions.items()}}
                for t in self.targets
            ],
            "items": [item.as_dict() for item in self.items],
        }


def rating_agreement(book: Codebook, raters: list[str], targets: list[Target]) -> dict[str, Any]:
    """:func:`agreement_on_ratings` as the JSON object of docs/analysis.md."""
    return agreement_on_ratings(book, raters, targets).as_dict()


def agreement_on_ratings(
    book: Codebook, raters: list[str], targets: list[Target]
) -> RatingAgreement:
    """Every rating item of ``book`` (per segment for segment-scoped ones), then
    every composite, then every forced-alternative pair: scales, composites and
    allocation parts by ICC(A,1) and quadratic-weighted κ, an allocation also by the
    share of points in agreement, category, check and pair items by Cohen's κ and
    percentage agreement."""
    _check_scales(book, targets)
    items: list[NumericItem | NominalItem | AllocationItem] = []
    for rating in book.ratings:
        if rating.kind == "allocation":
            items.append(_allocation_item(rating, raters, targets))
            items.extend(_part_item(rating, part, raters, targets) for part in rating.parts)
            continue
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
    for main, alternative in book.alternatives():
        segments = [s.id for s in book.rating_segments(main)] if main.scope == "segment" else [None]
        for segment in segments:
            items.append(_pair_item(main, alternative, segment, raters, targets))
    return RatingAgreement(tuple(raters), tuple(targets), tuple(items))
