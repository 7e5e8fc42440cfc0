"""``observer agree``: inter-observer agreement on codes (three methods) or ratings."""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path
from typing import Any

import click
import orjson

from observer.analysis.agreement import METHODS, check_pair, compare, pair_dict
from observer.analysis.scope import Scope, problems, restrict_book
from observer.cli import options
from observer.errors import InputError
from observer.sessionfile import Session
from observer.study.loading import load_sessions
from observer.textsafe import safe


def _warn(message: str) -> None:
    click.echo(safe(f"observer agree: warning: {message}"), err=True)


def _expand(paths: tuple[Path, ...], ratings: bool) -> tuple[list[Path], bool]:
    files: list[Path] = []
    folder = False
    for path in paths:
        if path.is_dir():
            if not ratings:
                raise click.UsageError("a folder is accepted only with --ratings")
            folder = True
            files.extend(sorted([*path.glob("*.json"), *path.glob("*.json.age")]))
        else:
            files.append(path)
    return files, folder


Named = tuple[str, Session]


def _live_pairs(loaded: list[Named]) -> list[tuple[Named, Named]]:
    """More than two sessions, each coded live in a pair (``observer code --pair``):
    the two of each pair, the primary first (no pairs.csv, no offset: their time 0 is
    one instant). Empty when they are not all so (then every combination is compared)."""
    if len(loaded) <= 2 or any(s.pair is None for _, s in loaded):
        return []
    groups: dict[str, list[Named]] = {}
    for named in loaded:
        assert named[1].pair is not None
        groups.setdefault(named[1].pair.id, []).append(named)
    odd = sorted(k for k, v in groups.items() if len(v) != 2)
    if odd:
        raise click.UsageError(
            f"pair {odd[0]!r} has {len(groups[odd[0]])} of its two sessions here: give both"
        )
    out = []
    for _, members in sorted(groups.items()):
        a, b = sorted(members, key=lambda m: m[1].pair is not None and m[1].pair.role != "primary")
        out.append((a, b))
    _warn(f"{len(out)} live pairs, compared by pair id (no combinations across pairs)")
    return out


def _scope(codes: tuple[str, ...] | None, actors: tuple[str, ...] | None, a: Session) -> Scope:
    scope = Scope(codes=codes, actors=actors)
    unknown = problems(a.book, scope)
    if unknown:
        raise click.UsageError("; ".join(unknown))
    return scope


def _warn_empty(loaded: list[tuple[str, Session]], scope: Scope) -> None:
    """A session with nothing to compare gives a defined but empty comparison: say so."""
    book = restrict_book(loaded[0][1].book, scope)
    for name, session in loaded:
        if not any(e.code in book.code_by_id for e in session.events):
            which = " of the compared codes and actors" if scope.restricted else ""
            _warn(f"{name} has no events{which}: it is compared as an empty record")


def _emit(document: dict[str, Any], fmt: str, text: str) -> None:
    if fmt == "json":
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        click.echo(safe(text, lines=True))


def _check_all(loaded: list[tuple[str, Session]]) -> None:
    (a_name, a), *rest = loaded
    for b_name, b in rest:
        for warning in check_pair(a, b, a_name, b_name):
            _warn(warning)


@click.command()
@options.sessions_argument
@options.method(
    several=False,
    extra=["interval"],
    help="Which kappa: event-based, time-unit, BORIS-compatible time-slice, or all three; "
    "interval: the interval-agreement (IOA) family instead.",
)
@options.tolerance(
    default=None,
    help="Seconds. time: A's label agrees if B has it within this (default 0); "
    "event: largest onset difference of a pair (default 2).",
)
@options.unit(help="Seconds per time unit (time) or between slices (timeslice).")
@options.ids("--codes", help="Compare only these codes (every method).")
@options.ids(
    "--actors",
    help="Compare only these actors' codes (every method); timeslice: its actors, "
    "even one nobody coded (default: the actors with at least one event).",
)
@options.output_format("table", "json")
@click.option(
    "--ratings",
    is_flag=True,
    help="Agreement on ratings over several sessions: A1 B1 A2 B2 ... or a folder.",
)
@options.interval
@click.option(
    "--scans",
    is_flag=True,
    help="With --method interval: agreement on the time-sampling scans (at each sampling "
    "instant) instead of intervals cut from the continuous record.",
)
@options.corrected
@options.codebook_map
def agree(
    sessions: tuple[Path, ...],
    method: str,
    tolerance: float | None,
    unit: float,
    codes: tuple[str, ...] | None,
    actors: tuple[str, ...] | None,
    fmt: str,
    ratings: bool,
    corrected: bool,
    codebook_map: Path | None = None,
    interval: float | None = None,
    scans: bool = False,
) -> None:
    """Inter-observer agreement of two sessions of the same codebook (A is the
    reference): time-unit, event-based and BORIS-compatible time-slice kappa,
    overall, per stream and per code. With more than two sessions: every pair,
    and Krippendorff's alpha on time units. With --ratings: per scale item and
    composite ICC(A,1), quadratic-weighted kappa and Krippendorff's alpha; per
    category and check item Cohen's kappa and percentage agreement (categories
    also at the level of their classes)."""
    files, folder = _expand(sessions, ratings)
    read_as = options.version_mapper(codebook_map, files)
    loaded = list(load_sessions(files, corrected=corrected, unique_ids=False, read_as=read_as))
    if read_as is not None and read_as.said():
        _warn(read_as.said())
    if ratings:
        if codes is not None or actors is not None:
            raise click.UsageError("--codes and --actors do not apply to --ratings")
        _ratings(loaded, folder, fmt)
        return
    if len(loaded) < 2:
        raise click.UsageError("needs at least two sessions to compare")
    _check_all(loaded)
    if scans and method != "interval":
        raise click.UsageError("--scans goes with --method interval")
    if method == "interval":
        _interval(loaded, interval, fmt, _scope(codes, actors, loaded[0][1]), scans=scans)
        return
    dyads = sorted({s.dyad for _, s in loaded})
    if len(dyads) > 1:
        _warn(f"the sessions are of different dyads ({', '.join(dyads)})")
    methods = list(METHODS) if method == "all" else [method]
    if tolerance is not None and method == "timeslice":
        _warn("--tolerance does not apply to --method timeslice (its --unit is a sampling step)")
    options.check_units(max(s.duration for _, s in loaded), unit)
    scope = _scope(codes, actors, loaded[0][1])
    _warn_empty(loaded, scope)
    live = _live_pairs(loaded)
    pairs = []
    for (a_name, a), (b_name, b) in live or combinations(loaded, 2):
        check_pair(a, b, a_name, b_name)  # the first session's warnings are already out
        try:
            results = compare(a, b, methods, tolerance=tolerance, unit=unit, scope=scope)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        pairs.append(pair_dict(a, b, results))
    from observer.analysis.report import render_alpha, render_pair

    if len(loaded) == 2 or live:
        if len(pairs) == 1:
            _emit(pairs[0], fmt, render_pair(pairs[0]))
        else:
            _emit({"pairs": pairs}, fmt, "\n\n".join(render_pair(p) for p in pairs))
        return
    from observer.analysis.multi import time_alpha

    alpha = time_alpha([s for _, s in loaded], unit=unit, scope=scope).as_dict()
    document = {"pairs": pairs, "alpha": alpha}
    text = "\n\n".join([*(render_pair(p) for p in pairs), render_alpha(alpha)])
    _emit(document, fmt, text)


def _ratings(loaded: list[tuple[str, Session]], folder: bool, fmt: str) -> None:
    from observer.analysis.ratings import agreement_on_ratings, targets_by_dyad, targets_from_pairs
    from observer.analysis.report import render_ratings

    if not loaded:
        raise click.UsageError("no session files found")
    (first_name, first), *_ = loaded
    for name, session in loaded[1:]:
        ref = session.codebook
        if ref.id != first.codebook.id:
            raise InputError.one(
                name,
                "codebook.id",
                f"codebook {ref.id!r} differs from {first.codebook.id!r} of {first_name}",
            )
        if (ref.version, ref.sha256) != (first.codebook.version, first.codebook.sha256):
            _warn(f"{name}: codebook version or hash differs from {first_name}'s")
    if folder:
        raters, targets = targets_by_dyad(loaded)
    else:
        if len(loaded) % 2:
            raise click.UsageError("--ratings takes sessions in pairs: A1 B1 A2 B2 ...")
        raters, targets = targets_from_pairs([s for _, s in loaded])
    document = agreement_on_ratings(first.book, raters, targets).as_dict()
    _emit({"ratings": document}, fmt, render_ratings(document))


# --- --method interval: the IOA family (kept apart from the kappa methods) ----------


def _interval(
    loaded: list[tuple[str, Session]],
    interval: float | None,
    fmt: str,
    scope: Scope,
    *,
    scans: bool = False,
) -> None:
    from observer.analysis.agreement import (
        DEFAULT_INTERVAL,
        INTERVAL_METHOD,
        interval_method,
        scan_method,
    )
    from observer.analysis.report import render_interval
    from observer.analysis.scans import sampling_of

    seconds = DEFAULT_INTERVAL if interval is None else interval
    if scans:
        for name, session in loaded:
            every = sampling_of(session, name).every_s
            if interval is not None and interval != every:
                raise click.UsageError(
                    f"--interval {interval:g}: the scans of {name} are every {every:g} s"
                    " (leave --interval out with --scans)"
                )
    pairs = []
    for (_, a), (_, b) in combinations(loaded, 2):
        if scans:
            result = scan_method(a, b, scope=scope)
        else:
            result = interval_method(a, b, interval=seconds, scope=scope)
        pairs.append({"a": a.id, "b": b.id, "methods": {INTERVAL_METHOD: result.as_dict()}})
    document: dict[str, Any] = pairs[0] if len(pairs) == 1 else {"pairs": pairs}
    _emit(document, fmt, "\n\n".join(render_interval(p) for p in pairs))
