"""Inter-observer agreement of two sessions by the methods of docs/analysis.md.

``time``: time-unit κ per stream with the tolerance rule, A the reference;
overall κ pools the streams' tallies with labels qualified by stream, leaving
out streams neither observer coded (they would add only none–none agreement).
``event``: κ on the event alignment of :mod:`observer.analysis.align`, tallied
in a (K+1)×(K+1) table with nil for unpaired events, per stream and pooled.
``timeslice``: BORIS-compatible time-slice κ over every (t, actor) cell.

Per code, every method collapses the code's stream table into 2×2: does A's
label contain the code, does B's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from observer.analysis import timeslice, timeunit
from observer.analysis.align import Pair, align_by_stream, micros
from observer.analysis.kappa import (
    ABSENT,
    PRESENT,
    Kappa,
    Tally,
    code_kappa,
    cohen,
    collapse,
    square,
)
from observer.analysis.scope import Scope, coded_actors, restrict_book, restrict_session
from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.sessionfile import Session

if TYPE_CHECKING:
    from observer.analysis.intervals import IntervalAgreement


@attrs.frozen
class StreamResult:
    stream: str
    kappa: Kappa
    table: dict[str, dict[str, int]]
    counts: dict[str, int] = attrs.field(factory=dict)
    note: str | None = None


@attrs.frozen
class CodeResult:
    code: str
    kappa: Kappa
    table: dict[str, dict[str, int]]


@attrs.frozen
class MethodResult:
    method: str
    parameters: dict[str, float]
    overall: Kappa
    streams: tuple[StreamResult, ...]
    codes: tuple[CodeResult, ...]
    counts: dict[str, int] = attrs.field(factory=dict)
    used: dict[str, Any] = attrs.field(factory=dict)


def check_pair(a: Session, b: Session, a_name: str, b_name: str) -> list[str]:
    """Refuse sessions that cannot be compared; return warnings for lesser differences.

    Different codebook ids → InputError. A different version or hash → a warning,
    and then every code B uses must exist in A's codebook with the same stream and
    kind (A's codebook defines the streams).
    """
    ra, rb = a.codebook, b.codebook
    if ra.id != rb.id:
        raise InputError.one(
            b_name,
            "codebook.id",
            f"codebook {rb.id!r} differs from {ra.id!r} of {a_name}: "
            "agreement needs both sessions coded with the same codebook",
        )
    warnings: list[str] = []
    if ra.version != rb.version or ra.sha256 != rb.sha256:
        warnings.append(
            f"{b_name}: codebook {rb.id} {rb.version} (sha256 {rb.sha256[:12]}) differs from "
            f"{a_name}'s {ra.version} (sha256 {ra.sha256[:12]}); codes are matched by id, "
            f"streams taken from {a_name}"
        )
        problems = _code_problems(a.book, b, b_name)
        if problems:
            raise InputError(problems)
    return warnings


def _code_problems(book: Codebook, b: Session, b_name: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, event in enumerate(b.events):
        if event.code in seen:
            continue
        seen.add(event.code)
        ours, theirs = book.code_by_id.get(event.code), b.book.code_by_id[event.code]
        if ours is None:
            message = f"code {event.code!r} is not in the first session's codebook"
        elif (ours.stream, ours.kind) != (theirs.stream, theirs.kind):
            message = (
                f"code {event.code!r} has another stream or kind in the first session's codebook"
            )
        else:
            continue
        problems.append(Problem(b_name, f"events[{i}].code", message))
    return problems


def compare(
    a: Session,
    b: Session,
    methods: Iterable[str] | None = None,
    *,
    tolerance: float | None = None,
    unit: float = 1.0,
    scope: Scope | None = None,
) -> dict[str, MethodResult]:
    """Each asked-for method's result; ``tolerance`` None means each method's default.

    ``scope`` restricts every method to some codes and actors (``--codes``,
    ``--actors``); each result then says what it was restricted to."""
    if micros(unit) < 1 or (tolerance is not None and tolerance < 0):
        raise ValueError("the unit must be positive and the tolerance not negative")
    scope = scope or Scope()
    book = restrict_book(a.book, scope)
    a, b = restrict_session(a, book), restrict_session(b, book)
    methods = METHODS if methods is None else methods
    out: dict[str, MethodResult] = {}
    for name in methods:
        method = BY_NAME.get(name)
        if method is None:
            raise ValueError(f"unknown method {name!r}")
        w = method.default_tolerance if tolerance is None else tolerance
        result = method.run(a, b, Run(unit=unit, tolerance=w, book=book, scope=scope))
        out[name] = attrs.evolve(result, used={"restricted_to": scope.as_dict(), **result.used})
    return out


def _codes(book: Codebook, tallies: dict[str, Tally]) -> tuple[CodeResult, ...]:
    out: list[CodeResult] = []
    for code in book.codes:
        two = collapse(tallies[code.stream], code.id)
        table = {r: {c: two.get((r, c), 0) for c in (PRESENT, ABSENT)} for r in (PRESENT, ABSENT)}
        out.append(CodeResult(code.id, code_kappa(two, code.id), table))
    return tuple(out)


def _order(book: Codebook) -> list[str]:
    """Table label order: codes alphabetically (as sets are joined), the empty label last."""
    return [*sorted(c.id for c in book.codes), ""]


def _pooled(tallies: dict[str, Tally], streams: Sequence[str]) -> Tally:
    pooled: Tally = Counter()
    for stream in streams:
        for (row, col), count in tallies[stream].items():
            pooled[f"{stream}:{row}", f"{stream}:{col}"] += count
    return pooled


def time_method(
    a: Session,
    b: Session,
    *,
    unit: float = 1.0,
    tolerance: float = 0.0,
    book: Codebook | None = None,
) -> MethodResult:
    """``book``: the codebook to compare by (default A's; :func:`compare` passes a
    restricted one)."""
    book = a.book if book is None else book
    stream_of = {c.id: c.stream for c in book.codes}
    ids = [s.id for s in book.streams]
    n = timeunit.unit_count(a, b, unit)
    la = timeunit.unit_labels(a, stream_of, ids, n, unit)
    lb = timeunit.unit_labels(b, stream_of, ids, n, unit)
    window = micros(tolerance) // micros(unit)
    tallies = {s: timeunit.tolerance_tally(la[s], lb[s], window) for s in ids}
    used = {stream_of[e.code] for e in (*a.events, *b.events)}
    order = _order(book)
    streams = tuple(
        StreamResult(
            s,
            cohen(tallies[s]),
            square(tallies[s], order),
            note=None
            if s in used
            else "neither observer coded this stream: left out of the overall κ",
        )
        for s in ids
    )
    overall = cohen(_pooled(tallies, [s for s in ids if s in used]))
    if not used:
        overall = attrs.evolve(overall, reason="neither session has any events")
    params = {"unit": unit, "tolerance": tolerance}
    return MethodResult("time", params, overall, streams, _codes(book, tallies))


def event_tally(pairs: Sequence[Pair], a: Session, b: Session) -> Tally:
    tally: Tally = Counter()
    for pair in pairs:
        row = "" if pair.a is None else a.events[pair.a].code
        col = "" if pair.b is None else b.events[pair.b].code
        tally[row, col] += 1
    return tally


def _kinds(pairs: Iterable[Pair]) -> dict[str, int]:
    counts: Counter[str] = Counter(p.kind for p in pairs)
    names = ("agreement", "disagreement", "omission", "commission")
    return {f"{name}s": counts[name] for name in names}


def event_method(
    a: Session,
    b: Session,
    *,
    tolerance: float = 2.0,
    by_stream: dict[str, list[Pair]] | None = None,
    book: Codebook | None = None,
) -> MethodResult:
    """``by_stream``: the alignment (:func:`align_by_stream`), if already computed."""
    book = a.book if book is None else book
    aligned = align_by_stream(a, b, tolerance) if by_stream is None else by_stream
    if book is not a.book:
        kept = {s.id for s in book.streams}
        aligned = {s: pairs for s, pairs in aligned.items() if s in kept}
    tallies = {s: event_tally(pairs, a, b) for s, pairs in aligned.items()}
    order = _order(book)
    streams = tuple(
        StreamResult(s, cohen(tallies[s]), square(tallies[s], order), _kinds(pairs))
        for s, pairs in aligned.items()
    )
    overall = cohen(_pooled(tallies, list(tallies)))
    if overall.n == 0:
        overall = attrs.evolve(overall, reason="neither session has any events")
    counts = _kinds(p for pairs in aligned.values() for p in pairs)
    params = {"tolerance": tolerance}
    return MethodResult("event", params, overall, streams, _codes(book, tallies), counts)


def timeslice_method(
    a: Session,
    b: Session,
    *,
    unit: float = 1.0,
    book: Codebook | None = None,
    actors: Sequence[str] | None = None,
) -> MethodResult:
    """One κ over the (t, actor) cells of ``actors`` (default: the actors with at
    least one event in either session, so an actor nobody coded adds no
    empty-versus-empty cells)."""
    book = a.book if book is None else book
    stream_of = {c.id: c.stream for c in book.codes}
    ids = [s.id for s in book.streams]
    chosen = coded_actors(book, [a, b]) if actors is None else list(actors)
    bounds = timeslice.span([a, b])
    first, count = (
        (0, 0) if bounds is None else (bounds[0], (bounds[1] - bounds[0]) // micros(unit) + 1)
    )
    la = timeslice.slice_labels(a, stream_of, ids, first, count, unit)
    lb = timeslice.slice_labels(b, stream_of, ids, first, count, unit)
    tallies: dict[str, Tally] = {s: Counter(zip(la[s], lb[s], strict=True)) for s in ids}
    overall_tally: Tally = Counter()
    for actor in chosen:
        mine = [s.id for s in book.streams if s.actor.id == actor]
        row = timeslice.merge([la[s] for s in mine], count)
        col = timeslice.merge([lb[s] for s in mine], count)
        overall_tally.update(zip(row, col, strict=True))
    overall = cohen(overall_tally)
    if bounds is None:
        overall = attrs.evolve(overall, reason="neither session has any events")
    order = _order(book)
    streams = tuple(StreamResult(s, cohen(tallies[s]), square(tallies[s], order)) for s in ids)
    counts = {"slices": count, "empty_both": overall_tally.get(("", ""), 0)}
    params = {"unit": unit}
    codes = _codes(book, tallies)
    used = {"actors": chosen}
    return MethodResult("timeslice", params, overall, streams, codes, counts, used)


# --- the method table: a new κ method is one row ----------------------------------


@attrs.frozen
class Run:
    """What :func:`compare` hands every method: the unit, the tolerance in effect,
    the (restricted) codebook and the scope."""

    unit: float
    tolerance: float
    book: Codebook
    scope: Scope


@attrs.frozen
class Method:
    """One κ method: its name (``--method``), the title its report prints, its
    default tolerance in seconds, the name of the empty label in its tables and
    the function that runs it."""

    name: str
    title: str
    default_tolerance: float
    empty: str
    run: Callable[[Session, Session, Run], MethodResult]


TABLE = (
    Method(
        "time",
        "time-unit Cohen's kappa",
        0.0,
        "none",
        lambda a, b, r: time_method(a, b, unit=r.unit, tolerance=r.tolerance, book=r.book),
    ),
    Method(
        "event",
        "event-based Cohen's kappa (Needleman-Wunsch alignment)",
        2.0,
        "nil",
        lambda a, b, r: event_method(a, b, tolerance=r.tolerance, book=r.book),
    ),
    Method(
        "timeslice",
        "time-slice Cohen's kappa (BORIS-compatible)",
        0.0,
        "none",
        lambda a, b, r: timeslice_method(a, b, unit=r.unit, book=r.book, actors=r.scope.actors),
    ),
)
BY_NAME = {m.name: m for m in TABLE}
METHODS = tuple(BY_NAME)
"""The κ methods in the order they are computed and reported."""
DEFAULT_TOLERANCE = {m.name: m.default_tolerance for m in TABLE}


# --- JSON -------------------------------------------------------------------------


def _named(table: dict[str, dict[str, int]], empty: str) -> dict[str, dict[str, int]]:
    """The table with the empty label written as ``empty`` ("none" or "nil")."""
    return {(r or empty): {(c or empty): v for c, v in cols.items()} for r, cols in table.items()}


def method_dict(result: MethodResult) -> dict[str, Any]:
    """The per-method object of docs/analysis.md (plus parameters, reasons and counts)."""
    empty = BY_NAME[result.method].empty
    streams: list[dict[str, Any]] = []
    for s in result.streams:
        entry: dict[str, Any] = {"stream": s.stream, **s.kappa.fields()}
        entry.update(s.counts)
        if s.note:
            entry["note"] = s.note
        entry["table"] = _named(s.table, empty)
        streams.append(entry)
    codes = [{"code": c.code, **c.kappa.fields(), "table": c.table} for c in result.codes]
    return {
        "parameters": result.parameters,
        **result.overall.fields(),
        **result.counts,
        **result.used,
        "streams": streams,
        "codes": codes,
    }


def pair_dict(a: Session, b: Session, results: dict[str, MethodResult]) -> dict[str, Any]:
    return {
        "a": a.id,
        "b": b.id,
        "methods": {name: method_dict(r) for name, r in results.items()},
    }


# --- interval agreement (the applied-behaviour-analysis IOA family) ----------------
# Kept apart from the κ methods above: its figures are fractions, not κ tables.

INTERVAL_METHOD = "interval"
DEFAULT_INTERVAL = 10.0


def interval_method(
    a: Session, b: Session, *, interval: float = DEFAULT_INTERVAL, scope: Scope | None = None
) -> IntervalAgreement:
    """Total count, total duration, mean and exact count-per-interval, interval-by-
    interval, scored- and unscored-interval agreement, per code and overall
    (:func:`observer.analysis.intervals.ioa`), restricted to ``scope``."""
    from observer.analysis.intervals import interval_agreement

    scope = scope or Scope()
    book = restrict_book(a.book, scope)
    result = interval_agreement(
        restrict_session(a, book), restrict_session(b, book), interval, book
    )
    return attrs.evolve(result, restricted_to=scope.as_dict())


def scan_method(a: Session, b: Session, *, scope: Scope | None = None) -> IntervalAgreement:
    """The interval-agreement family on the time-sampling scans both observers
    answered (:func:`observer.analysis.scans.scan_agreement`), restricted to ``scope``."""
    from observer.analysis.scans import scan_agreement

    scope = scope or Scope()
    book = restrict_book(a.book, scope)
    result = scan_agreement(a, b, book)
    return attrs.evolve(result, restricted_to=scope.as_dict())
