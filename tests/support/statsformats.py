"""Sessions for the SPSS, Stata and Parquet exports: two sites' folders, two codebooks
(the Strange Situation, with its segments and every kind of rating, and
cpp-attachment), ids that look like numbers, a dyad, an observer, labels with commas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from observer.codebook import load_codebook
from observer.sessionfile import SegmentSpan, Session, write_session
from observer.synthetic import make_session

STRANGE = load_codebook("strange-situation")
CPP = load_codebook("cpp-attachment")

SS_RATINGS: list[dict[str, Any]] = [
    {
        "classification": "B2",
        "ch-disorganization": 2,
        "ch-proximity-seeking": {"reunion-1": 5, "reunion-2": 6, "caregiver-child": None},
        "ch-avoidance": {"reunion-1": 2, "reunion-2": 1},
        "ch-search": {"alone": 4},
    },
    {"classification": "D", "ch-disorganization": 7, "ch-resistance": {"reunion-2": 3}},
    {"classification": None},
]


def with_segments(session: Session) -> Session:
    """Eight back-to-back episodes over the session (the last one open)."""
    ids = [s.id for s in STRANGE.segments]
    step = session.duration / len(ids)
    spans = tuple(
        SegmentSpan(s, round(i * step, 6), None if i == len(ids) - 1 else round((i + 1) * step, 6))
        for i, s in enumerate(ids)
    )
    return attrs.evolve(session, segments=spans)


def study(root: Path, events: int = 200) -> list[Path]:
    """Five session files in ``root/site-a`` and ``root/site-b``."""
    paths: list[Path] = []
    made = [
        ("site-a", STRANGE, "007", "obs1", 0),
        ("site-a", CPP, "D012", "obs2", None),
        ("site-b", STRANGE, "D020", "obs1", 1),
        ("site-b", STRANGE, "1e3", "obs3", 2),
        ("site-b", CPP, "D021", "obs2", None),
    ]
    for n, (site, book, dyad, observer, rated) in enumerate(made, start=1):
        folder = root / site
        folder.mkdir(exist_ok=True)
        session = make_session(
            book, events, seed=n, dyad=dyad, observer=observer, session_id=f"S{n}-{dyad}"
        )
        if book is STRANGE:
            session = with_segments(session)
        if rated is not None:
            session = attrs.evolve(session, ratings=SS_RATINGS[rated])
        paths.append(write_session(folder, session))
    return paths
