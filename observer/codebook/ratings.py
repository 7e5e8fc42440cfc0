"""The codebook's rules for ratings and composites, each problem with its JSON path.

A rating is a ``scale`` (``min``, ``max``, ``step``, ``anchors``), a ``category``
(``values``, each with an optional ``class``: every value has one or none does) or
a ``check`` (yes or no: none of the scale's or category's fields). A segment-scoped
rating may name the segments it is asked in. A composite sums or averages scale
and check items of one scope (an item may be reverse-keyed: not a category's);
``min_items`` lies between 1 and the number of items. An ``allocation`` (``parts``,
``total``) is rated once per session, and its parts can reach the total. A category
may be the forced alternative (``alternative_to``) of another category of its scope.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from observer.codebook.model import (
    ID_PATTERN,
    MAX_ALLOCATION_TOTAL,
    MAX_SCALE_POINTS,
    NUMBER_PATTERN,
    VALUE_PATTERN,
    Rating,
    on_step,
)
from observer.codebook.raw import ids, items, number, string
from observer.errors import Problem, ProblemAt

SCALE_FIELDS = ("min", "max", "step", "anchors")
KINDS = ("scale", "category", "check", "allocation")
ALLOCATION_FIELDS = ("parts", "total")


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
    yield from _alternatives(ratings, p)
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
    if kind != "allocation":
        for name in ALLOCATION_FIELDS:
            if name in rating:
                yield p(f"{at}.{name}", f'only an allocation has {name} (add "kind": "allocation")')
    if "alternative_to" in rating and kind != "category" and kind is not None:
        yield p(f"{at}.alternative_to", "only a category rating is a forced alternative")
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
    what = {
        "check": "a check is yes or no",
        "category": "a category has values",
        "allocation": "an allocation spreads points over parts",
    }[kind]
    for name in SCALE_FIELDS:
        if name in rating:
            yield p(f"{at}.{name}", f"a {kind} rating has no {name} ({what}, not a scale)")
    if kind == "check":
        if "values" in rating:
            yield p(f"{at}.values", "a check rating has no values (it is yes or no)")
        return
    if kind == "allocation":
        if "values" in rating:
            yield p(f"{at}.values", "an allocation has no values (it has parts)")
        yield from _allocation(at, rating, p)
        return
    yield from _values(at, rating, p)


def _allocation(at: str, rating: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    """Its total, its parts (ids, labels, each one's max), and that they reach the total."""
    if rating.get("scope", "session") != "session":
        yield p(f"{at}.scope", "an allocation is rated once per session")
    if "total" not in rating:
        yield p(f"{at}.total", "missing required field (the points spread over the parts)")
    total = rating.get("total")
    if isinstance(total, bool) or not isinstance(total, int):
        total = None  # a fault of type: reported by the structuring
    elif not 1 <= total <= MAX_ALLOCATION_TOTAL:
        yield p(f"{at}.total", f"must be a whole number from 1 to {MAX_ALLOCATION_TOTAL}")
        total = None
    if "parts" not in rating:
        yield p(f"{at}.parts", "missing required field (an allocation lists its parts)")
        return
    parts = items(rating, "parts")
    if isinstance(rating.get("parts"), list) and len(rating["parts"]) < 2:
        yield p(f"{at}.parts", "must list at least two parts")
    first: dict[str, int] = {}
    reach = 0
    for k, part in parts:
        pat = f"{at}.parts[{k}]"
        part_id = string(part, "id")
        if part_id is not None:
            if not ID_PATTERN.fullmatch(part_id):
                yield p(f"{pat}.id", f"{part_id!r} is not a valid id (use a-z, 0-9, '.', '_', '-')")
            if part_id in first:
                yield p(
                    f"{pat}.id", f"duplicate id {part_id!r} (also {at}.parts[{first[part_id]}])"
                )
            first.setdefault(part_id, k)
        label = string(part, "label")
        if label is not None and not label.strip():
            yield p(f"{pat}.label", "must not be empty")
        most = part.get("max")
        if isinstance(most, bool) or not isinstance(most, int | None):
            reach = -1  # a fault of type: reported by the structuring
            continue
        if most is not None and total is not None and not 0 <= most <= total:
            yield p(f"{pat}.max", f"must be a whole number from 0 to the total ({total})")
            reach = -1
        elif reach >= 0 and total is not None:
            reach += total if most is None else most
    if total is not None and 0 <= reach < total and parts:
        yield p(
            f"{at}.parts",
            f"the parts can take at most {reach} points together, fewer than the total {total}",
        )


def _alternatives(
    ratings: dict[str, tuple[int, dict[str, Any]]], p: ProblemAt
) -> Iterator[Problem]:
    """A forced alternative names another category rating of its scope, which is not
    itself an alternative and has no other one."""
    taken: dict[str, int] = {}
    for rating_id, (i, rating) in ratings.items():
        other = rating.get("alternative_to")
        if not isinstance(other, str) or _kind(rating) != "category":
            continue
        at = f"ratings[{i}].alternative_to"
        found = ratings.get(other)
        if other == rating_id:
            yield p(at, "a rating is not its own alternative")
        elif found is None:
            yield p(at, f"unknown rating {other!r}")
        elif _kind(found[1]) != "category":
            yield p(at, f"{other!r} is not a category rating (an alternative is to a category)")
        elif isinstance(found[1].get("alternative_to"), str):
            yield p(at, f"{other!r} is itself an alternative (name the rating it is to)")
        elif found[1].get("scope", "session") != rating.get("scope", "session"):
            yield p(at, f"{other!r} has another scope (an alternative is asked where it is)")
        elif other in taken:
            yield p(at, f"{other!r} already has an alternative (ratings[{taken[other]}])")
        else:
            taken[other] = i


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
    for k, entry in enumerate(of):
        iat = f"{at}.of[{k}]"
        reverse = False
        if isinstance(entry, dict):
            item, reverse = entry.get("rating"), entry.get("reverse") is True
            iat += ".rating"
        else:
            item = entry
        if not isinstance(item, str):
            continue
        if item in seen:
            yield p(iat, f"item {item!r} listed twice (also {at}.of[{seen[item]}])")
            continue
        seen[item] = k
        found = ratings.get(item)
        if found is None:
            yield p(iat, f"unknown rating {item!r}")
            continue
        kind = _kind(found[1])
        if reverse and kind == "category":
            yield p(
                f"{at}.of[{k}].reverse",
                f"{item!r} is a category rating: only a scale or a check item is reversed",
            )
        elif kind in ("category", "allocation"):
            yield p(
                iat,
                f"{item!r} is a{'n' if kind == 'allocation' else ''} {kind} rating"
                " (a composite takes scale and check items)",
            )
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
