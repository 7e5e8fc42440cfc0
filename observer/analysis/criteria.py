"""A session measured against its codebook's criteria (mastery criteria, say).

The measuring itself is ``observer.codebook.measure`` (below the session file, which
recomputes a file's stored ``criteria`` on load); this module adds what analysis needs
on top: the counts per code named by a segment's criteria (``observer progress``) and
a result in the form a session file stores it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from observer.codebook import Codebook
from observer.codebook.measure import (
    CriterionResult,
    RuleResult,
    evaluate,
    named_codes,
    onsets,
    rule_result,
)
from observer.sessionfile import Event, SegmentSpan

__all__ = [
    "CriterionResult",
    "RuleResult",
    "as_dict",
    "counts_for",
    "evaluate",
    "named_codes",
    "onsets",
    "rule_result",
]


def counts_for(
    book: Codebook,
    events: Iterable[Event],
    spans: Sequence[SegmentSpan],
    duration: float,
    segment: str | None,
) -> dict[str, int]:
    """The onsets of the codes that the criteria of ``segment`` name."""
    criteria = [c for c in book.criteria if c.segment == segment]
    counts, _ = onsets(events, spans, segment, duration)
    return {code: counts[code] for code in named_codes(criteria)}


def as_dict(result: CriterionResult) -> dict[str, Any]:
    """A criterion's result as stored in a session file's ``criteria``."""
    return {
        "id": result.criterion.id,
        "segment": result.criterion.segment,
        "met": result.met,
        "rules": [{"value": r.value, "target": r.describe(), "met": r.met} for r in result.rules],
    }
