"""A session's ratings as reported: every item and every composite, computed.

``scores(book, session.ratings)`` is the ``ratings`` object of ``observer stats``:
``{ITEM_OR_COMPOSITE: VALUE}``, per segment as ``{SEGMENT: VALUE}`` (only the
segments an item is asked in). A scale's value is its number, a category's its
value id, a check's true or false, an allocation's ``{PART: POINTS}``; a blank is
null. A composite is the sum or the mean of its rated items (a check counts 1 for
yes, 0 for no; a reverse-keyed item min + max − value), null when fewer than
``min_items`` of them are rated (every item when it names none). A category with a
forced alternative adds the pair, ``MAIN/ALTERNATIVE`` (``"classification/forced"``:
``"D/B3"``; the main value alone while the alternative is blank). Composites and
pairs are computed here, never read from the session file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

from observer.codebook import Codebook, Composite, Rating, RatingScalar
from observer.table import Cell, Column

BLANK = "–"
"""How a blank (null) rating reads in ``shown`` and ``score_rows``."""
Score = RatingScalar
ScoreValue = Score | dict[str, Score]


def item_value(ratings: dict[str, Any], rating: Rating, segment: str | None) -> Score:
    """The stored value of ``rating`` (in ``segment``), null when blank or absent."""
    raw = ratings.get(rating.id)
    if segment is not None:
        raw = raw.get(segment) if isinstance(raw, dict) else None
    if isinstance(raw, dict) and rating.kind != "allocation":
        return None
    return raw if rating.accepts(raw) else None


def pair_id(main: Rating, alternative: Rating) -> str:
    """The name a forced-alternative pair is reported under (``/`` is in no id)."""
    return f"{main.id}/{alternative.id}"


def pair_value(main: Score, alternative: Score) -> Score:
    """``D/B3``: the main classification with its forced alternative; the main value
    alone while the alternative is blank; null while the main one is."""
    if main is None:
        return None
    return f"{main}" if alternative is None else f"{main}/{alternative}"


def combine(composite: Composite, scores: Sequence[float | None]) -> float | int | None:
    """The composite of the items' scores (None for an unrated item)."""
    rated = [s for s in scores if s is not None]
    if not rated or len(rated) < composite.needed:
        return None
    total = math.fsum(rated)
    value = total if composite.rule == "sum" else total / len(rated)
    value = round(value, 9)
    return int(value) if composite.rule == "sum" and value.is_integer() else value


def composite_value(
    book: Codebook, ratings: dict[str, Any], composite: Composite, segment: str | None
) -> float | int | None:
    out: list[float | None] = []
    for item in composite.items:
        rating = book.rating_by_id[item.rating]
        value = item_value(ratings, rating, segment)
        out.append(rating.reversed_score(value) if item.reverse else rating.score(value))
    return combine(composite, out)


def scores(book: Codebook, ratings: dict[str, Any]) -> dict[str, ScoreValue]:
    """Every item of ``book`` then every composite, from stored ``ratings``."""
    out: dict[str, ScoreValue] = {}
    for rating in book.ratings:
        if rating.scope == "segment":
            out[rating.id] = {
                s.id: item_value(ratings, rating, s.id) for s in book.rating_segments(rating)
            }
        else:
            out[rating.id] = item_value(ratings, rating, None)
    for composite in book.composites:
        scope, segments = book.composite_scope(composite)
        if scope == "segment":
            per: dict[str, Score] = {
                s.id: composite_value(book, ratings, composite, s.id) for s in segments
            }
            out[composite.id] = per
        else:
            out[composite.id] = composite_value(book, ratings, composite, None)
    for main, alternative in book.alternatives():
        name = pair_id(main, alternative)
        first, second = out[main.id], out[alternative.id]
        if isinstance(first, dict) and isinstance(second, dict):
            out[name] = {s: pair_value(v, second.get(s)) for s, v in first.items()}
        elif not isinstance(first, dict) and not isinstance(second, dict):
            out[name] = pair_value(first, second)
    return out


def is_segmented(book: Codebook, name: str, value: ScoreValue) -> bool:
    """Whether ``value`` maps segments to values (an allocation's object does not)."""
    rating = book.rating_by_id.get(name)
    return isinstance(value, dict) and (rating is None or rating.kind != "allocation")


def shown(book: Codebook, rating_id: str, value: Score) -> str:
    """A value as a person reads it: ``B2 (class B)``, ``yes``, ``5``, ``–`` for blank."""
    if value is None:
        return BLANK
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{part} {points}" for part, points in value.items())
    rating = book.rating_by_id.get(rating_id)
    if rating is not None and rating.kind == "category" and isinstance(value, str):
        cls = rating.class_of(value)
        return value if cls is None or cls == value else f"{value} (class {cls})"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def flat(book: Codebook, values: dict[str, ScoreValue]) -> list[tuple[str, str | None, Score]]:
    """(item or composite id, segment or None, value) in codebook order."""
    out: list[tuple[str, str | None, Score]] = []
    for name, value in values.items():
        if is_segmented(book, name, value):
            assert isinstance(value, dict)
            out.extend((name, segment, v) for segment, v in value.items())
        else:
            out.append((name, None, cast(Score, value)))
    return out


def label_of(book: Codebook, name: str) -> str:
    found = book.rating_by_id.get(name) or book.composite_by_id.get(name)
    if found is None and "/" in name:
        main, _, alternative = name.partition("/")
        return f"{label_of(book, main)} / {label_of(book, alternative)}"
    return name if found is None else found.label


def score_rows(book: Codebook, ratings: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for a side panel: (what, value as read), one per item, segment and
    composite; a segment's rows name it (``Proximity seeking · Reunion 1``)."""
    rows: list[tuple[str, str]] = []
    for name, segment, value in flat(book, scores(book, ratings)):
        label = label_of(book, name)
        if segment is not None:
            found = book.segment_by_id.get(segment)
            label += f" · {found.label if found else segment}"
        if name in book.composite_by_id or "/" in name:
            label += " (computed)"
        rows.append((label, shown(book, name, value)))
    return rows


def plain(value: Score) -> str:
    """A value for a file: the number, the value id, ``yes``/``no``, or empty for blank."""
    if value is None:
        return ""
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "|".join(f"{part}:{points}" for part, points in value.items())
    if isinstance(value, float):
        return f"{value:.9g}"
    return str(value)


def in_segment(
    book: Codebook, values: dict[str, ScoreValue], segment: str | None
) -> list[tuple[str, Score]]:
    """(name, value) of the session-wide items (``segment`` None) or of the items
    asked in ``segment``, in codebook order."""
    out: list[tuple[str, Score]] = []
    for name, value in values.items():
        segmented = is_segmented(book, name, value)
        if segment is None and not segmented:
            out.append((name, cast(Score, value)))
        elif segment is not None and segmented and isinstance(value, dict) and segment in value:
            out.append((name, value[segment]))
    return out


def rating_cells(
    book: Codebook, values: dict[str, ScoreValue], segment: str | None = None, *, wide: bool
) -> list[tuple[Column, Cell]]:
    """The ratings as a row's typed cells (:mod:`observer.table`).

    ``wide``: every item and composite of the session, a segment-scoped one as
    ``ITEM_SEGMENT`` for each segment it is asked in; else only those of ``segment``
    (None: the session-wide ones), each as ``ITEM``. A scale or composite is a
    number, a check a check, a category a category of its value ids, followed (when
    its values have classes) by ``ITEM_class``, a category of the classes; an allocation
    a number per part, ``ITEM_PART`` (all empty when not rated). Labels are
    the items' (with the segment's label after `` · ``)."""
    if wide:
        chosen = flat(book, values)
    else:
        chosen = [(name, None, value) for name, value in in_segment(book, values, segment)]
    out: list[tuple[Column, Cell]] = []
    for name, where, value in chosen:
        column = name if where is None else f"{name}_{where}"
        label = label_of(book, name)
        if where is not None:
            found = book.segment_by_id.get(where)
            label += f" · {found.label if found else where}"
        rating = book.rating_by_id.get(name)
        if rating is not None and rating.kind == "allocation":  # a number per part
            points = value if isinstance(value, dict) else {}
            out.extend(
                (
                    Column(f"{column}_{part.id}", "number", f"{label}: {part.label}"),
                    points.get(part.id),
                )
                for part in rating.parts
            )
            continue
        cell = cast(Cell, value)  # not an allocation: a scalar
        if rating is None and "/" in name:  # a forced-alternative pair, "D/B3"
            out.append((Column(column, "text", label), cell))
        elif rating is None or rating.kind == "scale":
            out.append((Column(column, "number", label), cell))
        elif rating.kind == "check":
            out.append((Column(column, "check", label), cell))
        else:
            ids = tuple(v.id for v in rating.values)
            out.append((Column(column, "category", label, ids), cell))
            if rating.classes:
                cls = Column(f"{column}_class", "category", f"{label}: class", rating.classes)
                out.append((cls, rating.class_of(value)))
    return out
