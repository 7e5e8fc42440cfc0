"""The codebook's model: actors, groups, codes, modifiers, ratings and segments,
the format's constants and the normalised document (whose SHA-256 names a codebook).
"""

from __future__ import annotations

import math
import re
import threading
from functools import cached_property
from typing import Any, Literal

import attrs
import orjson

from observer.limits import Number

SCHEMA = "observer.codebook/1"
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
NUMBER_PATTERN = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
"""A JSON number written as text: the form of a rating anchor's key (``"7"``, ``"2.5"``)."""
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MULTILINE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PROSE = frozenset({"description", "definition", "examples", "anchors"})
"""Fields of free text that may span lines."""
MAX_CODEBOOK_BYTES = 8 * 1024 * 1024
MAX_SCALE_POINTS = 1001
RESERVED_KEYS = frozenset({" "})
"""Printable characters the coding screen keeps for itself (its other keys are not printable)."""

Kind = Literal["point", "state"]
Scope = Literal["session", "segment"]
RatingKind = Literal["scale", "category", "check", "allocation"]
CompositeRule = Literal["sum", "mean"]
VALUE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
"""A category value's id or class: case kept (``B2``, ``A``), as the instruments write them."""
Allocation = dict[str, int]
"""An allocation's rating: each part's points (the parts' points sum to the total)."""
RatingScalar = bool | int | float | str | Allocation | None
"""One rating as stored: a number (scale), a value id (category), true/false (check),
each part's points (allocation), or null."""
MAX_ALLOCATION_TOTAL = 1000
"""The largest total an allocation may spread over its parts."""
SamplingRule = Literal["momentary"]
SegmentEnds = Literal["manual", "planned"]
MAX_SAMPLING_S = 24 * 3600
"""The longest sampling interval: a day."""


@attrs.frozen
class Actor:
    id: str
    label: str
    description: str = ""


@attrs.frozen
class Group:
    id: str
    label: str
    exclusive: bool = False
    description: str = ""


@attrs.frozen
class ModifierValue:
    id: str
    key: str
    label: str = ""


@attrs.frozen
class Modifier:
    id: str
    label: str
    values: tuple[ModifierValue, ...]
    required: bool = False
    description: str = ""

    def value_by_key(self, key: str) -> ModifierValue | None:
        return next((v for v in self.values if v.key == key), None)


@attrs.frozen
class Code:
    id: str
    label: str
    group: str
    actor: str
    kind: Kind
    key: str
    definition: str = ""
    examples: tuple[str, ...] = ()
    modifiers: tuple[str, ...] = ()

    @property
    def stream(self) -> str:
        return f"{self.group}/{self.actor}"


@attrs.frozen
class CategoryValue:
    """One value of a category rating; ``class_`` is written ``class`` in the file."""

    id: str
    label: str = ""
    class_: str | None = attrs.field(default=None, metadata={"json": "class"})
    description: str = ""


@attrs.frozen
class AllocationPart:
    """One part of an allocation: it takes 0 to ``max`` points (None: up to the total)."""

    id: str
    label: str
    max: int | None = None
    description: str = ""


@attrs.frozen
class Rating:
    id: str
    label: str
    min: Number | None = None
    max: Number | None = None
    step: Number = 1
    actor: str | None = None
    scope: Scope = "session"
    anchors: dict[str, str] = attrs.field(factory=dict)
    description: str = ""
    kind: RatingKind = "scale"
    values: tuple[CategoryValue, ...] = ()
    segments: tuple[str, ...] = ()
    """For a segment-scoped rating: the segments it is asked in (empty: every segment)."""
    parts: tuple[AllocationPart, ...] = ()
    """An allocation's parts, in order."""
    total: int | None = None
    """The points an allocation spreads over its parts (every rating sums to it)."""
    alternative_to: str | None = None
    """A category rating that is the forced alternative of another (the best-fitting
    A, B or C beside a D): the id of that other rating."""

    @property
    def low(self) -> Number:
        assert self.min is not None, f"{self.id} is not a scale"
        return self.min

    @property
    def high(self) -> Number:
        assert self.max is not None, f"{self.id} is not a scale"
        return self.max

    @property
    def numeric(self) -> bool:
        """True for items a composite may take and ICC applies to (scales, checks)."""
        return self.kind in ("scale", "check")

    def accepts(self, value: Any) -> bool:
        """True when ``value`` is a valid rating: on the scale (min ≤ value ≤ max, on
        a step), one of the category's value ids, or true/false for a check."""
        if self.kind == "check":
            return isinstance(value, bool)
        if self.kind == "category":
            return isinstance(value, str) and value in self.value_by_id
        if self.kind == "allocation":
            return self._allocation_problem(value) is None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if not self.low <= value <= self.high:
            return False
        return on_step(value - self.low, self.step)

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not a rating of this item (None when it is, or is null)."""
        if value is None or self.accepts(value):
            return None
        if self.kind == "check":
            return f"{_shown(value)} is not a check's answer (true, false or null)"
        if self.kind == "category":
            known = ", ".join(v.id for v in self.values)
            return f"{_shown(value)} is not one of {self.id}'s values ({known})"
        if self.kind == "allocation":
            return self._allocation_problem(value)
        return f"{_shown(value)} is not on the scale {self.min}-{self.max} (step {self.step})"

    def _allocation_problem(self, value: Any) -> str | None:
        """Why ``value`` is not an allocation of this item: every part named once, each
        a whole number of points from 0 to its max, summing to the total."""
        names = ", ".join(p.id for p in self.parts)
        if not isinstance(value, dict):
            return f"{_shown(value)} is not an allocation (an object of points per part: {names})"
        known = {p.id for p in self.parts}
        unknown = sorted(set(value) - known)
        if unknown:
            return f"{unknown[0]!r} is not a part of {self.id} (its parts: {names})"
        missing = [p.id for p in self.parts if p.id not in value]
        if missing:
            return f"gives no points to {missing[0]!r} (every part needs its points, 0 for none)"
        for part in self.parts:
            points = value[part.id]
            if isinstance(points, bool) or not isinstance(points, int):
                return f"{part.id}: {_shown(points)} is not a whole number of points"
            if not 0 <= points <= self.part_max(part):
                return f"{part.id}: {points} is not from 0 to {self.part_max(part)}"
        given = sum(value.values())
        if given != self.total:
            return f"the parts sum to {given}, not to the total {self.total}"
        return None

    def part_max(self, part: AllocationPart) -> int:
        """The most points ``part`` can take."""
        assert self.total is not None, f"{self.id} is not an allocation"
        return self.total if part.max is None else part.max

    def part_scale(self, part: AllocationPart) -> list[int]:
        """Every number of points a part can take, 0 up."""
        return list(range(self.part_max(part) + 1))

    @cached_property
    def value_by_id(self) -> dict[str, CategoryValue]:
        return {v.id: v for v in self.values}

    @cached_property
    def classes(self) -> tuple[str, ...]:
        """The category's classes in order of first appearance (empty: no classes)."""
        return tuple(dict.fromkeys(v.class_ for v in self.values if v.class_ is not None))

    def class_of(self, value: Any) -> str | None:
        found = self.value_by_id.get(value) if isinstance(value, str) else None
        return None if found is None else found.class_

    def score(self, value: Any) -> float | None:
        """The value as a number for composites and ICC: a check counts 1 for yes."""
        if value is None or self.kind in ("category", "allocation"):
            return None
        return float(value)

    def reversed_score(self, value: Any) -> float | None:
        """A reverse-keyed item's score: min + max − value (a check: 1 − value)."""
        score = self.score(value)
        if score is None:
            return None
        low, high = (0.0, 1.0) if self.kind == "check" else (float(self.low), float(self.high))
        return low + high - score

    def scale(self) -> list[Number]:
        """Every allowed value, low to high (a check: 0 and 1)."""
        if self.kind == "check":
            return [0, 1]
        n = round((self.high - self.low) / self.step)
        values = [self.low + i * self.step for i in range(n + 1)]
        return [
            int(v) if float(v).is_integer() and isinstance(self.step, int) else v for v in values
        ]


@attrs.frozen
class CompositeItem:
    """An item of a composite written as an object: ``{"rating": ID, "reverse": true}``
    counts the item reverse-keyed (min + max − value)."""

    rating: str
    reverse: bool = False


@attrs.frozen
class Composite:
    """A score computed from scale or check items: their sum or mean, null when fewer
    than ``min_items`` are rated (None: every item must be rated). An item is a rating
    id, or an object naming it that may count it in reverse."""

    id: str
    label: str
    of: tuple[str | CompositeItem, ...]
    rule: CompositeRule = "sum"
    min_items: int | None = None
    description: str = ""

    @property
    def needed(self) -> int:
        return len(self.of) if self.min_items is None else self.min_items

    @cached_property
    def items(self) -> tuple[CompositeItem, ...]:
        """Every item as (rating, reverse)."""
        return tuple(CompositeItem(i) if isinstance(i, str) else i for i in self.of)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.rating for i in self.items)


@attrs.frozen
class Sampling:
    """Momentary time sampling inside continuous coding: every ``every_s`` seconds of
    session time the screen asks ``prompt``; the key of one of ``codes`` (state codes)
    answers with a scan stamped at the sampling instant."""

    every_s: Number
    codes: tuple[str, ...]
    prompt: str
    rule: SamplingRule = "momentary"
    bell: bool = False


def _shown(value: Any) -> str:
    return "true" if value is True else "false" if value is False else repr(value)


@attrs.frozen
class Segment:
    """A named part of the session. ``ends``: ``manual`` (the observer starts the next
    one or ends the session) or ``planned`` (it stops itself on the session clock at
    exactly ``planned_s``, pauses excluded)."""

    id: str
    label: str
    planned_s: Number | None = None
    description: str = ""
    ends: SegmentEnds = "manual"


@attrs.frozen
class Ratio:
    of: tuple[str, ...]
    to: tuple[str, ...]


@attrs.frozen
class CriterionRule:
    """One rule of a criterion: the count of ``codes`` (points and state onsets) at
    least ``min`` and/or at most ``max``; or, with ``ratio``, the count of ``ratio.of``
    over that of ``ratio.to`` at least ``min``."""

    codes: tuple[str, ...] = ()
    min: Number | None = None
    max: Number | None = None
    ratio: Ratio | None = None


@attrs.frozen
class Criterion:
    """A target a session is measured against (a mastery criterion): met when every
    rule is, counted inside ``segment`` (None: the whole session)."""

    id: str
    label: str
    rules: tuple[CriterionRule, ...]
    segment: str | None = None
    description: str = ""


@attrs.frozen
class Window:
    """A response window: after a code of ``after`` (a command), a code of ``responses``
    (the other actor's) within ``within_s`` seconds answers it (the event is linked to
    the command); a code of ``broken_by`` first, or no response in time, leaves it to
    ``otherwise`` (asked on the screen, never added unasked)."""

    after: str
    within_s: Number
    responses: tuple[str, ...]
    otherwise: str | None = None
    broken_by: tuple[str, ...] = ()


@attrs.frozen
class Stream:
    """One (group, actor) pair: the unit of exclusivity, agreement and export tiers."""

    id: str
    group: Group
    actor: Actor
    codes: tuple[Code, ...]


@attrs.frozen
class Codebook:
    schema: str
    id: str
    version: str
    title: str
    actors: tuple[Actor, ...]
    groups: tuple[Group, ...]
    codes: tuple[Code, ...]
    description: str = ""
    modifiers: tuple[Modifier, ...] = ()
    ratings: tuple[Rating, ...] = ()
    segments: tuple[Segment, ...] = ()
    composites: tuple[Composite, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    sampling: Sampling | None = None
    windows: tuple[Window, ...] = ()

    @cached_property
    def window_by_after(self) -> dict[str, Window]:
        """Each response window by the code that opens it."""
        return {w.after: w for w in self.windows}

    @cached_property
    def code_by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self.codes}

    @cached_property
    def code_by_key(self) -> dict[str, Code]:
        return {c.key: c for c in self.codes}

    @cached_property
    def actor_by_id(self) -> dict[str, Actor]:
        return {a.id: a for a in self.actors}

    @cached_property
    def group_by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups}

    @cached_property
    def modifier_by_id(self) -> dict[str, Modifier]:
        return {m.id: m for m in self.modifiers}

    @cached_property
    def rating_by_id(self) -> dict[str, Rating]:
        return {r.id: r for r in self.ratings}

    @cached_property
    def segment_by_id(self) -> dict[str, Segment]:
        return {s.id: s for s in self.segments}

    @cached_property
    def composite_by_id(self) -> dict[str, Composite]:
        return {c.id: c for c in self.composites}

    def rating_segments(self, rating: Rating) -> tuple[Segment, ...]:
        """The segments a segment-scoped rating is asked in, in codebook order."""
        if rating.scope != "segment":
            return ()
        named = set(rating.segments)
        return tuple(s for s in self.segments if not named or s.id in named)

    def composite_scope(self, composite: Composite) -> tuple[Scope, tuple[Segment, ...]]:
        """A composite of session items is one score; of segment items, one per segment
        that any of its items is asked in."""
        items = [self.rating_by_id[i] for i in composite.ids]
        if not items or items[0].scope == "session":
            return "session", ()
        asked = {s.id for r in items for s in self.rating_segments(r)}
        return "segment", tuple(s for s in self.segments if s.id in asked)

    def alternatives(self) -> tuple[tuple[Rating, Rating], ...]:
        """(main, alternative) for each category rating that is another's forced
        alternative, in codebook order."""
        return tuple(
            (self.rating_by_id[r.alternative_to], r)
            for r in self.ratings
            if r.alternative_to is not None and r.alternative_to in self.rating_by_id
        )

    @cached_property
    def streams(self) -> tuple[Stream, ...]:
        """Streams in codebook order: by group, then actor, each with its codes."""
        out: list[Stream] = []
        for group in self.groups:
            for actor in self.actors:
                codes = tuple(c for c in self.codes if c.group == group.id and c.actor == actor.id)
                if codes:
                    out.append(Stream(f"{group.id}/{actor.id}", group, actor, codes))
        return tuple(out)

    @cached_property
    def document(self) -> dict[str, Any]:
        """The normalised codebook as plain JSON data (defaults filled in)."""
        from observer.structure import converter

        _unstructure_hooks()
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the canonical JSON: the normalised document, keys sorted."""
        import hashlib

        return hashlib.sha256(orjson.dumps(self.document, option=orjson.OPT_SORT_KEYS)).hexdigest()


_structuring = False


def structure_hooks() -> None:
    """How a non-null number field is described in problems: before anything is
    structured as these classes (``codebook_from_data`` calls this). Not on import: a
    codebook from the cache of validated codebooks (observer.codebook.cache) is never
    structured, and its first frame imports no cattrs."""
    global _structuring
    if _structuring:
        return
    from observer.structure import when_given

    when_given(Rating, "min", Number)
    when_given(Rating, "max", Number)
    when_given(Rating, "total", int)
    when_given(AllocationPart, "max", int)
    _structuring = True  # after: a thread that finds it set finds them all


_unstructured = False
_unstructuring = threading.Lock()


def _unstructure_hooks() -> None:
    """The fields added with category and check ratings, segment lists, composites and
    criteria are left out of the normalised document while unused, so a codebook that uses
    none of them keeps the canonical JSON (and the SHA-256) it always had. Registered
    when the first document is made (``Codebook.document``, the only way a codebook is
    unstructured), not on import: the coding screen's first frame needs none."""
    global _unstructured
    with _unstructuring:
        if not _unstructured:
            _register_unstructure_hooks()
            _unstructured = True


def _register_unstructure_hooks() -> None:
    from cattrs.gen import make_dict_unstructure_fn, override

    from observer.structure import converter

    converter.register_unstructure_hook(
        AllocationPart,
        make_dict_unstructure_fn(AllocationPart, converter, max=override(omit_if_default=True)),
    )
    converter.register_unstructure_hook(
        CategoryValue,
        make_dict_unstructure_fn(
            CategoryValue, converter, class_=override(rename="class", omit_if_default=True)
        ),
    )
    rating_fn = make_dict_unstructure_fn(Rating, converter)
    scale_only = ("min", "max", "step", "anchors")

    def rating(r: Rating) -> dict[str, Any]:
        data: dict[str, Any] = rating_fn(r)
        dropped = ["kind", "values"] if r.kind == "scale" else list(scale_only)
        if r.kind in ("check", "allocation"):
            dropped.append("values")
        if r.kind != "allocation":
            dropped += ["parts", "total"]
        if r.alternative_to is None:
            dropped.append("alternative_to")
        if not r.segments:
            dropped.append("segments")
        for name in dropped:
            del data[name]
        return data

    converter.register_unstructure_hook(Rating, rating)
    converter.register_unstructure_hook(
        Segment, make_dict_unstructure_fn(Segment, converter, ends=override(omit_if_default=True))
    )
    # The criteria's own hooks first: the codebook's function takes them as it is made.
    converter.register_unstructure_hook(
        CriterionRule,
        make_dict_unstructure_fn(
            CriterionRule,
            converter,
            codes=override(omit_if_default=True),
            min=override(omit_if_default=True),
            max=override(omit_if_default=True),
            ratio=override(omit_if_default=True),
        ),
    )
    converter.register_unstructure_hook(
        Criterion,
        make_dict_unstructure_fn(Criterion, converter, segment=override(omit_if_default=True)),
    )
    converter.register_unstructure_hook(
        Codebook,
        make_dict_unstructure_fn(
            Codebook,
            converter,
            composites=override(omit_if_default=True),
            criteria=override(omit_if_default=True),
            sampling=override(omit_if_default=True),
            windows=override(omit_if_default=True),
        ),
    )


def on_step(distance: Number, step: Number) -> bool:
    """True when ``distance`` is a whole number of ``step`` (float noise forgiven)."""
    steps = distance / step
    return math.isfinite(steps) and math.isclose(steps, round(steps), abs_tol=1e-9)
