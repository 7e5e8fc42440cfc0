"""Consensus coding: two codings of one session become a third, event by event.

The two codings are aligned exactly as replay's compare mode and ``observer agree
--method event`` align them. Each aligned item (an agreement, a disagreement, an
event only A has, one only B has) is decided: take A's event, B's, both, neither,
or an edited one. Agreements are taken as they stand unless the supervisor asks to
see them too. Every decision is appended to a journal and fsynced as it is made
(:class:`DecisionJournal`), so a crash mid-consensus loses nothing; the consensus
session is then written as a new file (``status: consensus``, each event with its
provenance). A and B are never changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import orjson

from observer import durable, jsonio
from observer.analysis.align import Kind, align_sessions
from observer.codebook import Rating
from observer.crypto.agefile import plaintext
from observer.crypto.folder import sealer_for
from observer.crypto.stream import open_sealed
from observer.errors import InputError
from observer.sessionfile import (
    Consensus,
    Event,
    Note,
    Provenance,
    Scan,
    Session,
    Source,
    session_file,
    valid_session_id,
    write_session,
)
from observer.structure import MAX_SECONDS, structure

Choice = Literal["a", "b", "both", "neither", "edited"]
CHOICES: tuple[Choice, ...] = ("a", "b", "both", "neither", "edited")
JOURNAL_SCHEMA = "observer.consensus-journal/1"


@attrs.frozen
class Item:
    """One aligned item to decide: ``a``/``b`` index the codings' events (None: absent)."""

    number: int
    stream: str
    kind: Kind
    a: int | None
    b: int | None


@attrs.frozen
class Decision:
    item: int
    choice: Choice
    decided_by: str
    decided_at: str
    edited: Event | None = None


def file_sha256(path: Path) -> str:
    """SHA-256 of the session's bytes (an encrypted session's plaintext)."""
    return hashlib.sha256(plaintext(jsonio.read_bytes(path), str(path))).hexdigest()


def align_items(a: Session, b: Session, tolerance: float) -> list[Item]:
    return [
        Item(i, pair.stream, pair.kind, pair.a, pair.b)
        for i, pair in enumerate(align_sessions(a, b, tolerance))
    ]


def to_decide(items: Sequence[Item], agreements: bool) -> list[Item]:
    """The items shown to the supervisor, in time order."""
    return [item for item in items if agreements or item.kind != "agreement"]


def check_edit(session: Session, event: Event) -> str | None:
    """Why ``event`` cannot stand in the consensus, or None."""
    code = session.book.code_by_id.get(event.code)
    if code is None:
        return f"unknown code {event.code!r}"
    if not 0 <= event.start <= session.duration:
        return f"start {event.start} is outside the session (0 to {session.duration})"
    if code.kind == "point" and event.end is not None:
        return f"{code.label} is a point code: give one time"
    if code.kind == "state":
        if event.end is None:
            return f"{code.label} is a state: give its start and end"
        if event.end <= event.start:
            return "a state must end after it starts"
        if event.end > session.duration:
            return f"end {event.end} is outside the session (0 to {session.duration})"
    unknown = [m for m in event.modifiers if m not in code.modifiers]
    if unknown:
        return f"{code.label} has no modifier {unknown[0]!r}"
    return None


def build(
    a: Session,
    b: Session,
    items: Sequence[Item],
    decisions: Sequence[Decision],
    *,
    decided_by: str,
    now: str,
    session_id: str,
    tolerance: float,
    sha256: tuple[str, str],
) -> Session:
    """The consensus session. Items without a decision must be agreements (taken from
    A, marked ``auto``); anything else undecided is a ValueError."""
    chosen = {d.item: d for d in decisions}
    rows: list[tuple[Event, Provenance]] = []
    for item in items:
        decision = chosen.get(item.number)
        if decision is None:
            if item.kind != "agreement" or item.a is None:
                raise ValueError(f"item {item.number} ({item.kind}) is not decided")
            rows.append(
                (a.events[item.a], Provenance("a", item.a, item.b, decided_by, now, auto=True))
            )
            continue
        for source in _SOURCES[decision.choice]:
            rows.append(_taken(a, b, item, decision, source))
    rows.sort(key=lambda row: (row[0].start, row[0].code))
    notes = sorted({*a.notes, *b.notes}, key=lambda n: (n.t, n.text))
    ratings = {k: v for k, v in a.ratings.items()}
    for key, value in ratings.items():
        if b.ratings.get(key) != value:
            ratings[key] = _blank(value, a.book.rating_by_id.get(key))
    return attrs.evolve(
        a,
        id=session_id,
        status="consensus",
        observer=decided_by,
        duration=max(a.duration, b.duration),
        events=tuple(event for event, _ in rows),
        notes=tuple(Note(n.t, n.text) for n in notes),
        ratings=ratings,
        scans=_scans(a, b),
        reviews=(),
        consensus=Consensus(
            Source(a.id, a.observer, sha256[0]),
            Source(b.id, b.observer, sha256[1]),
            tolerance,
            tuple(p for _, p in rows),
        ),
    )


_SOURCES: dict[Choice, tuple[Literal["a", "b", "edited"], ...]] = {
    "a": ("a",),
    "b": ("b",),
    "both": ("a", "b"),
    "neither": (),
    "edited": ("edited",),
}


def _taken(
    a: Session, b: Session, item: Item, decision: Decision, source: Literal["a", "b", "edited"]
) -> tuple[Event, Provenance]:
    provenance = Provenance(source, item.a, item.b, decision.decided_by, decision.decided_at)
    if source == "edited":
        if decision.edited is None:
            raise ValueError(f"item {item.number}: an edited decision needs its event")
        return decision.edited, provenance
    index = item.a if source == "a" else item.b
    if index is None:
        raise ValueError(f"item {item.number} has no event of {source.upper()}")
    return (a if source == "a" else b).events[index], provenance


def _blank(value: Any, rating: Rating | None) -> Any:
    """A rating the two codings disagree on is left unrated (per segment likewise; an
    allocation as a whole)."""
    segmented = isinstance(value, dict) and (rating is None or rating.kind != "allocation")
    return {k: None for k in value} if segmented else None


def _scans(a: Session, b: Session) -> tuple[Scan, ...]:
    """The time-sampling scans the two codings answered alike; every other one missed."""
    answers = {(s.t, s.stream): s.code for s in b.scans}
    cells = sorted({(s.t, s.stream) for s in (*a.scans, *b.scans)})
    mine = {(s.t, s.stream): s.code for s in a.scans}
    return tuple(
        Scan(
            t,
            stream,
            mine.get((t, stream)) if mine.get((t, stream)) == answers.get((t, stream)) else None,
        )
        for t, stream in cells
    )


def consensus_id(a: Session, folder: Path) -> str:
    """A new id for the consensus of ``a``: never one that names an existing file."""
    base = f"{a.id}-consensus"
    for n in range(1, 1000):
        candidate = base if n == 1 else f"{base}-{n}"
        if session_file(folder, candidate) is None:
            assert valid_session_id(candidate)
            return candidate
    raise InputError.one(str(folder), "$", "too many consensus sessions of this coding")


def write_consensus(folder: Path, session: Session) -> Path:
    """Write the session file (atomic, 0600); a name taken meanwhile gets the next id."""
    while True:
        try:
            return write_session(folder, session)
        except FileExistsError:
            session = attrs.evolve(session, id=consensus_id(session, folder))


# --- the journal -----------------------------------------------------------------


def _event_data(event: Event | None) -> Any:
    if event is None:
        return None
    return {
        "code": event.code,
        "start": event.start,
        "end": event.end,
        "modifiers": event.modifiers,
    }


class DecisionJournal:
    """``<consensus id>.consensus.jsonl``: a header naming A and B (with their hashes),
    then one line per decision (or ``undo``), each fsynced before it counts."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        durable.fchmod(fd, 0o600)
        self._fd = fd
        # In an encrypted folder each opening starts a sealed stream of its own.
        sealer = sealer_for(path.parent, str(path))
        self._seal: Callable[[bytes], bytes] = bytes if sealer is None else sealer.seal
        if sealer is not None:
            jsonio.write_all(fd, sealer.header)
        if os.fstat(fd).st_size == (0 if sealer is None else len(sealer.header)):
            self._append({"schema": JOURNAL_SCHEMA, **header})
            jsonio.fsync_dir(path.parent)

    def _append(self, line: dict[str, Any]) -> None:
        jsonio.write_all(self._fd, self._seal(orjson.dumps(line) + b"\n"))

    def decide(self, decision: Decision) -> None:
        self._append(
            {
                "item": decision.item,
                "choice": decision.choice,
                "decided_by": decision.decided_by,
                "decided_at": decision.decided_at,
                "edited": _event_data(decision.edited),
            }
        )

    def undo(self) -> None:
        self._append({"undo": True})

    def close(self, *, remove: bool = False) -> None:
        os.close(self._fd)
        if remove:
            self.path.unlink(missing_ok=True)
            jsonio.fsync_dir(self.path.parent)


def _decision(line: Any, file: str, number: int) -> Decision:
    """One decision line, checked as strictly as a session file's event; else an
    InputError naming the line."""
    where = f"line {number}"
    if not isinstance(line, dict):
        raise InputError.one(file, where, "not a consensus decision")
    item, choice = line.get("item"), line.get("choice")
    if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < 10_000_000:
        raise InputError.one(file, f"{where}.item", f"not an item number (got {item!r})")
    if choice not in CHOICES:
        raise InputError.one(file, f"{where}.choice", f"must be one of {', '.join(CHOICES)}")
    by, at = line.get("decided_by"), line.get("decided_at")
    if not isinstance(by, str) or not isinstance(at, str):
        raise InputError.one(file, where, "decided_by and decided_at must be strings")
    edited = line.get("edited")
    event = None if edited is None else structure(edited, Event, file=file, path=f"{where}.edited")
    if event is not None and not all(
        0 <= t <= MAX_SECONDS for t in (event.start, event.end) if t is not None
    ):  # also refuses NaN
        raise InputError.one(file, f"{where}.edited", f"times must be 0 to {MAX_SECONDS} s")
    return Decision(item, choice, by, at, event)


def read_journal(path: Path) -> tuple[dict[str, Any], list[Decision]]:
    """The header and the decisions still standing (undos applied); a torn last line
    (a crash mid-write) is left out."""
    data, _torn = open_sealed(jsonio.read_bytes(path), str(path))  # a torn record: left out
    lines = data.split(b"\n")
    header: dict[str, Any] | None = None
    decisions: list[Decision] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = orjson.loads(raw)
        except orjson.JSONDecodeError:
            if number >= len(lines) - 1:
                break  # torn last line
            raise InputError.one(str(path), f"line {number}", "not JSON") from None
        if header is None:
            if not isinstance(line, dict) or line.get("schema") != JOURNAL_SCHEMA:
                raise InputError.one(str(path), "line 1", "not a consensus journal")
            header = line
        elif isinstance(line, dict) and line.get("undo") is True:
            if decisions:
                decisions.pop()
        else:
            decisions.append(_decision(line, str(path), number))
    if header is None:
        raise InputError.one(str(path), "line 1", "empty consensus journal")
    return header, decisions
