"""Shared fixtures for the replay tests: a small hand-coded session with known answers."""

from __future__ import annotations

from pathlib import Path

import attrs

from observer.codebook import Codebook, load_codebook
from observer.sessionfile import SCHEMA, Event, Note, Review, Session, write_session
from observer.synthetic import codebook_ref

BOOK: Codebook = load_codebook("cpp-attachment")

EVENTS = (
    Event("cg-shares-play", 0.0, 10.0),  # 0  cg-involvement/caregiver
    Event("ch-own-play", 1.0, 5.0),  # 1  ch-proximity/child
    Event("cg-warm-touch", 2.0, None, {"intensity": "high"}),  # 2  cg-warmth/caregiver
    Event("ch-bids", 3.0, None),  # 3  ch-signals/child
    Event("ch-approach", 5.0, 8.0),  # 4
    Event("cg-encourages", 6.5, None),  # 5
    Event("cg-watches", 10.0, 30.0),  # 6
    Event("ch-distress", 12.0, None),  # 7
    Event("ch-seeks-contact", 20.0, 40.0),  # 8
)


def small_session(session_id: str = "S1-D001-obs1", observer: str = "obs1") -> Session:
    return Session(
        schema=SCHEMA,
        id=session_id,
        status="complete",
        codebook=codebook_ref(BOOK),
        dyad="D001",
        observer=observer,
        started_at="2026-01-05T10:00:00+00:00",
        ended_at="2026-01-05T10:01:00+00:00",
        duration=60.0,
        events=EVENTS,
        notes=(Note(15.0, "child looks at the door"), Note(45.0, "noise outside")),
    )


def small_file(folder: Path, session_id: str = "S1-D001-obs1") -> Path:
    return write_session(folder, small_session(session_id))


def unlinked(reviews: tuple[Review, ...]) -> tuple[Review, ...]:
    """Review entries without their trail links (set by observer on every save)."""
    return tuple(attrs.evolve(r, link=None) for r in reviews)
