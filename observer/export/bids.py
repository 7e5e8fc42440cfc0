"""BIDS events files (the Brain Imaging Data Structure's behavioural ``beh`` data).

Each session becomes ``sub-<dyad>/ses-<n>/beh/sub-<dyad>_ses-<n>_task-<label>_events.tsv``
and its ``_events.json`` sidecar:

- ``<dyad>``: the session's dyad with everything but ASCII letters and digits left
  out (BIDS labels are alphanumeric: ``D-012`` → ``D012``);
- ``<n>``: the session's number within its dyad among the sessions exported, in
  time order (``started_at``, then the session id), from 1;
- ``<label>``: the codebook id, alphanumeric the same way (``cpp-attachment`` →
  ``cppattachment``).

The table: ``onset`` and ``duration`` first (seconds on the session clock, pauses
excluded: session time 0 is the start of the recording; a point event's duration is
0, BIDS's impulse), then ``trial_type`` (the code id), ``kind``, ``actor``,
``group``, one column per modifier of the codebook (``modifier_<id>``, the value id),
``segment`` and ``flags``; ``n/a`` where a value is missing. Tab-separated, UTF-8,
``\\n`` line ends, rows in the session's event order (by onset). The sidecar
describes every column and gives the levels of each categorical one from the
codebook (every code, also those not used in the session).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import orjson

from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.export import seconds
from observer.sessionfile import Session, segment_finder

NA = "n/a"


def bids_label(text: str) -> str:
    """``text`` as a BIDS label: its ASCII letters and digits only."""
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _column(modifier_id: str) -> str:
    return "modifier_" + re.sub(r"[^A-Za-z0-9]", "_", modifier_id)


def _when(session: Session) -> tuple[datetime, str]:
    try:
        t = datetime.fromisoformat(session.started_at)
    except ValueError:
        t = datetime.min
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t, session.id


def numbering(sessions: Iterable[Session]) -> dict[str, tuple[str, int]]:
    """session id -> (subject label, session number); problems as InputError: a dyad
    with no letter or digit, two dyads that give one label."""
    order: dict[str, list[tuple[datetime, str]]] = {}
    dyads: dict[str, str] = {}
    problems: list[Problem] = []
    for session in sessions:
        label = bids_label(session.dyad)
        if not label:
            message = f"dyad {session.dyad!r} has no letter or digit to make a BIDS subject label"
            problems.append(Problem(session.id, "dyad", message))
            continue
        other = dyads.setdefault(label, session.dyad)
        if other != session.dyad:
            message = f"dyads {other!r} and {session.dyad!r} both make the BIDS subject sub-{label}"
            problems.append(Problem(session.id, "dyad", message))
            continue
        order.setdefault(label, []).append(_when(session))
    if problems:
        raise InputError(problems)
    out: dict[str, tuple[str, int]] = {}
    for label, items in order.items():
        for n, (_, sid) in enumerate(sorted(items), 1):
            out[sid] = (label, n)
    return out


def events_tsv(session: Session) -> Iterator[bytes]:
    """The events table of one session, in pieces."""
    book = session.book
    modifiers = [m.id for m in book.modifiers]
    header = ["onset", "duration", "trial_type", "kind", "actor", "group"]
    header += [_column(m) for m in modifiers] + ["segment", "flags"]
    yield ("\t".join(header) + "\n").encode("utf-8")
    fixed = {c.id: f"{c.id}\t{c.kind}\t{c.actor}\t{c.group}" for c in book.codes}
    segment_at = segment_finder(session)
    lines: list[str] = []
    for event in session.events:
        end = event.end
        duration = "0.000" if end is None else seconds(max(0.0, round(end - event.start, 6)))
        mods = "".join(f"\t{event.modifiers.get(m) or NA}" for m in modifiers)
        lines.append(
            f"{seconds(event.start)}\t{duration}\t{fixed[event.code]}{mods}"
            f"\t{segment_at(event.start) or NA}\t{';'.join(event.flags) or NA}\n"
        )
        if len(lines) >= 4096:
            yield "".join(lines).encode("utf-8")
            lines = []
    yield "".join(lines).encode("utf-8")


def sidecar(book: Codebook) -> bytes:
    """The ``_events.json`` describing every column of :func:`events_tsv`."""

    def code_level(definition: str, label: str) -> str:
        return f"{label}: {definition}" if definition else label

    doc: dict[str, object] = {
        "onset": {
            "Description": "Start of the event on the session clock (session time 0 is the"
            " start of the recording; pauses excluded).",
            "Units": "s",
        },
        "duration": {
            "Description": "Length of a state event; 0 for a point (momentary) event.",
            "Units": "s",
        },
        "trial_type": {
            "LongName": "Code",
            "Description": f"The code of codebook {book.id} {book.version} ({book.title}).",
            "Levels": {c.id: code_level(c.definition, c.label) for c in book.codes},
        },
        "kind": {
            "Description": "Whether the code is a state (it lasts) or a point (a moment).",
            "Levels": {"state": "a state event, with a duration", "point": "a point event"},
        },
        "actor": {
            "Description": "Who the code describes.",
            "Levels": {a.id: a.description or a.label for a in book.actors},
        },
        "group": {
            "Description": "The code's group (with the actor, its stream).",
            "Levels": {g.id: g.description or g.label for g in book.groups},
        },
    }
    for m in book.modifiers:
        doc[_column(m.id)] = {
            "LongName": m.label,
            "Description": f"Modifier {m.id} of the event ({m.description or m.label}); n/a when"
            " the code does not take it or none was chosen.",
            "Levels": {v.id: v.label or v.id for v in m.values},
        }
    segment: dict[str, object] = {
        "Description": "The segment of the session the event starts in; n/a outside any.",
    }
    if book.segments:
        segment["Levels"] = {s.id: s.description or s.label for s in book.segments}
    doc["segment"] = segment
    doc["flags"] = {
        "Description": "The event's flags, ;-joined: closed-at-recovery (a state still running"
        " at a crash, closed at the last action), unpaired-start (a start never stopped),"
        " corrected (changed by a review correction); n/a when none.",
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def bids_files(sessions: Iterable[Session]) -> Iterator[tuple[str, Iterator[bytes] | bytes]]:
    """``(relative path, data)``: each session's events table and sidecar. Reads the
    sessions twice: once for the session numbers, then to write."""
    numbers = numbering(sessions)
    for session in sessions:
        subject, n = numbers[session.id]
        task = bids_label(session.book.id) or "coding"
        stem = f"sub-{subject}/ses-{n}/beh/sub-{subject}_ses-{n}_task-{task}_events"
        yield f"{stem}.tsv", events_tsv(session)
        yield f"{stem}.json", sidecar(session.book)
