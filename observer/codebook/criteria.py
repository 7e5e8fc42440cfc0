"""The codebook's rules for its ``criteria``: targets a session is measured against.

A criterion (a mastery criterion of a parent training programme, say) names the
segment it applies to (or none: the whole session) and its rules, each a count of
codes with a ``min`` and/or ``max``, or a ``ratio`` of two counts with a ``min``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from observer.codebook.raw import ids, items, number
from observer.errors import Problem, ProblemAt

MAX_COUNT = 100_000
"""Above any count of one session (a day's coding is tens of thousands of events)."""
MAX_RATIO = 1_000.0


def check(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    codes = ids(raw, "codes")
    segments = ids(raw, "segments", [])
    for i, criterion in items(raw, "criteria"):
        at = f"criteria[{i}]"
        segment = criterion.get("segment")
        if isinstance(segment, str) and segments is not None and segment not in segments:
            yield p(f"{at}.segment", f"unknown segment {segment!r}")
        rules = criterion.get("rules")
        if rules == []:
            yield p(f"{at}.rules", "must list at least one rule")
        bounds: dict[frozenset[str], tuple[Any, Any]] = {}
        for j, rule in items(criterion, "rules"):
            yield from _rule(rule, f"{at}.rules[{j}]", codes, p)
            named = rule.get("codes")
            if isinstance(named, list) and all(isinstance(c, str) for c in named):
                key = frozenset(named)
                low, high = number(rule, "min"), number(rule, "max")
                if key in bounds:
                    low0, high0 = bounds[key]
                    low = low if low is not None else low0
                    high = high if high is not None else high0
                bounds[key] = (low, high)
                if low is not None and high is not None and low > high:
                    yield p(
                        f"{at}.rules[{j}]", f"min {low:g} is above max {high:g} for the same codes"
                    )


def _rule(
    rule: dict[str, Any], at: str, codes: set[str | None] | None, p: ProblemAt
) -> Iterator[Problem]:
    ratio = rule.get("ratio")
    named = rule.get("codes")
    low, high = number(rule, "min"), number(rule, "max")
    if ratio is not None and named is not None:
        yield p(at, "a rule counts codes or a ratio, not both")
    if ratio is None and named is None:
        yield p(at, "needs codes (with min or max) or a ratio (with min)")
    if isinstance(named, list):
        if not named:
            yield p(f"{at}.codes", "must list at least one code")
        yield from _known(named, f"{at}.codes", codes, p)
        if low is None and high is None:
            yield p(at, "needs min or max")
        for name, value in (("min", low), ("max", high)):
            if value is not None and (not 0 <= value <= MAX_COUNT or value != int(value)):
                yield p(f"{at}.{name}", f"must be a whole number from 0 to {MAX_COUNT:,}")
    if isinstance(ratio, dict):
        for side in ("of", "to"):
            listed = ratio.get(side)
            if isinstance(listed, list):
                if not listed:
                    yield p(f"{at}.ratio.{side}", "must list at least one code")
                yield from _known(listed, f"{at}.ratio.{side}", codes, p)
        if high is not None:
            yield p(f"{at}.max", "a ratio takes min only")
        if low is None:
            yield p(at, "a ratio needs min")
        elif not 0 <= low <= MAX_RATIO:
            yield p(f"{at}.min", f"must be from 0 to {MAX_RATIO:g}")


def _known(
    listed: list[Any], at: str, codes: set[str | None] | None, p: ProblemAt
) -> Iterator[Problem]:
    if codes is None:
        return
    seen: set[str] = set()
    for k, code in enumerate(listed):
        if isinstance(code, str) and code not in codes:
            yield p(f"{at}[{k}]", f"unknown code {code!r}")
        if isinstance(code, str) and code in seen:
            yield p(f"{at}[{k}]", f"{code!r} is listed twice")
        if isinstance(code, str):
            seen.add(code)
