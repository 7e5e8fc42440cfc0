"""Synthetic sessions for tests, benchmarks and demonstrations (never real children).

``make_session`` codes a plausible session from any codebook: each stream
alternates bouts and gaps, exclusive groups never overlap within an actor, point
codes fall between. ``perturb`` makes a second observer's coding of the same
session: every time jittered, some codes swapped within their stream, some
events missed, some added, as inter-observer agreement studies need.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import attrs

from observer.codebook import Code, Codebook
from observer.sessionfile import SCHEMA, CodebookRef, Event, Session, round_time


def codebook_ref(book: Codebook) -> CodebookRef:
    return CodebookRef(book.id, book.version, book.sha256, book.document)


def make_session(
    book: Codebook,
    n_events: int,
    *,
    seed: int = 0,
    mean_gap: float = 2.0,
    dyad: str = "D001",
    observer: str = "obs1",
    session_id: str | None = None,
) -> Session:
    """About ``n_events`` events spread over the streams, sorted by start."""
    rng = random.Random(seed)
    streams = book.streams
    per_stream = max(1, n_events // max(1, len(streams)))
    events: list[Event] = []
    for stream in streams:
        t = rng.uniform(0, mean_gap)
        states = [c for c in stream.codes if c.kind == "state"]
        points = [c for c in stream.codes if c.kind == "point"]
        for _ in range(per_stream):
            code: Code = rng.choice(
                states if states and (not points or rng.random() < 0.6) else points
            )
            mods = {m: rng.choice(book.modifier_by_id[m].values).id for m in code.modifiers}
            if code.kind == "state":
                length = rng.uniform(0.5, 4 * mean_gap)
                events.append(Event(code.id, round_time(t), round_time(t + length), mods))
                # Exclusive or not, a stream's own bouts do not overlap here.
                t += length + rng.uniform(0.05, mean_gap)
            else:
                events.append(Event(code.id, round_time(t), None, mods))
                t += rng.uniform(0.05, mean_gap)
    events = events[:n_events] if len(events) > n_events else events
    events.sort(key=lambda e: (e.start, e.code))
    duration = (
        max((e.end if e.end is not None else e.start) for e in events) + 1.0 if events else 1.0
    )
    started = datetime(2026, 1, 5, 10, 0, tzinfo=UTC) + timedelta(seconds=seed)
    ended = started + timedelta(seconds=duration)
    return Session(
        schema=SCHEMA,
        id=session_id or f"{started:%Y%m%dT%H%M%SZ}-{dyad}-{observer}",
        status="complete",
        codebook=codebook_ref(book),
        dyad=dyad,
        observer=observer,
        started_at=started.isoformat(),
        ended_at=ended.isoformat(),
        duration=round_time(duration),
        events=tuple(events),
        ratings={r.id: None for r in book.ratings if r.scope == "session"},
    )


def perturb(
    session: Session,
    *,
    seed: int = 1,
    jitter: float = 0.3,
    swap: float = 0.1,
    miss: float = 0.0,
    extra: float = 0.0,
    observer: str = "obs2",
) -> Session:
    """A second observer's coding of ``session``: jittered times, swapped, missed, added events."""
    rng = random.Random(seed)
    book = session.book
    by_stream = {s.id: s.codes for s in book.streams}
    out: list[Event] = []

    def clamp(t: float) -> float:
        return round_time(min(max(t, 0.0), session.duration))

    for event in session.events:
        if rng.random() < miss:
            continue
        code = book.code_by_id[event.code]
        if rng.random() < swap:
            same_kind = [
                c for c in by_stream[code.stream] if c.kind == code.kind and c.id != code.id
            ]
            if same_kind:
                code = rng.choice(same_kind)
        start = clamp(event.start + rng.uniform(-jitter, jitter))
        end = None
        if event.end is not None:
            end = max(start, clamp(event.end + rng.uniform(-jitter, jitter)))
        mods = {m: rng.choice(book.modifier_by_id[m].values).id for m in code.modifiers}
        out.append(Event(code.id, start, end, mods))
        if rng.random() < extra:
            t = clamp(event.start + rng.uniform(0, 1.0))
            end_extra = clamp(t + 0.5) if code.kind == "state" else None
            out.append(Event(code.id, t, end_extra, mods))
    out.sort(key=lambda e: (e.start, e.code))
    sid = session.id.rsplit("-", 1)[0] + f"-{observer}"
    return attrs.evolve(session, id=sid, observer=observer, events=tuple(out), reviews=())
