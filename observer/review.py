"""Supervisors' review entries: comments, flags and proposed corrections.

Entries are ``Review`` records in the session file's ``reviews`` list (docs/replay.md,
Session file). They never alter ``events``: a correction is a proposal that
:func:`apply_corrections` carries out on a copy, on request, for analysis. Every
change goes through :func:`observer.sessionfile.save_reviews` (an atomic rewrite
that keeps the file's mode). Only an entry's author may edit or delete it.

The reviewer's id is asked once and kept in ``$XDG_CONFIG_HOME/observer/config.json``
(else ``~/.config/observer/config.json``), mode 0600.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import attrs

from observer.sessionfile import (
    Correction,
    Event,
    Review,
    Session,
    evaluated_criteria,
    round_time,
)
from observer.settings import config_path as config_path  # where the reviewer id is kept
from observer.settings import read_config, remember

REVIEWER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
CORRECTED = "corrected"
"""Flag carried by every event that :func:`apply_corrections` changed or added."""


Kind = Literal["comment", "flag", "correction"]


class ReviewError(ValueError):
    """A review entry that cannot be made: the message says why, for the reviewer."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the reviewer's id ---------------------------------------------------------------


def load_reviewer(path: Path | None = None) -> str | None:
    """The remembered reviewer id, or None (no config, or none valid in it)."""
    value = read_config(path).get("reviewer")
    return value if isinstance(value, str) and REVIEWER_PATTERN.fullmatch(value) else None


def check_reviewer(reviewer: str) -> str:
    reviewer = reviewer.strip()
    if not REVIEWER_PATTERN.fullmatch(reviewer):
        raise ReviewError(
            "a reviewer id is 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )
    return reviewer


def save_reviewer(reviewer: str, path: Path | None = None) -> Path:
    """Remember ``reviewer`` (other settings in the file are kept); mode 0600."""
    return remember("reviewer", check_reviewer(reviewer), path)


# --- making entries --------------------------------------------------------------------


def next_id(reviews: tuple[Review, ...]) -> str:
    taken = {r.id for r in reviews}
    n = len(reviews) + 1
    while f"r{n}" in taken:
        n += 1
    return f"r{n}"


def _event(session: Session, index: int | None) -> Event:
    if index is None or not 0 <= index < len(session.events):
        raise ReviewError("choose an event first")
    return session.events[index]


def _check_time(session: Session, t: float | None, what: str) -> float:
    if t is None or not 0 <= t <= session.duration + 1e-6:
        raise ReviewError(f"the {what} must lie within the session (0 to {session.duration:g} s)")
    return round_time(t)


def check_correction(session: Session, event: int | None, fix: Correction) -> Correction:
    """The correction, validated against the session and its codebook (times rounded)."""
    book = session.book
    if fix.action == "add":
        if event is not None:
            raise ReviewError("an addition is not tied to an existing event")
        code = book.code_by_id.get(fix.code or "")
        if code is None:
            raise ReviewError(f"unknown code {fix.code!r}")
        kind = code.kind
    else:
        current = _event(session, event)
        if fix.action == "delete":
            return Correction("delete")
        kind = book.code_by_id[current.code].kind
        if fix.action == "recode":
            new = book.code_by_id.get(fix.code or "")
            if new is None:
                raise ReviewError(f"unknown code {fix.code!r}")
            if new.kind != kind:
                raise ReviewError(f"{new.id} is a {new.kind} code, the event a {kind} event")
            if new.id == current.code:
                raise ReviewError(f"the event already has code {new.id}")
            _check_modifiers(session, new.id, fix.modifiers)
            return Correction("recode", code=new.id, modifiers=dict(fix.modifiers))
    start = _check_time(session, fix.start, "start")
    end = None
    if kind == "state":
        end = _check_time(session, fix.end, "end")
        if end < start:
            raise ReviewError("the end comes before the start")
        if end == start:
            raise ReviewError("a state bout must last: its end must come after its start")
    if fix.action == "retime":
        return Correction("retime", start=start, end=end)
    assert fix.code is not None
    _check_modifiers(session, fix.code, fix.modifiers)
    return Correction("add", code=fix.code, start=start, end=end, modifiers=dict(fix.modifiers))


def _check_modifiers(session: Session, code: str, modifiers: dict[str, str]) -> None:
    book = session.book
    for name, value in modifiers.items():
        modifier = book.modifier_by_id.get(name)
        if modifier is None or name not in book.code_by_id[code].modifiers:
            raise ReviewError(f"code {code} has no modifier {name!r}")
        if value not in {v.id for v in modifier.values}:
            raise ReviewError(f"{value!r} is not a value of {name}")


def new_entry(
    session: Session,
    reviewer: str,
    *,
    kind: Kind,
    t: float,
    text: str = "",
    event: int | None = None,
    correction: Correction | None = None,
    now: Callable[[], str] = utc_now,
) -> Review:
    """A new, validated review entry (not yet saved)."""
    reviewer = check_reviewer(reviewer)
    text = text.strip()
    if kind == "comment":
        if not text:
            raise ReviewError("a comment needs some text")
        event, correction = None, None
    elif kind == "flag":
        _event(session, event)
        correction = None
    elif kind == "correction":
        if correction is None:
            raise ReviewError("a correction needs an action")
        correction = check_correction(session, event, correction)
    else:
        raise ReviewError(f"unknown kind of entry {kind!r}")
    return Review(
        id=next_id(session.reviews),
        kind=kind,
        reviewer=reviewer,
        created_at=now(),
        t=_check_time(session, t, "time"),
        text=text,
        event=event,
        correction=correction,
    )


def _own(session: Session, review_id: str, reviewer: str) -> int:
    for i, review in enumerate(session.reviews):
        if review.id == review_id:
            if review.reviewer != reviewer:
                raise ReviewError(f"only {review.reviewer} can change entry {review_id}")
            return i
    raise ReviewError(f"no review entry {review_id!r}")


def edited(
    session: Session,
    review_id: str,
    reviewer: str,
    *,
    text: str,
    correction: Correction | None = None,
    now: Callable[[], str] = utc_now,
) -> tuple[Review, ...]:
    """The reviews with the author's entry given new text (and correction, if one)."""
    i = _own(session, review_id, reviewer)
    old = session.reviews[i]
    text = text.strip()
    if old.kind == "comment" and not text:
        raise ReviewError("a comment needs some text")
    fix = old.correction
    if old.kind == "correction" and correction is not None:
        fix = check_correction(session, old.event, correction)
    new = attrs.evolve(old, text=text, correction=fix, edited_at=now())
    return (*session.reviews[:i], new, *session.reviews[i + 1 :])


def without(session: Session, review_id: str, reviewer: str) -> tuple[Review, ...]:
    """The reviews without the author's entry ``review_id``."""
    i = _own(session, review_id, reviewer)
    return (*session.reviews[:i], *session.reviews[i + 1 :])


# --- applying corrections ----------------------------------------------------------------


def _empty_bout(fix: Correction) -> bool:
    return fix.start is not None and fix.end is not None and fix.end <= fix.start


def apply_corrections(session: Session) -> Session:
    """A copy of ``session`` whose events carry every correction in its reviews.

    Corrections apply in the order the entries are listed: ``recode`` changes an
    event's code (modifiers given with it replace the old ones, else the old ones
    the new code also takes are kept), ``retime`` its start and end, ``delete``
    removes it (whatever else was proposed for it), ``add`` inserts a new event. An
    ``add`` or ``retime`` giving a state bout no length is skipped.
    Changed and added events are flagged ``"corrected"``; events stay sorted by
    start. The copy has no reviews (their event indices refer to the original
    list) and its ``criteria`` are those of the corrected events; a response's
    ``responds_to`` follows its command (and is dropped with a deleted one).
    The file is not touched: this is for analysis, on request.
    """
    book = session.book
    events = list(session.events)
    deleted: set[int] = set()
    added: list[Event] = []

    def mark(event: Event, **changes: Any) -> Event:
        flags = event.flags if CORRECTED in event.flags else (*event.flags, CORRECTED)
        return attrs.evolve(event, flags=flags, **changes)

    for review in session.reviews:
        fix = review.correction
        if review.kind != "correction" or fix is None:
            continue
        if _empty_bout(fix):
            continue  # a state bout of no length (refused now, kept in older files)
        if fix.action == "add" and fix.code is not None and fix.start is not None:
            added.append(Event(fix.code, fix.start, fix.end, dict(fix.modifiers), (CORRECTED,)))
            continue
        i = review.event
        if i is None or not 0 <= i < len(events):
            continue
        if fix.action == "delete":
            deleted.add(i)
        elif fix.action == "recode" and fix.code is not None:
            takes = book.code_by_id[fix.code].modifiers
            mods = dict(fix.modifiers) or {
                k: v for k, v in events[i].modifiers.items() if k in takes
            }
            events[i] = mark(events[i], code=fix.code, modifiers=mods)
        elif fix.action == "retime" and fix.start is not None:
            events[i] = mark(events[i], start=fix.start, end=fix.end)
    rows: list[tuple[int | None, Event]] = [
        (i, e) for i, e in enumerate(events) if i not in deleted
    ]
    rows += [(None, e) for e in added]
    rows.sort(key=lambda row: row[1].start)
    kept = _relinked(rows)
    criteria = evaluated_criteria(book, kept, session.segments, session.duration)
    return attrs.evolve(session, events=tuple(kept), reviews=(), criteria=criteria)


def _relinked(rows: list[tuple[int | None, Event]]) -> list[Event]:
    """The events of ``rows`` (original index, event), with each ``responds_to`` turned
    to its command's new index (dropped when the command was deleted)."""
    moved = {old: new for new, (old, _) in enumerate(rows) if old is not None}
    out = []
    for _, event in rows:
        link = event.responds_to
        if link is not None:
            event = attrs.evolve(event, responds_to=moved.get(link))
        out.append(event)
    return out
