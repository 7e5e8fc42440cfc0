"""The codebook's rules for ratings and composites, each problem with its JSON path.

A rating is a ``scale`` (``min``, ``max``, ``step``, ``anchors``), a ``category``
(``values``, each with an optional ``class``: every value has one or none does) or
a ``check`` (yes or no: none of the scale's or category's fields). A segment-scoped
rating may name the segments it is asked in. A composite sums or averages scale
and check items of one scope; ``min_items`` lies between 1 and the number of items.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from observer.codebook.model import MAX_SCALE_POINTS, NUMBER_PATTERN, VALUE_PATTERN, Rating, on_step
from observer.codebook.raw import ids, items, number, string
from observer.errors import Problem, ProblemAt

SCALE_FIELDS = ("min", "max", "step", "anchors")
KINDS = ("scale", "category", "check")


def check(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    """Each rating and composite."""
    actors = ids(raw, "actors")
    segments = {string(s, "id") for _, s in items(raw, "segments")}
    ratings: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, rating in items(raw, "ratings"):
        yield from _rating(f"ratings[{i}]", rating, actors, segments, p)
        rating_id = string(rating, "id")
        if rating_id is not None and rating_id not in ratings:
            ratings[rating_id] = (i, rating)
    for i, composite in items(raw, "composites"):
        yield from _composite(f"composites[{i}]", composite, ratings, p)


def _kind(rating: dict[str, Any]) -> str | None:
    kind = rating.get("kind", "scale")
    return kind if kind in KINDS else None


def _rating(
    at: str,
    rating: dict[str, Any],
    actors: set[str | None] | None,
    segments: set[str | None],
    p: ProblemAt,
) -> Iterator[Problem]:
    actor = string(rating, "actor")
    if actor is not None and actors is not None and actor not in actors:
        yield p(f"{at}.actor", f"unknown actor {actor!r}")
    yield from _scope(at, rating, segments, p)
    kind = _kind(rating)
    if kind == "scale":
        for name in ("min", "max"):
            if name not in rating:
                yield p(f"{at}.{name}", "missing required field")
            elif rating[name] is None:
                yield p(f"{at}.{name}", "expected a number, got null")
        if "values" in rating:
            yield p(f"{at}.values", 'only a category rating has values (add "kind": "category")')
        yield from _scale(at, rating, p)
        return
    if kind is None:
        return  # the structural check reports the kind
    what = "a check is yes or no" if kind == "check" else "a category has values"
    for name in SCALE_FIELDS:
        if name in rating:
            yield p(f"{at}.{name}", f"a {kind} rating has no {name} ({what}, not a scale)")
    if kind == "check":
        if "values" in rating:
            yield p(f"{at}.values", "a check rating has no values (it is yes or no)")
        return
    yield from _values(at, rating, p)


def _scope(
    at: str, rating: dict[str, Any], segments: set[str | None], p: ProblemAt
) -> Iterator[Problem]:
    scope = rating.get("scope", "session")
    if scope == "segment" and not segments:
        yield p(f"{at}.scope", "segment-scoped rating, but the codebook has no segments")
    named = rating.get("segments")
    if not isinstance(named, list):
        return
    if scope != "segment":
        yield p(
            f"{at}.segments", 'only a segment-scoped rating names segments ("scope": "segment")'
        )
        return
    if not named:
        yield p(f"{at}.segments", "must list at least one segment (leave it out for every segment)")
    seen: dict[str, int] = {}
    for k, segment in enumerate(named):
        if not isinstance(segment, str):
            continue
        if segments and segment not in segments:
            yield p(f"{at}.segments[{k}]", f"unknown segment {segment!r}")
        if segment in seen:
            yield p(
                f"{at}.segments[{k}]",
                f"segment {segment!r} listed twice (also {at}.segments[{seen[segment]}])",
            )
        seen.setdefault(segment, k)


def _values(at: str, rating: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    values = items(rating, "values")
    if "values" not in rating:
        yield p(f"{at}.values", "missing required field (a category lists its values)")
        return
    if rating.get("values") == []:
        yield p(f"{at}.values", "must list at least one value")
    first: dict[str, int] = {}
    with_class: int | None = None
    without_class: int | None = None
    for k, value in values:
        vat = f"{at}.values[{k}]"
        value_id = string(value, "id")
        if value_id is not None:
            if not VALUE_PATTERN.fullmatch(value_id):
                yield p(
                    f"{vat}.id",
                    f"{value_id!r} is not a valid value id (use A-Z, a-z, 0-9, '.', '_', '+', '-')",
                )
            folded = value_id.casefold()
            if folded in first:
                yield p(
                    f"{vat}.id",
                    f"duplicate id {value_id!r} (also {at}.values[{first[folded]}];"
                    " a value is typed in either case)",
                )
            first.setdefault(folded, k)
        label = string(value, "label")
        if label is not None and not label.strip():
            yield p(f"{vat}.label", "must not be empty")
        cls = value.get("class")
        if isinstance(cls, str):
            if not VALUE_PATTERN.fullmatch(cls):
                yield p(
                    f"{vat}.class",
                    f"{cls!r} is not a valid class (use A-Z, a-z, 0-9, '.', '_', '+', '-')",
                )
            with_class = k if with_class is None else with_class
        elif "class" not in value or cls is None:
            without_class = k if without_class is None else without_class
    if with_class is not None and without_class is not None:
        yield p(
            f"{at}.values[{without_class}]",
            f"has no class while {at}.values[{with_class}] has one"
            " (give every value a class, or none)",
        )


def _scale(at: str, rating: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    low, high, step = number(rating, "min"), number(rating, "max"), number(rating, "step", 1)
    if step is not None and step <= 0:
        yield p(f"{at}.step", "must be greater than 0")
        step = None
    if low is None or high is None:
        return
    if not low < high:
        yield p(f"{at}.max", f"max ({high}) must be greater than min ({low})")
        return
    if step is None:
        return
    if not math.isfinite(high - low):
        yield p(f"{at}.max", f"the scale {low} to {high} is too wide")
        return
    if not on_step(high - low, step):
        yield p(f"{at}.step", f"max - min ({high - low}) is not a multiple of step ({step})")
        return
    points = round((high - low) / step) + 1
    if points > MAX_SCALE_POINTS:
        yield p(f"{at}.step", f"the scale has {points} points (at most {MAX_SCALE_POINTS})")
    anchors = rating.get("anchors")
    scale = Rating(id="", label="", min=low, max=high, step=step)
    for anchor in anchors if isinstance(anchors, dict) else {}:
        if not NUMBER_PATTERN.fullmatch(anchor):
            yield p(f"{at}.anchors.{anchor}", "an anchor's key must be a number on the scale")
        elif not scale.accepts(float(anchor)):
            yield p(f"{at}.anchors.{anchor}", f"{anchor} is not on the scale {low}-{high}")


def _composite(
    at: str, composite: dict[str, Any], ratings: dict[str, tuple[int, dict[str, Any]]], p: ProblemAt
) -> Iterator[Problem]:
    composite_id = string(composite, "id")
    if composite_id is not None and composite_id in ratings:
        yield p(
            f"{at}.id", f"{composite_id!r} is also the id of ratings[{ratings[composite_id][0]}]"
        )
    of = composite.get("of")
    if not isinstance(of, list):
        return
    if not of:
        yield p(f"{at}.of", "must list at least one item")
    seen: dict[str, int] = {}
    scopes: dict[str, int] = {}
    for k, item in enumerate(of):
        if not isinstance(item, str):
            continue
        iat = f"{at}.of[{k}]"
        if item in seen:
            yield p(iat, f"item {item!r} listed twice (also {at}.of[{seen[item]}])")
            continue
        seen[item] = k
        found = ratings.get(item)
        if found is None:
            yield p(iat, f"unknown rating {item!r}")
            continue
        if _kind(found[1]) == "category":
            yield p(iat, f"{item!r} is a category rating (a composite takes scale and check items)")
        scope = found[1].get("scope", "session")
        if isinstance(scope, str):
            scopes.setdefault(scope, k)
    if len(scopes) > 1:
        yield p(
            f"{at}.of[{max(scopes.values())}]",
            "mixes session and segment-scoped items (a composite's items share one scope)",
        )
    needed = number(composite, "min_items")
    if needed is not None and of and not 1 <= needed <= len(of):
        yield p(f"{at}.min_items", f"must be between 1 and {len(of)} (the number of items)")
