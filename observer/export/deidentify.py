"""De-identified sessions: what ``observer export --deidentify`` hands every writer.

De-identification is a transformation of :class:`~observer.sessionfile.Session`
objects made before any writer runs, so every export format (and any added later)
receives the same de-identified sessions. It takes two steps:

1. :func:`plan` reads what it needs of every session (ids, dyads, observers,
   labels, times) and draws the codes and the date shifts: a :class:`Plan`.
2. :meth:`Plan.apply` turns one session into its de-identified copy, one at a time.

What is replaced (docs/confidentiality.md says why):

- every session id by a code ``D-xxxxxx-NN`` (the dyad's code and the session's
  number among that dyad's sessions, in the order of their start), every dyad id by
  ``D-xxxxxx``, one code per dyad over all its sessions, so double-coded sessions
  still pair (the pairing rule: codebook, dyad and label);
- every observer, reviewer and deciding coder's id by ``O-xxxxxx``, one code per
  person over the whole export (``keep_observers``: kept as they are);
- every session label (typed by people) by ``L-xxxxxx``, one code per label text
  over the whole export, so sessions that shared a label still share one; an empty
  label stays empty (``keep_text``: kept);
- every wall time (``started_at``, ``ended_at``, each review's ``created_at`` and
  ``edited_at``, each consensus decision's ``decided_at``): ``dates="shift"`` moves
  all of a dyad's times by one random whole number of days (366 to 1095 days back)
  plus one random number of seconds under a day, so neither the date nor the time of
  day survives and every interval within a dyad is exact; ``dates="none"`` writes
  each as the whole days since the dyad's first session (``P0D``, ``P14D``: ISO 8601
  durations), no calendar date and no time of day at all;
- the names of the video and of an imported source file, by the session's code
  (their extension kept);
- notes are dropped, a sync mark's text is ``sync mark``, and review entries keep
  what they are (kind, time, event, correction) without their text (``keep_text``:
  kept). The review trail's links are left out: they attest the identified entries
  (the original files keep it; ``observer verify`` says "no trail" of the copies).

Events, their times on the session clock, modifiers, segments, pauses, ratings and
the embedded codebook are kept exactly: every statistic is that of the original.
The codes are drawn from :mod:`secrets` and never equal (ignoring case) an id of
the input.
"""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from typing import Literal

import attrs

from observer.errors import InputError, Problem
from observer.sessionfile import (
    Consensus,
    ImportedFrom,
    Media,
    Note,
    Session,
    Source,
    relative_days,
    time_key,
    wall_time,
)

Dates = Literal["shift", "none"]
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
CODE_LENGTH = 6
SHIFT_DAYS = (366, 1095)
"""A dyad's times move back by a whole number of days drawn from this range."""
DAY_S = 86400
DOCUMENT_TIME = datetime(1970, 1, 1, tzinfo=UTC)
"""The time a writer stamps on a de-identified document where its format needs one
(ELAN's ``DATE``): the Unix epoch, not the time of the export."""
LINKAGE_COLUMNS = (
    "session",
    "dyad",
    "session_code",
    "dyad_code",
    "day_shift",
    "second_shift",
    "observer",
    "observer_code",
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")
_At = Callable[[str, str], str]
UNREADABLE_TIME = "is not an ISO 8601 time: it can be neither shifted nor left in"


@attrs.frozen
class Options:
    dates: Dates = "shift"
    keep_text: bool = False
    """Keep notes, review texts and session labels."""
    keep_observers: bool = False
    """Keep observer, reviewer and deciding coder ids as they are."""


@attrs.frozen
class Seen:
    """What :func:`plan` needs of one session (its events are not kept)."""

    file: str
    id: str
    dyad: str
    observer: str
    label: str
    started_at: str
    staff: tuple[str, ...] = ()
    """Reviewers and deciding coders."""
    sources: tuple[str, ...] = ()
    """A consensus session's two codings (their session ids)."""
    times: tuple[tuple[str, str], ...] = ()
    """Every wall time of the session: (location, time)."""
    pair: str = ""
    """The pair id of a session coded live beside another coder's (``observer code --pair``)."""


def wall_times(session: Session) -> Iterator[tuple[str, str]]:
    """Every wall time a session holds, with its location in the file."""
    yield "started_at", session.started_at
    yield "ended_at", session.ended_at
    for i, r in enumerate(session.reviews):
        yield f"reviews[{i}].created_at", r.created_at
        if r.edited_at is not None:
            yield f"reviews[{i}].edited_at", r.edited_at
    if session.consensus is not None:
        for i, p in enumerate(session.consensus.events):
            yield f"consensus.events[{i}].decided_at", p.decided_at


def seen(file: str, session: Session) -> Seen:
    staff = [r.reviewer for r in session.reviews]
    sources: tuple[str, ...] = ()
    if session.consensus is not None:
        staff += [session.consensus.a.observer, session.consensus.b.observer]
        staff += [p.decided_by for p in session.consensus.events]
        sources = (session.consensus.a.id, session.consensus.b.id)
    if session.pair is not None:
        staff.append(session.pair.partner)
    return Seen(
        file,
        session.id,
        session.dyad,
        session.observer,
        session.label,
        session.started_at,
        tuple(dict.fromkeys(staff)),
        sources,
        tuple(wall_times(session)),
        "" if session.pair is None else session.pair.id,
    )


@attrs.frozen
class Dyad:
    code: str
    origin: datetime | None
    """The start of the dyad's first session (None when its sessions were de-identified
    before, their times days since it already)."""
    days: int
    """The shift in whole days (negative: back); 0 with ``dates="none"``."""
    seconds: int
    """The shift's seconds under a day (0 to 86399); 0 with ``dates="none"``."""


@attrs.frozen
class Plan:
    options: Options
    dyads: dict[str, Dyad]
    sessions: dict[str, str]
    """Original session id -> its code (also the sources of consensus sessions)."""
    staff: dict[str, str]
    labels: dict[str, str]
    rows: tuple[Seen, ...]
    pairs: dict[str, str] = attrs.field(factory=dict)
    """Pair id -> its code: the two sessions of a live pair keep one, so they still pair."""

    def when(self, stamp: str, dyad: Dyad, file: str, location: str) -> str:
        """One wall time of the dyad, shifted or as days since its first session (a time
        that is days already, of a session de-identified before, stays as it is)."""
        if relative_days(stamp) is not None:
            return stamp
        when = wall_time(stamp)
        if when is None or dyad.origin is None:
            raise InputError.one(file, location, UNREADABLE_TIME)
        if self.options.dates == "none":
            days = math.floor((when - dyad.origin).total_seconds() / DAY_S)
            return f"P{days}D" if days >= 0 else f"-P{-days}D"
        moved = datetime.fromisoformat(stamp) + timedelta(days=dyad.days, seconds=dyad.seconds)
        return moved.isoformat()

    def person(self, who: str) -> str:
        return who if self.options.keep_observers else self.staff[who]

    def apply(self, session: Session, file: str = "") -> Session:
        """The de-identified copy of ``session`` (one that :func:`plan` saw)."""
        file = file or session.id
        dyad = self.dyads[session.dyad]
        code = self.sessions[session.id]
        keep = self.options.keep_text

        def at(stamp: str, location: str) -> str:
            return self.when(stamp, dyad, file, location)

        notes = tuple(
            n if keep else Note(n.t, "sync mark", "sync")
            for n in session.notes
            if keep or n.kind == "sync"
        )
        reviews = tuple(
            attrs.evolve(
                r,
                reviewer=self.person(r.reviewer),
                text=r.text if keep else "",
                created_at=at(r.created_at, f"reviews[{i}].created_at"),
                edited_at=None
                if r.edited_at is None
                else at(r.edited_at, f"reviews[{i}].edited_at"),
                link=None,
            )
            for i, r in enumerate(session.reviews)
        )
        return attrs.evolve(
            session,
            id=code,
            dyad=dyad.code,
            observer=self.person(session.observer),
            label=session.label if keep or not session.label else self.labels[session.label],
            started_at=at(session.started_at, "started_at"),
            ended_at=at(session.ended_at, "ended_at"),
            notes=notes,
            reviews=reviews,
            trail=None,
            media=_media(session.media, code),
            imported_from=_imported(session.imported_from, code),
            consensus=self._consensus(session.consensus, at),
            pair=None
            if session.pair is None
            else attrs.evolve(
                session.pair,
                id=self.pairs[session.pair.id],
                partner=self.person(session.pair.partner),
            ),
        )

    def _consensus(self, consensus: Consensus | None, at: _At) -> Consensus | None:
        if consensus is None:
            return None

        def source(s: Source) -> Source:
            return attrs.evolve(s, id=self.sessions[s.id], observer=self.person(s.observer))

        events = tuple(
            attrs.evolve(
                p,
                decided_by=self.person(p.decided_by),
                decided_at=at(p.decided_at, f"consensus.events[{i}].decided_at"),
            )
            for i, p in enumerate(consensus.events)
        )
        return attrs.evolve(consensus, a=source(consensus.a), b=source(consensus.b), events=events)

    def linkage_rows(self) -> list[tuple[str, ...]]:
        """One row per session, in the order given (docs/confidentiality.md)."""
        shift = self.options.dates == "shift"
        out: list[tuple[str, ...]] = []
        for row in self.rows:
            dyad = self.dyads[row.dyad]
            out.append(
                (
                    row.id,
                    row.dyad,
                    self.sessions[row.id],
                    dyad.code,
                    str(dyad.days) if shift else "",
                    str(dyad.seconds) if shift else "",
                    row.observer,
                    self.person(row.observer),
                )
            )
        return out

    def linkage_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(LINKAGE_COLUMNS)
        writer.writerows(self.linkage_rows())
        return out.getvalue().encode("utf-8")


def _renamed(name: str, code: str) -> str:
    suffix = PurePath(name).suffix
    return code + (suffix if _EXTENSION.fullmatch(suffix) else "")


def _media(media: Media | None, code: str) -> Media | None:
    return None if media is None else attrs.evolve(media, file=_renamed(media.file, code))


def _imported(source: ImportedFrom | None, code: str) -> ImportedFrom | None:
    return None if source is None else attrs.evolve(source, file=_renamed(source.file, code))


class _Codes:
    """Random codes ``PREFIX-xxxxxx``, unique, never an id of the input (ignoring case)."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = {t.casefold() for t in taken}

    def new(self, prefix: str) -> str:
        while True:
            code = prefix + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            if code.casefold() not in self.taken:
                self.taken.add(code.casefold())
                return code


def _readable(stamp: str) -> bool:
    return wall_time(stamp) is not None or relative_days(stamp) is not None


def plan(rows: Iterable[Seen], options: Options = Options()) -> Plan:
    """Codes and shifts for these sessions; InputError (every problem) when a wall time
    of a session is no ISO 8601 time (it could be neither shifted nor left out)."""
    rows = tuple(rows)
    problems: list[Problem] = []
    starts: dict[str, list[tuple[tuple[int, float, str], str, Seen]]] = {}
    for row in rows:
        bad = [location for location, stamp in row.times if not _readable(stamp)]
        problems.extend(Problem(row.file, at, UNREADABLE_TIME) for at in bad)
        if bad:
            continue
        starts.setdefault(row.dyad, []).append((time_key(row.started_at), row.file, row))
    if problems:
        raise InputError(problems)
    taken = [
        x for r in rows for x in (r.id, r.dyad, r.observer, r.label, r.pair, *r.staff, *r.sources)
    ]
    codes = _Codes(taken)
    draw = secrets.SystemRandom()
    dyads: dict[str, Dyad] = {}
    sessions: dict[str, str] = {}
    for name, members in starts.items():
        members.sort(key=lambda m: (m[0], m[1]))
        origin = wall_time(members[0][2].started_at)  # None: days already, every one
        shift = options.dates == "shift"
        days = -draw.randint(*SHIFT_DAYS) if shift else 0
        seconds = draw.randrange(DAY_S) if shift else 0
        dyad = Dyad(codes.new("D-"), origin, days, seconds)
        dyads[name] = dyad
        width = max(2, len(str(len(members))))
        for n, (_, _, row) in enumerate(members, 1):
            sessions[row.id] = f"{dyad.code}-{n:0{width}d}"
    for row in rows:  # a consensus session's codings that are not exported themselves
        for source in row.sources:
            if source not in sessions:
                sessions[source] = f"{dyads[row.dyad].code}-{codes.new('x')}"
    staff: dict[str, str] = {}
    for row in rows:
        for who in (row.observer, *row.staff):
            if who not in staff:
                staff[who] = codes.new("O-")
    labels: dict[str, str] = {}
    for row in rows:
        if row.label and row.label not in labels:
            labels[row.label] = codes.new("L-")
    pairs: dict[str, str] = {}
    for row in rows:
        if row.pair and row.pair not in pairs:
            pairs[row.pair] = codes.new("P-")
    return Plan(options, dyads, sessions, staff, labels, rows, pairs)
