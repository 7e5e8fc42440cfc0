"""BORIS observations → observer sessions, sharing the project's generated codebook.

BORIS stores each observation's events as ``[time, subject, behaviour,
modifiers, comment, ...]`` with no start/stop field: for a state behaviour the
occurrences of one (subject, behaviour) alternate start, stop, start... Here
each pair becomes one state event; a start left without a stop is closed at
the observation's last time, flagged ``unpaired-start`` and reported.

What the session format has no field for is kept as a note rather than lost:
event comments, values of modifier sets that are not kept, the observation's
description and independent variables. Session id: the observation id made
safe; ``observer``: the observation id (BORIS records no observer);
``dyad``: the codebook id (BORIS records no dyad); ``started_at``: the
observation's date (BORIS writes local time without a zone; it is stored as
given, read as UTC).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from observer.errors import InputError, Problem
from observer.interchange import unique_id
from observer.interchange.boris import Behaviour, Mapping, entries, split_key, subject_of, where
from observer.sessionfile import (
    SCHEMA,
    CodebookRef,
    Event,
    Note,
    Session,
    round_time,
    session_from_data,
    unstructure,
)

LIVE_TYPES = ("LIVE", "MEDIA")
UNPAIRED = "unpaired-start"


def build_sessions(
    raw: dict[str, Any], mapping: Mapping, file: str, notices: list[Problem]
) -> list[Session]:
    """One session per live or media observation, in the project's order."""
    taken: set[str] = set()
    sessions: list[Session] = []
    problems: list[Problem] = []
    for oid, obs in entries(raw, "observations", file):
        kind = str(obs.get("type", "")).upper()
        if kind not in LIVE_TYPES:
            notices.append(
                Problem(
                    file,
                    where("observations", oid),
                    f"a {kind or 'typeless'} observation, not live or media: skipped",
                )
            )
            continue
        try:
            sessions.append(_session(oid, obs, mapping, file, taken, notices))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return sessions


def _parse_events(
    oid: str, obs: dict[str, Any], file: str, notices: list[Problem]
) -> list[tuple[float, str, str, str, str]]:
    """``(time, subject, behaviour, modifiers, comment)`` per event, checked, in time order;
    an event at a bare ``NaN`` (BORIS writes it for image observations) is skipped."""
    events = obs.get("events", [])
    if not isinstance(events, list):
        raise InputError.one(file, where("observations", oid, "events"), "must be a list")
    out: list[tuple[float, str, str, str, str]] = []
    problems: list[Problem] = []
    for i, event in enumerate(events):
        at = where("observations", oid, "events", i)
        if not isinstance(event, list) or len(event) < 3:
            problems.append(
                Problem(file, at, "an event must be a list [time, subject, behaviour, ...]")
            )
            continue
        t = event[0]
        if isinstance(t, str):
            with contextlib.suppress(ValueError):
                t = float(t)
        if isinstance(t, float) and t != t:
            notices.append(Problem(file, f"{at}[0]", "time NaN is not a number: event skipped"))
            continue
        if isinstance(t, bool) or not isinstance(t, int | float) or abs(t) == float("inf"):
            problems.append(Problem(file, f"{at}[0]", f"time {event[0]!r} is not a number"))
            continue
        fields = [f if isinstance(f, str) else "" for f in ([*event, "", "", ""])[2:5]]
        out.append((float(t), subject_of(event), fields[0].strip(), fields[1], fields[2].strip()))
    if problems:
        raise InputError(problems)
    out.sort(key=lambda e: e[0])
    return out


def _session(
    oid: str,
    obs: dict[str, Any],
    mapping: Mapping,
    file: str,
    taken: set[str],
    notices: list[Problem],
) -> Session:
    at = where("observations", oid)

    def notice(message: str) -> None:
        notices.append(Problem(file, at, message))

    parsed = _parse_events(oid, obs, file, notices)
    shift, started = _origin(obs, parsed, notice)
    last = max((e[0] for e in parsed), default=0.0) + shift
    events: list[Event] = []
    notes: list[Note] = []
    bouts = _Bouts()
    for time, subject, name, modifier_text, comment in parsed:
        t = round_time(time + shift)
        behaviour = mapping.behaviours.get(name)
        actor = mapping.actors[subject]
        if behaviour is None:
            notice(f"unknown behaviour {name!r} at {t} s: kept as a note")
            notes.append(
                Note(t, f"BORIS event of unknown behaviour {name!r} ({subject or 'no subject'})")
            )
            continue
        code = behaviour.codes[actor]
        modifiers = _modifiers(behaviour, modifier_text, code, t, notes, notice)
        if comment:
            notes.append(Note(t, f"{code}: {comment}"))
        if behaviour.kind == "point":
            events.append(Event(code, t, None, modifiers))
        else:
            closed = bouts.press(code, _values(modifier_text), t, modifiers)
            if closed is not None:
                events.append(closed)
    end = round_time(last)
    for code, start, modifiers in bouts.running():
        notice(
            f"{code} started at {start} s and never stopped: closed at the observation's last time, {end} s (flagged {UNPAIRED})"
        )
        events.append(Event(code, start, end, modifiers, (UNPAIRED,)))
    events.sort(key=lambda e: e.start)

    description = obs.get("description")
    head: list[Note] = []
    if isinstance(description, str) and description.strip():
        head.append(Note(0.0, f"BORIS description: {description.strip()}"))
    variables = obs.get("independent_variables")
    for name, value in (variables or {}).items() if isinstance(variables, dict) else []:
        if value not in ("", None):
            head.append(Note(0.0, f"BORIS independent variable {name}: {value}"))
    notes.sort(key=lambda n: n.t)

    book = mapping.codebook
    session = Session(
        schema=SCHEMA,
        id=unique_id(oid, taken, "observation", session=True),
        status="complete",
        codebook=CodebookRef(book.id, book.version, book.sha256, book.document),
        dyad=book.id,
        observer=oid,
        label=f"BORIS observation {oid}",
        started_at=started.isoformat(),
        ended_at=(started + timedelta(seconds=end)).isoformat(),
        duration=end,
        events=tuple(events),
        notes=tuple(head + notes),
    )
    # The same checks as for any session file read from disk.
    return session_from_data(unstructure(session), f"{file}: {at}")


def _values(text: str) -> tuple[str, ...]:
    """The modifier values of a press as BORIS compares them ("None" and "" for no choice)."""
    values = tuple("" if v.strip() == "None" else split_key(v)[0] for v in text.split("|"))
    return () if not any(values) else values


class _Bouts:
    """Start/stop pairing as BORIS pairs presses: per (code, modifier values), so two
    bouts of one behaviour with different values overlap; a press without values
    closes the running bout of that code (the earliest, if several run), as
    BORIS's mobile app writes stops without modifiers."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, tuple[str, ...]], tuple[float, dict[str, str]]] = {}

    def press(
        self, code: str, values: tuple[str, ...], t: float, modifiers: dict[str, str]
    ) -> Event | None:
        key = (code, values)
        if key not in self._open and not values:
            key = next((k for k in self._open if k[0] == code), key)
        if key in self._open:
            start, start_modifiers = self._open.pop(key)
            return Event(code, start, t, start_modifiers)
        self._open[key] = (t, modifiers)
        return None

    def running(self) -> list[tuple[str, float, dict[str, str]]]:
        return [(code, start, mods) for (code, _), (start, mods) in self._open.items()]


def _origin(
    obs: dict[str, Any], parsed: list[tuple[float, str, str, str, str]], notice: Any
) -> tuple[float, datetime]:
    """(shift added to every time, wall clock of session time 0).

    Times of day (``start_from_current_time``) and epoch times
    (``start_from_current_epoch_time``): time 0 is the observation's start (its
    first event), whose wall clock is the start. Otherwise times below 0 are
    shifted to start at 0."""
    date = _date(obs.get("date"), notice)
    first = min((e[0] for e in parsed), default=0.0)
    if obs.get("start_from_current_epoch_time") is True and parsed:
        start = datetime.fromtimestamp(first, UTC)
        notice(f"times are epoch times: session time 0 is the observation's start, {start}")
        return -first, start
    if obs.get("start_from_current_time") is True and parsed:
        midnight = date.replace(hour=0, minute=0, second=0, microsecond=0)
        start = midnight + timedelta(seconds=first)
        notice(
            f"times are times of day: session time 0 is the observation's start,"
            f" {start.time().isoformat()}"
        )
        return -first, start
    if first < 0:
        notice(f"times start at {first} s: every time shifted by +{-first} s to start at 0")
        return -first, date
    return 0.0, date


def _modifiers(
    behaviour: Behaviour, text: str, code: str, t: float, notes: list[Note], notice: Any
) -> dict[str, str]:
    """BORIS's ``"value|value"`` (one part per modifier set, ``None`` for no choice)."""
    chosen: dict[str, str] = {}
    for i, part in enumerate(text.split("|") if text else []):
        value, _ = split_key(part)
        if value in ("", "None"):
            continue
        if i >= len(behaviour.sets):
            notes.append(Note(t, f"{code}: modifier value {value!r} (no modifier set for it)"))
            continue
        modifier_set = behaviour.sets[i]
        value_id = modifier_set.values.get(value) if modifier_set.modifier else None
        if modifier_set.modifier is None or value_id is None:
            if modifier_set.modifier is not None:
                notice(
                    f"{code} at {t} s: {value!r} is not a value of modifier set {modifier_set.name!r}: kept as a note"
                )
            notes.append(Note(t, f"{code}: {modifier_set.name} = {value}"))
            continue
        chosen[modifier_set.modifier] = value_id
    return chosen


def _date(value: Any, notice: Any) -> datetime:
    try:
        date = datetime.fromisoformat(str(value))
    except ValueError:
        notice(f"date {value!r} is not an ISO date: the session starts at 1970-01-01")
        return datetime(1970, 1, 1, tzinfo=UTC)
    return date if date.tzinfo else date.replace(tzinfo=UTC)
