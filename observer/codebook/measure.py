"""A session's events measured against its codebook's criteria (mastery criteria, say).

A criterion's rules count points and state onsets: every event whose start lies inside
the criterion's segment (every span of it: ``[start, end)``, a span without an end
running to the end of the session), or the whole session when it names none. A count
rule is met when the count is at least ``min`` and at most ``max``; a ratio rule when
the count of ``of`` over the count of ``to`` is at least ``min`` (not met when ``to``
counts 0: the ratio is undefined). A criterion is met when every rule is, and a
criterion whose segment was never marked in the session is not met (nothing was
coded in it). These are the figures the coding screen's tallies, the end summary, the
session file's ``criteria`` and ``observer progress`` show.

It lives with the codebook (below the session file) so that loading a session can
recompute the ``criteria`` it stores; it takes anything with a code and a start as
an event, and anything with a segment, a start and an end as a span.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

import attrs

from observer.codebook.model import Codebook, Criterion, CriterionRule


class Onset(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def start(self) -> float: ...


class Span(Protocol):
    @property
    def segment(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float | None: ...


@attrs.frozen
class RuleResult:
    rule: CriterionRule
    value: float | None
    """The count, or the ratio (None: a ratio over a count of 0)."""
    met: bool

    def describe(self) -> str:
        """The rule in words: ``10 or more``, ``3 or fewer``, ``ratio 1.0 or more``."""
        r = self.rule
        if r.ratio is not None:
            return f"ratio {_n(r.min)} or more"
        if r.min is not None and r.max is not None:
            return f"{_n(r.min)} to {_n(r.max)}"
        return f"{_n(r.min)} or more" if r.min is not None else f"{_n(r.max)} or fewer"


@attrs.frozen
class CriterionResult:
    criterion: Criterion
    marked: bool
    """Whether the criterion's segment was marked in the session (always, for none)."""
    rules: tuple[RuleResult, ...]

    @property
    def met(self) -> bool:
        return self.marked and all(r.met for r in self.rules)


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def named_codes(criteria: Iterable[Criterion]) -> list[str]:
    """Every code the criteria count, in the order they name them."""
    out: dict[str, None] = {}
    for criterion in criteria:
        for rule in criterion.rules:
            named = rule.codes if rule.ratio is None else (*rule.ratio.of, *rule.ratio.to)
            out.update(dict.fromkeys(named))
    return list(out)


def onsets(
    events: Iterable[Onset], spans: Sequence[Span], segment: str | None, duration: float
) -> tuple[Counter[str], bool]:
    """Onsets per code inside ``segment`` (None: all), and whether it was marked."""
    if segment is None:
        return Counter(e.code for e in events), True
    ranges = [
        (s.start, duration if s.end is None else s.end) for s in spans if s.segment == segment
    ]
    counts = Counter(e.code for e in events if any(lo <= e.start < hi for lo, hi in ranges))
    return counts, bool(ranges)


def rule_result(rule: CriterionRule, counts: Counter[str]) -> RuleResult:
    if rule.ratio is not None:
        of = sum(counts[c] for c in rule.ratio.of)
        to = sum(counts[c] for c in rule.ratio.to)
        ratio = of / to if to else None
        low = 0.0 if rule.min is None else float(rule.min)
        return RuleResult(rule, ratio, ratio is not None and ratio >= low)
    value = sum(counts[c] for c in rule.codes)
    met = (rule.min is None or value >= rule.min) and (rule.max is None or value <= rule.max)
    return RuleResult(rule, float(value), met)


def evaluate(
    book: Codebook, events: Iterable[Onset], spans: Sequence[Span], duration: float
) -> tuple[CriterionResult, ...]:
    """Each of the codebook's criteria, measured on these events."""
    return measure(book.criteria, events, spans, duration)


def measure(
    criteria: Iterable[Criterion], events: Iterable[Onset], spans: Sequence[Span], duration: float
) -> tuple[CriterionResult, ...]:
    """These criteria (some of a codebook's), measured on these events."""
    events = tuple(events)
    out = []
    for criterion in criteria:
        counts, marked = onsets(events, spans, criterion.segment, duration)
        rules = tuple(rule_result(rule, counts) for rule in criterion.rules)
        out.append(CriterionResult(criterion, marked, rules))
    return tuple(out)
