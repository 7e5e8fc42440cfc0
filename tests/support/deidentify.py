"""A small identified study for the de-identification tests: distinctive ids, dates,
times of day, labels, notes and review texts, so that any of them left in an export
is found by a plain search of the bytes.

Three dyads, each seen twice (a pre and a post visit, weeks apart), each visit coded
live by one observer and from the video by another a day later; reviews with text
and a correction; a sync mark; ratings; a video named with the date; one imported
session; one consensus session made from a visit's two codings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs

from observer.codebook import load_codebook
from observer.sessionfile import (
    Consensus,
    Correction,
    ImportedFrom,
    Media,
    Note,
    Provenance,
    Review,
    Session,
    Source,
    linked,
    write_session,
)
from observer.synthetic import make_session, perturb

BOOK = load_codebook("cpp-attachment")
DYADS = ("DYQX4817", "DYZP2093", "DYMV5562")
OBSERVERS = ("jsmithobs", "kwongobs")
REVIEWER = "supervisorhq"
LABELS = ("pre visit Annabel", "post visit Annabel")
NOTE = "mother mentions the custody hearing"
REVIEW_TEXT = "see the nanny at minute three"
VIDEO_PREFIX = "clinicroom"
FIRST = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


def _stamp(when: datetime) -> str:
    return when.isoformat()


def study_sessions() -> list[Session]:
    """Every session of the study (ids dated, as observer writes them by default)."""
    out: list[Session] = []
    for d, dyad in enumerate(DYADS):
        for v, label in enumerate(LABELS):
            started = FIRST + timedelta(days=40 * d + 23 * v, hours=d, minutes=7 * v)
            live = make_session(BOOK, 60, seed=10 * d + v, dyad=dyad, observer=OBSERVERS[0])
            # the second coding from the video: a day later, or (dyad 2) the same day
            gap = timedelta(hours=2, minutes=3) if d == 1 else timedelta(days=1, hours=5)
            later = started + gap + timedelta(minutes=13, seconds=29)
            second = perturb(live, seed=100 + 10 * d + v, jitter=0.3, swap=0.15)
            pair = []
            codings = ((live, started, OBSERVERS[0]), (second, later, OBSERVERS[1]))
            for session, when, observer in codings:
                ended = when + timedelta(seconds=session.duration)
                sid = f"{when:%Y%m%dT%H%M%SZ}-{dyad}-{observer}"
                reviewed = when + timedelta(days=2, hours=3, minutes=1, seconds=17)
                reviews: tuple[Review, ...] = (
                    Review("r1", "comment", REVIEWER, _stamp(reviewed), 1.0, REVIEW_TEXT),
                    Review(
                        "r2",
                        "correction",
                        REVIEWER,
                        _stamp(reviewed + timedelta(minutes=4)),
                        session.events[0].start,
                        f"{REVIEW_TEXT} (2)",
                        event=0,
                        correction=Correction("delete"),
                        edited_at=_stamp(reviewed + timedelta(minutes=9)),
                    ),
                )
                reviews, head = linked(reviews, session.events)
                media = Media(
                    f"{VIDEO_PREFIX}_{when:%Y-%m-%d}_{dyad}.mp4",
                    123_456,
                    session.duration + 5,
                    25.0,
                    "a" * 64,
                    2.5,
                )
                session = attrs.evolve(
                    session,
                    id=sid,
                    observer=observer,
                    label=label,
                    started_at=_stamp(when),
                    ended_at=_stamp(ended),
                    notes=(Note(2.0, NOTE), Note(3.0, "sync mark", "sync")),
                    ratings={"cg-sensitivity": 4 + v, "ch-involvement": 3},
                    reviews=reviews,
                    trail=head,
                    media=media,
                )
                pair.append(session)
            out.extend(pair)
            if d == 0 and v == 0:
                a, b = pair
                made = attrs.evolve(
                    a,
                    id=f"{a.id}-consensus",
                    status="consensus",
                    observer=REVIEWER,
                    reviews=(),
                    trail=None,
                    consensus=Consensus(
                        Source(a.id, a.observer, "b" * 64),
                        Source(b.id, b.observer, "c" * 64),
                        1.0,
                        tuple(
                            Provenance("a", i, None, REVIEWER, _stamp(FIRST + timedelta(days=5)))
                            for i in range(len(a.events))
                        ),
                    ),
                )
                out.append(made)
    imported = make_session(BOOK, 30, seed=77, dyad=DYADS[2], observer=OBSERVERS[0])
    when = FIRST + timedelta(days=200, hours=2)
    out.append(
        attrs.evolve(
            imported,
            id=f"{when:%Y%m%dT%H%M%SZ}-{DYADS[2]}-import",
            status="imported",
            label="",
            started_at=_stamp(when),
            ended_at=_stamp(when + timedelta(seconds=imported.duration)),
            imported_from=ImportedFrom("boris", f"export_{when:%Y%m%d}_{DYADS[2]}.boris", "d" * 64),
        )
    )
    return out


def write_study(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_session(folder, s) for s in study_sessions()]


def secrets_of(sessions: list[Session]) -> set[str]:
    """Every identifying string of the study: ids, dyads, observers, labels, note and
    review texts, and every wall time in each of its spellings (ISO date, compact
    date, the time of day with and without colons)."""
    found = {NOTE, REVIEW_TEXT, *LABELS, *DYADS, *OBSERVERS, REVIEWER, VIDEO_PREFIX}
    for s in sessions:
        found.add(s.id)
        stamps = [s.started_at, s.ended_at]
        stamps += [r.created_at for r in s.reviews] + [r.edited_at or "" for r in s.reviews]
        if s.consensus is not None:
            stamps += [p.decided_at for p in s.consensus.events]
        for stamp in filter(None, stamps):
            when = datetime.fromisoformat(stamp)
            found |= {
                f"{when:%Y-%m-%d}",
                f"{when:%Y%m%d}",
                f"{when:%H:%M:%S}",
                f"T{when:%H%M%S}",
                f"{when:%d/%m/%Y}",
                f"{when:%m/%d/%Y}",
            }
    return found


CALENDAR_DATE = re.compile(rb"(1[89]|20)\d\d-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])")
"""Any calendar date from 1800 on, ISO or compact, in bytes."""
TIME_OF_DAY = re.compile(rb"\b([01]\d|2[0-3]):[0-5]\d:[0-5]\d")
