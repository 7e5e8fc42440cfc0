"""The session file: one coded session, written once, read by every other command.

``load_session`` reads and validates a file against the session file format (docs/sessions.md)
and the codebook that travels inside it; ``write_session`` creates it atomically
with mode 0600 and never overwrites; ``save_reviews`` rewrites it atomically with
new review entries (the only change a session file ever receives).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import typing
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import attrs
import orjson

from observer import durable, jsonio, trail
from observer.codebook import Codebook, RatingScalar, codebook_from_data
from observer.codebook.measure import CriterionResult, evaluate
from observer.crypto import AGE_SUFFIX, agefile
from observer.crypto import folder as folder_crypto
from observer.errors import InputError, Problem, ProblemAt
from observer.filenames import portable_problem
from observer.structure import (
    MAX_SECONDS,
    check_schema,
    converter,
    dumps,
    sort_problems,
    structure,
)
from observer.textsafe import control_problem

SCHEMA = "observer.session/1"
SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_FPS = 1000.0
"""Frame rates above this are no video's (high-speed cameras aside, which code no play)."""
MAX_EVENT_INDEX = 10**8
"""Above the events any session holds (a day's coding is tens of thousands)."""
MAX_PARTNER = 200
"""Longest partner observer id in a session's ``pair``."""
MAX_TRAIL = 10_000_000
"""More review entries than any session could hold: a bound for ``trail.entries``."""


def valid_session_id(text: str) -> bool:
    """A session id: the pattern's characters, and a file name on every system
    (``observer.filenames``)."""
    return bool(SESSION_ID_PATTERN.fullmatch(text)) and portable_problem(text) is None


RELATIVE_DAYS = re.compile(r"(-?)P([0-9]{1,7})D")
"""A wall time of a de-identified session written as whole days since its dyad's first
session (``observer export --deidentify --dates none``): ``P0D``, ``P14D``."""


def relative_days(stamp: str) -> int | None:
    """The days of a time written as :data:`RELATIVE_DAYS`, None for any other text."""
    found = RELATIVE_DAYS.fullmatch(stamp)
    if found is None:
        return None
    return -int(found[2]) if found[1] else int(found[2])


def wall_time(stamp: str) -> datetime | None:
    """An ISO 8601 wall time (one without an offset taken as UTC); None if it is not one."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def time_key(stamp: str) -> tuple[int, float, str]:
    """A sort key of a session's wall time (``started_at``, a review's ``created_at``):
    ISO 8601 times in time order, then days since the dyad's first session in their
    order, then any other text by itself."""
    when = wall_time(stamp)
    if when is not None:
        return (0, when.timestamp(), stamp)
    days = relative_days(stamp)
    if days is not None:
        return (1, float(days), stamp)
    return (2, 0.0, stamp)


TIME_EPSILON = 1e-6
"""Slack when comparing stored times (they are rounded to microseconds)."""

Status = Literal["complete", "recovered", "consensus", "imported"]
Via = Literal["terminal", "browser"]
Stamper = Literal["helper", "thread", "driver"]
"""What stamped the keys (docs/key-recorder.md): observer's helper process at the
terminal's read, observer's stamping thread at the read (the helper's fallback, and the
browser's web driver), or Textual's own driver (its event times: Windows, headless)."""
"""How a live session was coded: at a terminal, or in a web browser (``observer serve``)."""
RatingValue = RatingScalar | dict[str, RatingScalar]


def round_time(t: float) -> float:
    """Session times are stored to the microsecond."""
    return round(t, 6)


@attrs.frozen
class Event:
    """A coded event: a point (``end`` is None) or a state bout (``end >= start``).

    ``flags`` marks events whose end was not coded by the observer, such as
    ``"closed-at-recovery"`` (a state still running when a crashed session was
    recovered) or ``"unpaired-start"`` (an imported start with no stop).
    ``responds_to``: the index (in ``events``) of the command this event answers inside
    its response window, or for the window's ``otherwise`` code the command it stands
    for (the codebook's ``windows``).
    """

    code: str
    start: float
    end: float | None
    modifiers: dict[str, str] = attrs.field(factory=dict)
    flags: tuple[str, ...] = ()
    responds_to: int | None = None

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start


@attrs.frozen
class Pause:
    at: float
    """Session time at which the clock was paused."""
    wall_s: float
    """How long the pause lasted in wall-clock seconds."""


@attrs.frozen
class SegmentSpan:
    segment: str
    start: float
    end: float | None


@attrs.frozen
class Note:
    t: float
    text: str
    kind: Literal["note", "sync"] = "note"
    """``sync``: a sync mark, a moment easy to find in a camera recording (a clap)."""


@attrs.frozen
class Scan:
    """One momentary time-sampling scan: at the sampling instant ``t`` (a multiple of
    the codebook's ``sampling.every_s``), the code the observer answered for stream
    ``stream``, or null when the scan was missed (no answer before the next was due)."""

    t: float
    stream: str
    code: str | None


@attrs.frozen
class Media:
    """The video a session was coded from (or lined up with)."""

    file: str
    """The file's name (no folder: the session may travel without it)."""
    bytes: int
    duration: float
    fps: float | None
    sha256_head_tail: str
    """SHA-256 of the size and the first and last MiB (observer.media.identity)."""
    offset: float = 0.0
    """Media time of session time 0 (0 for a session coded from the file)."""


@attrs.frozen
class Correction:
    """A reviewer's proposed change. Never applied to ``events`` in the file itself.

    ``recode``: the event should carry ``code``; ``retime``: it should span
    ``start``–``end``; ``delete``: it should not exist; ``add``: a missing event
    ``code`` at ``start``–``end`` with ``modifiers``.
    """

    action: Literal["recode", "retime", "delete", "add"]
    code: str | None = None
    start: float | None = None
    end: float | None = None
    modifiers: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Link:
    """Where a review entry sits in the review trail (observer.trail): digests of the
    entry's own fields, of the entry before it, and of the events it was made on."""

    entry: str
    prev: str
    events: str


@attrs.frozen
class TrailHead:
    """The review trail's end: how many entries were linked, the last one's digest."""

    entries: int
    last: str


@attrs.frozen
class Review:
    """A supervisor's entry: a comment at a time, a flag on an event, or a correction."""

    id: str
    kind: Literal["comment", "flag", "correction"]
    reviewer: str
    created_at: str
    """UTC wall time, ISO 8601."""
    t: float
    """Session time the entry is anchored to."""
    text: str = ""
    event: int | None = None
    """Index into ``events`` of the event flagged or corrected (None for comments and additions)."""
    correction: Correction | None = None
    edited_at: str | None = None
    link: Link | None = None
    """Set by observer each time it saves the reviews (observer.trail)."""


@attrs.frozen
class CodebookRef:
    id: str
    version: str
    sha256: str
    document: dict[str, Any]


@attrs.frozen
class Source:
    """One of the two codings a consensus session was made from."""

    id: str
    observer: str
    sha256: str


@attrs.frozen
class Provenance:
    """Where one event of a consensus session came from, who decided it and when.

    ``source`` is ``a``, ``b`` or ``edited``; ``a``/``b`` index the events of the two
    codings the aligned item held (None where that coding had none); ``auto`` marks
    an agreement taken as it stood, without being shown.
    """

    source: Literal["a", "b", "edited"]
    a: int | None
    b: int | None
    decided_by: str
    decided_at: str
    auto: bool = False


@attrs.frozen
class Consensus:
    a: Source
    b: Source
    tolerance: float
    events: tuple[Provenance, ...] = ()


@attrs.frozen
class ImportedFrom:
    """Where an imported session came from (``observer import``)."""

    format: str
    file: str
    """The source file's name (no folder)."""
    sha256: str
    """SHA-256 of the source file's bytes."""
    fps: float | None = None
    """The source's video frame rate, where it names one (a Datavyu spreadsheet)."""


PairRole = Literal["primary", "reliability"]


@attrs.frozen
class PairInfo:
    """A session coded live alongside another coder's (``observer code --pair``): both
    share ``id`` and time 0; ``partner`` is the other coder's observer id."""

    id: str
    role: PairRole
    partner: str


@attrs.frozen
class RuleFigure:
    """One rule of a criterion as evaluated: the count (or ratio: None when undefined),
    the target in words (``10 or more``) and whether it was met."""

    value: float | None
    target: str
    met: bool


@attrs.frozen
class CriterionFigure:
    """One of the codebook's criteria as evaluated on the session's events."""

    id: str
    segment: str | None
    met: bool
    rules: tuple[RuleFigure, ...]


def figures(result: CriterionResult) -> CriterionFigure:
    return CriterionFigure(
        result.criterion.id,
        result.criterion.segment,
        result.met,
        tuple(RuleFigure(r.value, r.describe(), r.met) for r in result.rules),
    )


def evaluated_criteria(
    book: Codebook, events: Iterable[Event], segments: Sequence[SegmentSpan], duration: float
) -> tuple[CriterionFigure, ...]:
    """The codebook's criteria evaluated on these events (empty: the codebook has none),
    as a session file stores them under ``criteria``."""
    return tuple(figures(r) for r in evaluate(book, events, segments, duration))


@attrs.frozen
class Session:
    schema: str
    id: str
    status: Status
    codebook: CodebookRef
    dyad: str
    observer: str
    started_at: str
    ended_at: str
    duration: float
    label: str = ""
    pauses: tuple[Pause, ...] = ()
    segments: tuple[SegmentSpan, ...] = ()
    events: tuple[Event, ...] = ()
    notes: tuple[Note, ...] = ()
    scans: tuple[Scan, ...] = ()
    """Time-sampling scans (only when the codebook samples), by instant then stream."""
    ratings: dict[str, RatingValue] = attrs.field(factory=dict)
    reviews: tuple[Review, ...] = ()
    consensus: Consensus | None = None
    media: Media | None = None
    via: Via = "terminal"
    """``browser``: coded through ``observer serve``, each key stamped when the serving
    machine received it (the network's delay is in the times)."""
    stamper: Stamper | None = None
    """What stamped the keys of a live session (None: not recorded: older sessions,
    imported ones)."""
    imported_from: ImportedFrom | None = None
    """Set by ``observer import``: the format and file the session was read from."""
    trail: TrailHead | None = None
    """The review trail's end, set with the reviews' links (observer.trail)."""
    pair: PairInfo | None = None
    """Set in a session coded live in a pair (``observer code --pair``)."""
    criteria: tuple[CriterionFigure, ...] = ()
    """The codebook's criteria evaluated on ``events`` when the session was written
    (absent from the file when the codebook has none); checked against the events on
    load: never trusted blindly."""

    @cached_property
    def book(self) -> Codebook:
        """The embedded codebook, parsed (validated when the session was loaded)."""
        return codebook_from_data(self.codebook.document, f"{self.id}:codebook.document")


def segment_finder(session: Session) -> Callable[[float], str]:
    """A function from a session time to the id of the segment it falls in, or "".

    A segment span covers [start, end) on the session clock; a span without an
    end runs to the end of the session. A time at the boundary of two spans
    belongs to the later one; a time before the first span, or in a gap, to none.
    """
    spans = sorted(session.segments, key=lambda s: s.start)
    starts = [s.start for s in spans]

    def segment_at(t: float) -> str:
        i = bisect_right(starts, t) - 1
        if i < 0:
            return ""
        span = spans[i]
        return span.segment if span.end is None or t < span.end else ""

    return segment_at


def session_to_bytes(session: Session) -> bytes:
    return dumps(session, indent=True)


SESSION_PATTERNS = ("*.json", "*.json" + AGE_SUFFIX)
"""The names of session files in a folder: plain and encrypted."""


def session_file(folder: Path, session_id: str) -> Path | None:
    """The file of session ``session_id`` in ``folder`` (``<id>.json`` or, encrypted,
    ``<id>.json.age``), None when there is neither."""
    for path in (folder / f"{session_id}.json", folder / f"{session_id}.json{AGE_SUFFIX}"):
        if path.is_file():
            return path
    return None


def write_session(folder: Path, session: Session, recipients: list[Any] | None = None) -> Path:
    """Create ``folder/<id>.json`` atomically, mode 0600; FileExistsError if it exists.
    In an encrypted folder (one holding ``recipients.txt``) the file is
    ``<id>.json.age``, an age file to the folder's recipients whose plaintext is
    exactly what ``<id>.json`` would hold; so it is with ``recipients`` (age
    recipients: a copy of an encrypted folder's session written elsewhere)."""
    if not valid_session_id(session.id):
        raise ValueError(f"invalid session id {session.id!r}")
    path = folder / f"{session.id}.json"
    data = session_to_bytes(session)
    sealed = (
        agefile.encrypt(data, recipients, str(path))
        if recipients is not None
        else _sealed(folder, data, str(path))
    )
    if sealed is not None:
        path = path.with_name(path.name + AGE_SUFFIX)
        data = sealed
    elif path.with_name(path.name + AGE_SUFFIX).exists():
        raise FileExistsError(str(path.with_name(path.name + AGE_SUFFIX)))
    jsonio.write_new(path, data)
    return path


def _sealed(folder: Path, data: bytes, name: str) -> bytes | None:
    """``data`` encrypted to the folder's recipients; None in an unencrypted folder."""
    if not folder_crypto.is_encrypted(folder):
        return None
    recipients = folder_crypto.folder_recipients(folder)
    assert recipients is not None
    return agefile.encrypt(data, recipients, name)


def read_session_bytes(path: Path) -> bytes:
    """A session file's bytes; an encrypted one's plaintext (the identities given with
    ``--identity``), or an InputError saying what is needed."""
    return agefile.plaintext(jsonio.read_bytes(path), str(path))


def save_reviews(
    path: Path, session: Session, reviews: tuple[Review, ...], *, sha256: str | None = None
) -> tuple[Session, str]:
    """Rewrite the session file atomically with ``reviews``; events are untouched.
    Returns the session written and the SHA-256 of the bytes written.

    ``session`` is the session as the caller last read or wrote it and ``reviews``
    the caller's new list. When another program (a second replay) saved reviews
    meanwhile, the caller's changes (entries added, edited, deleted: by review id)
    are merged into what is on disk, never written over it; an added entry whose id
    was taken meanwhile gets a new id. The save is refused (InputError, nothing
    written) when the events changed on disk, or the caller edited an entry that was
    deleted meanwhile. Saves of one file are serialised by a lock on its folder.
    ``sha256``: the digest of the bytes the caller last read or wrote; when the file
    still has exactly those bytes it is not parsed again (on a 50,000-event session
    that is most of the time a save takes).
    """
    return _rewrite(path, session, sha256, reviews=reviews)


def save_ratings(
    path: Path, session: Session, ratings: dict[str, RatingValue]
) -> tuple[Session, str]:
    """Rewrite the session file atomically with ``ratings`` (the ratings of a recovered
    session, given afterwards); events are untouched. As :func:`save_reviews`."""
    return _rewrite(path, session, None, ratings=ratings)


def _rewrite(
    path: Path, session: Session, sha256: str | None, **changes: Any
) -> tuple[Session, str]:
    with _FolderLock(path.parent):
        data = read_session_bytes(path)
        if sha256 is not None and hashlib.sha256(data).hexdigest() == sha256:
            current = session
        else:
            current = session_from_bytes(data, str(path))
            if current.events != session.events or current.id != session.id:
                message = "the file changed on disk since it was opened"
                raise InputError.one(str(path), "events", message)
        if "reviews" in changes:
            _refuse_a_broken_trail(str(path), current)
            merged = _merge_reviews(str(path), session.reviews, changes["reviews"], current.reviews)
            changes["reviews"], changes["trail"] = linked(merged, current.events)
        updated = attrs.evolve(current, **changes)
        written = session_to_bytes(updated)
        if path.name.endswith(AGE_SUFFIX):
            sealed = _sealed(path.parent, written, str(path))
            if sealed is None:
                message = f"the folder has no {folder_crypto.RECIPIENTS} to encrypt the change to"
                raise InputError.one(str(path), "$", message)
            jsonio.replace(path, sealed)
        else:
            jsonio.replace(path, written)
    return updated, hashlib.sha256(written).hexdigest()


def _entries(reviews: tuple[Review, ...]) -> list[dict[str, Any]]:
    return [converter.unstructure(r) for r in reviews]


def events_digest(events: tuple[Event, ...]) -> str:
    """The digest of a session's events that each review entry's link names."""
    return trail.digest(converter.unstructure(events, tuple[Event, ...]))


def linked(
    reviews: tuple[Review, ...], events: tuple[Event, ...]
) -> tuple[tuple[Review, ...], TrailHead | None]:
    """``reviews`` linked in order into the review trail, and the trail's end."""
    links, head = trail.link(_entries(reviews), events_digest(events))
    out = tuple(attrs.evolve(r, link=Link(**k)) for r, k in zip(reviews, links, strict=True))
    return out, None if head is None else TrailHead(**head)


def check_trail(session: Session) -> trail.Report:
    """Whether the session's review trail holds (``observer verify``)."""
    head = None if session.trail is None else attrs.asdict(session.trail)
    return trail.check(_entries(session.reviews), events_digest(session.events), head)


def _refuse_a_broken_trail(file: str, session: Session) -> None:
    """Saving reviews over a trail that was broken outside observer would hide the
    break: refused, nothing written."""
    report = check_trail(session)
    if report.state == "broken":
        first = report.breaks[0]
        raise InputError.one(
            file,
            f"reviews[{first.index}]",
            f"the review trail is broken here ({first.message}); nothing saved:"
            " `observer verify` lists every break",
        )


class _FolderLock:
    """An exclusive advisory lock on a folder (a no-op where there are none)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fd: int | None = None

    def __enter__(self) -> None:
        try:
            self.fd = os.open(self.folder, os.O_RDONLY)
        except OSError:
            return  # Windows cannot open a folder as a file: no lock there
        durable.lock(self.fd)

    def __exit__(self, *_: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock


def _merge_reviews(
    file: str, base: tuple[Review, ...], mine: tuple[Review, ...], theirs: tuple[Review, ...]
) -> tuple[Review, ...]:
    """``theirs`` (on disk) with the changes that turn ``base`` into ``mine``."""
    if theirs == base:
        return mine
    base_by_id = {r.id: r for r in base}
    mine_ids = {r.id for r in mine}
    merged = [r for r in theirs if not (r.id in base_by_id and r.id not in mine_ids)]
    for review in mine:
        old = base_by_id.get(review.id)
        if old is None:  # added by the caller
            taken = {r.id for r in merged}
            if review.id in taken:
                n = len(merged) + 1
                while f"r{n}" in taken:
                    n += 1
                review = attrs.evolve(review, id=f"r{n}")
            merged.append(review)
        elif review != old:  # edited by the caller
            at = next((i for i, r in enumerate(merged) if r.id == review.id), None)
            if at is None:
                message = f"entry {review.id} was deleted by another program meanwhile"
                raise InputError.one(file, "reviews", message)
            merged[at] = review
    return tuple(merged)


def load_session(path: Path) -> Session:
    """Read and validate a session file; raise InputError listing every problem."""
    return session_from_bytes(read_session_bytes(path), str(path))


def session_from_bytes(data: bytes, file: str) -> Session:
    """Parse and validate the bytes of a session file (a field given twice is refused)."""
    return session_from_data(jsonio.parse_json(data, file, unique_keys=True), file)


def session_from_data(raw: Any, file: str) -> Session:
    """Validate parsed JSON as a session; raise InputError listing every problem."""
    check_schema(raw, SCHEMA, file)
    # Events are most of a session (50,000 is normal): they are structured and
    # checked by the lean loops below; the rest by the converter.
    raw_events = raw.get("events", [])
    if not isinstance(raw_events, list):
        structure(raw, Session, file=file)  # reports the wrong type (and anything else)
    problems: list[Problem] = []
    header = _header(raw, file, problems)
    book = _embedded_book(header, file, problems)
    before = len(problems)
    events = _structure_events(raw_events, file, problems)
    malformed = len(problems) > before  # those events are None
    if header is not None and book is not None:
        # A negative duration is reported once; every event is not then also "outside".
        duration = header.duration if header.duration >= 0 else None
        problems.extend(_check_events(events, book, duration, file))
    if header is None or book is None:
        raise InputError(sort_problems(problems, raw, Session))
    kept = [e for e in events if e is not None] if malformed else events
    session = attrs.evolve(header, events=tuple(typing.cast(list[Event], kept)))
    problems.extend(_check(session, book, file))
    if problems:
        raise InputError(sort_problems(problems, raw, Session))
    if session.codebook.sha256 != book.sha256:  # hashed as written: the identity is normalised
        session = attrs.evolve(session, codebook=attrs.evolve(session.codebook, sha256=book.sha256))
    object.__setattr__(session, "book", book)  # cache the parsed codebook (cached_property slot)
    return session


def _header(raw: dict[str, Any], file: str, problems: list[Problem]) -> Session | None:
    """Everything but the events, structured (None, and its problems, when it cannot be)."""
    try:
        return structure({k: v for k, v in raw.items() if k != "events"}, Session, file=file)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _embedded_book(header: Session | None, file: str, problems: list[Problem]) -> Codebook | None:
    """The codebook inside the session, its problems located under ``codebook.document``."""
    if header is None:
        return None
    try:
        return codebook_from_data(header.codebook.document, file)
    except InputError as exc:
        problems.extend(
            Problem(file, f"codebook.document.{p.location}".rstrip(".$"), p.message)
            for p in exc.problems
        )
        return None


def _check(s: Session, book: Codebook, file: str) -> Iterator[Problem]:
    def p(location: str, message: str) -> Problem:
        return Problem(file, location, message)

    if not valid_session_id(s.id):
        yield p("id", portable_problem(s.id) or f"{s.id!r} is not a valid session id")
    ref = s.codebook
    if ref.id != book.id:
        yield p("codebook.id", f"{ref.id!r} differs from the embedded document's id {book.id!r}")
    if ref.version != book.version:
        yield p("codebook.version", f"{ref.version!r} differs from the document's {book.version!r}")
    if ref.sha256 != book.sha256 and ref.sha256 != _written_sha256(ref.document):
        yield p(
            "codebook.sha256",
            "does not match the embedded codebook document (neither as written nor normalised)",
        )
    if s.duration < 0:
        yield p("duration", "must not be negative")
    elif not s.duration <= MAX_SECONDS:
        yield p("duration", f"must be at most {MAX_SECONDS} s (one week)")
    limit = s.duration + TIME_EPSILON

    def check_time(location: str, t: float) -> Iterator[Problem]:
        if s.duration >= 0 and not 0 <= t <= limit:
            yield p(location, f"time {t} is outside the session (0 to {s.duration})")

    for i, span in enumerate(s.segments):
        at = f"segments[{i}]"
        if span.segment not in book.segment_by_id:
            yield p(f"{at}.segment", f"unknown segment {span.segment!r}")
        yield from check_time(f"{at}.start", span.start)
        if span.end is not None and span.end + TIME_EPSILON < span.start:
            yield p(f"{at}.end", "ends before it starts")
        if span.end is not None:
            yield from check_time(f"{at}.end", span.end)
    for i, note in enumerate(s.notes):
        yield from check_time(f"notes[{i}].t", note.t)
    for i, scan in enumerate(s.scans):
        yield from check_time(f"scans[{i}].t", scan.t)
    yield from _check_scans(s, book, p)
    if s.media is not None:
        yield from _check_media(s.media, p)
    if s.imported_from is not None and not re.fullmatch(r"[0-9a-f]{64}", s.imported_from.sha256):
        yield p("imported_from.sha256", "must be 64 lowercase hex digits (SHA-256)")
    fps = None if s.imported_from is None else s.imported_from.fps
    if fps is not None and not 0 < fps <= MAX_FPS:
        yield p("imported_from.fps", f"must be greater than 0 and at most {MAX_FPS:g}")
    if s.pair is not None:
        yield from _check_pair(s.pair, p)
    for i, pause in enumerate(s.pauses):
        yield from check_time(f"pauses[{i}].at", pause.at)
        if pause.wall_s < 0:
            yield p(f"pauses[{i}].wall_s", "must not be negative")
        elif not pause.wall_s <= MAX_SECONDS:
            yield p(f"pauses[{i}].wall_s", f"must be at most {MAX_SECONDS} s (one week)")
    yield from _check_ratings(s, book, p)
    ids: set[str] = set()
    for i, review in enumerate(s.reviews):
        at = f"reviews[{i}]"
        if review.id in ids:
            yield p(f"{at}.id", f"duplicate review id {review.id!r}")
        ids.add(review.id)
        if review.event is not None and not 0 <= review.event < len(s.events):
            yield p(f"{at}.event", f"no event with index {review.event}")
        yield from check_time(f"{at}.t", review.t)
        fix = review.correction
        for name in ("start", "end"):
            value = getattr(fix, name) if fix is not None else None
            if value is not None:
                yield from check_time(f"{at}.correction.{name}", value)
        if fix is not None and fix.code is not None and fix.code not in book.code_by_id:
            yield p(f"{at}.correction.code", f"unknown code {fix.code!r}")
    if s.trail is not None and not 0 <= s.trail.entries <= MAX_TRAIL:
        yield p("trail.entries", f"must be between 0 and {MAX_TRAIL}")
    yield from _check_consensus(s, p)
    yield from _check_criteria(s, book, p)
    yield from _check_windows(s, book, p)


def _check_windows(s: Session, book: Codebook, p: ProblemAt) -> Iterator[Problem]:
    """Each ``responds_to`` names an earlier command whose window this event's code
    answers (a response inside the window's time, or its ``otherwise``), one per command."""
    answered: dict[int, int] = {}
    for i, event in enumerate(s.events):
        link = event.responds_to
        if link is None:
            continue
        at = f"events[{i}].responds_to"
        if not 0 <= link < i:
            yield p(at, f"{link} is not the index of an earlier event")
            continue
        command = s.events[link]
        window = book.window_by_after.get(command.code)
        if window is None:
            yield p(at, f"events[{link}] ({command.code!r}) opens no response window")
        elif event.code not in window.responses and event.code != window.otherwise:
            yield p(at, f"{event.code!r} does not answer the window after {command.code!r}")
        elif event.code in window.responses and not (
            command.start - TIME_EPSILON
            <= event.start
            <= command.start + window.within_s + TIME_EPSILON
        ):
            yield p(at, f"starts outside the {window.within_s:g} s window of events[{link}]")
        elif link in answered:
            yield p(at, f"events[{link}] is already answered by events[{answered[link]}]")
        else:
            answered[link] = i


def _check_criteria(s: Session, book: Codebook, p: ProblemAt) -> Iterator[Problem]:
    """A stored ``criteria`` must be what the events give (recomputed, field by field)."""
    if not s.criteria:
        return
    if not book.criteria:
        yield p("criteria", "the codebook has no criteria: there is nothing to store")
        return
    if s.duration < 0:
        return  # reported; the spans cannot be measured
    given = evaluated_criteria(book, s.events, s.segments, s.duration)
    if len(s.criteria) != len(given):
        yield p(
            "criteria",
            f"{len(s.criteria)} stored for the codebook's {len(given)} criteria: one each",
        )
        return
    for i, (stored, fresh) in enumerate(zip(s.criteria, given, strict=True)):
        at = f"criteria[{i}]"
        for name in ("id", "segment", "met"):
            if getattr(stored, name) != getattr(fresh, name):
                yield p(
                    f"{at}.{name}",
                    f"stored {_shown(getattr(stored, name))}, the events give"
                    f" {_shown(getattr(fresh, name))}",
                )
        if len(stored.rules) != len(fresh.rules):
            yield p(f"{at}.rules", f"{len(stored.rules)} stored for {len(fresh.rules)} rules")
            continue
        for j, (a, b) in enumerate(zip(stored.rules, fresh.rules, strict=True)):
            for name in ("value", "target", "met"):
                x, y = getattr(a, name), getattr(b, name)
                if name == "value" and x is not None and y is not None and math.isclose(x, y):
                    continue
                if x != y:
                    yield p(
                        f"{at}.rules[{j}].{name}",
                        f"stored {_shown(x)}, the events give {_shown(y)}",
                    )


def _shown(value: Any) -> str:
    """A stored value in a problem line: JSON (control characters escaped), cut short."""
    text = orjson.dumps(value).decode()
    return text if len(text) <= 60 else text[:59] + "…"


def _check_consensus(s: Session, p: ProblemAt) -> Iterator[Problem]:
    """A consensus session says where each of its events came from; no other does."""
    if s.consensus is None:
        if s.status == "consensus":
            yield p("consensus", "a consensus session must say where its events came from")
        return
    if s.status != "consensus":
        yield p("consensus", f"only a consensus session has one (status is {s.status!r})")
    if len(s.consensus.events) != len(s.events):
        yield p(
            "consensus.events",
            f"{len(s.consensus.events)} entries for {len(s.events)} events: one each",
        )
    if not 0 <= s.consensus.tolerance <= MAX_SECONDS:
        yield p("consensus.tolerance", f"must be 0 to {MAX_SECONDS} seconds")
    for i, made in enumerate(s.consensus.events):
        for side in ("a", "b"):
            index = getattr(made, side)
            if index is not None and not 0 <= index < MAX_EVENT_INDEX:
                yield p(
                    f"consensus.events[{i}].{side}", "must be an index of an event of that coding"
                )


def _written_sha256(document: dict[str, Any]) -> str | None:
    """SHA-256 of the canonical JSON (orjson, sorted keys) of the document as written,
    as another tool may hash it; None when it cannot be serialised so."""
    try:
        return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except (orjson.JSONEncodeError, TypeError):
        return None


_EVENT_KEYS = frozenset({"code", "start", "end", "modifiers", "flags", "responds_to"})
_NUMBERS = frozenset({int, float})
_LISTS = frozenset({list, tuple})
_MISSING = object()


def _structure_events(items: list[Any], file: str, problems: list[Problem]) -> list[Event | None]:
    """Every event structured in one lean pass (a session may hold 50,000 or more, and
    this is about three times as fast as the converter). It takes exactly what the
    converter takes; anything else goes to the converter (:func:`_malformed_event`),
    which words its problems, and is None when it cannot be structured."""
    out: list[Event | None] = []
    append = out.append
    for i, d in enumerate(items):
        if type(d) is dict and len(d) <= 6 and d.keys() <= _EVENT_KEYS:
            code, start, end = d.get("code"), d.get("start", _MISSING), d.get("end", _MISSING)
            modifiers = d.get("modifiers", _MISSING)
            if modifiers is _MISSING:
                modifiers = {}
            flags = d.get("flags", ())
            link = d.get("responds_to")
            if (
                type(code) is str
                and type(start) in _NUMBERS
                and (end is None or type(end) in _NUMBERS)
                and type(modifiers) is dict
                and type(flags) in _LISTS
                and (link is None or type(link) is int)
                and (not modifiers or _all_text(modifiers.values()))
                and (not flags or _all_text(flags))
            ):
                start = start if type(start) is float else float(start)
                end = end if end is None or type(end) is float else float(end)
                append(Event(code, start, end, modifiers, tuple(flags) if flags else (), link))
                continue
        append(_malformed_event(d, f"events[{i}]", file, problems))
    return out


def _all_text(values: Iterable[Any]) -> bool:
    """True when every value is a string (str.join refuses anything else)."""
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def _malformed_event(d: Any, at: str, file: str, problems: list[Problem]) -> Event | None:
    """An event the lean pass refused, structured by the converter (None, and its
    problems, when it cannot be)."""
    try:
        return structure(d, Event, file=file, path=at)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _check_events(
    events: list[Event | None], book: Codebook, duration: float | None, file: str
) -> Iterator[Problem]:
    """The rules of the session format for every event, in one lean pass: each event's
    problems (:func:`_event_problems`) are looked for only when a quick test fails."""
    codes = book.code_by_id
    values = {m.id: {v.id for v in m.values} for m in book.modifiers}
    fits = {c.id: {m: values[m] for m in c.modifiers if m in values} for c in book.codes}
    limit = duration + TIME_EPSILON if duration is not None else math.inf
    previous = 0.0
    for i, event in enumerate(events):
        if event is None:
            continue
        start, end, modifiers = event.start, event.end, event.modifiers
        known = codes.get(event.code)
        fine = (
            known is not None
            and 0 <= start <= limit
            and start + TIME_EPSILON >= previous
            and (end is None) == (known.kind == "point")
            and (end is None or (0 <= end <= limit and end + TIME_EPSILON >= start))
        )
        if fine and modifiers:
            fit = fits[event.code]
            for name, value in modifiers.items():
                allowed = fit.get(name)
                if allowed is None or value not in allowed:
                    fine = False
                    break
        if not fine:
            yield from _event_problems(f"events[{i}]", event, previous, book, duration, file)
        previous = start


def _event_problems(
    at: str, event: Event, previous: float, book: Codebook, duration: float | None, file: str
) -> Iterator[Problem]:
    """Everything wrong with one structured event: its code, times and modifiers."""
    known = book.code_by_id.get(event.code)
    code, start, end = event.code, event.start, event.end
    if known is None:
        yield Problem(file, f"{at}.code", f"unknown code {code!r}")
    yield from _outside(f"{at}.start", start, duration, file)
    if start + TIME_EPSILON < previous:
        yield Problem(file, f"{at}.start", "events are not sorted by start")
    if known is not None and (end is None) != (known.kind == "point"):
        message = (
            f"state code {code!r} needs an end time"
            if end is None
            else f"point code {code!r} must have end null"
        )
        yield Problem(file, f"{at}.end", message)
    if end is not None:
        yield from _outside(f"{at}.end", end, duration, file)
        if end + TIME_EPSILON < start:
            yield Problem(file, f"{at}.end", "ends before it starts")
    for name, value in event.modifiers.items():
        modifier = book.modifier_by_id.get(name)
        where = f"{at}.modifiers.{name}"
        if modifier is None or (known is not None and name not in known.modifiers):
            yield Problem(file, where, f"code {code!r} has no modifier {name!r}")
        elif value not in {v.id for v in modifier.values}:
            yield Problem(file, where, f"{value!r} is not a value of {name!r}")


def _outside(location: str, t: float, duration: float | None, file: str) -> Iterator[Problem]:
    """A time before 0, or after the duration (when that is not negative: ``None``)."""
    if not 0 <= t <= (duration + TIME_EPSILON if duration is not None else math.inf):
        yield Problem(file, location, f"time {t} is outside the session (0 to {duration})")


def _check_ratings(s: Session, book: Codebook, p: Any) -> Iterator[Problem]:
    segments = {seg.id for seg in book.segments}
    for name, value in s.ratings.items():
        at = f"ratings.{name}"
        rating = book.rating_by_id.get(name)
        if rating is None:
            yield p(at, f"unknown rating {name!r}")
            continue
        if rating.scope == "segment":
            if not isinstance(value, dict):
                yield p(at, "a segment-scoped rating maps segment ids to values")
                continue
            asked = {seg.id for seg in book.rating_segments(rating)}
            for segment, v in value.items():
                problem = rating.problem(v)
                if segment not in segments:
                    yield p(f"{at}.{segment}", f"unknown segment {segment!r}")
                elif v is not None and segment not in asked:
                    yield p(f"{at}.{segment}", f"{rating.id} is not rated in segment {segment!r}")
                elif problem is not None:
                    yield p(f"{at}.{segment}", problem)
        elif isinstance(value, dict) and rating.kind != "allocation":
            yield p(at, "a session rating is a single value or null")
        elif (problem := rating.problem(value)) is not None:
            yield p(at, problem)


def _check_scans(s: Session, book: Codebook, p: Any) -> Iterator[Problem]:
    """Scans only with a sampling codebook: at its instants, each (instant, stream) once,
    the stream one the sampling asks about and the code one of its sampled codes."""
    if not s.scans:
        return
    sampling = book.sampling
    if sampling is None:
        yield p("scans", "the codebook does not sample (it has no sampling block)")
        return
    sampled = {c: book.code_by_id[c].stream for c in sampling.codes}
    streams = set(sampled.values())
    seen: set[tuple[float, str]] = set()
    for i, scan in enumerate(s.scans):
        at = f"scans[{i}]"
        steps = scan.t / sampling.every_s
        if not math.isclose(steps, round(steps), abs_tol=1e-6) or round(steps) < 1:
            yield p(f"{at}.t", f"{scan.t} is not a sampling instant (every {sampling.every_s} s)")
        if scan.stream not in streams:
            yield p(f"{at}.stream", f"{scan.stream!r} is not a sampled stream")
        elif scan.code is not None and sampled.get(scan.code) != scan.stream:
            yield p(f"{at}.code", f"{scan.code!r} is not a sampled code of {scan.stream!r}")
        if (scan.t, scan.stream) in seen:
            yield p(at, f"a second scan of {scan.stream!r} at {scan.t}")
        seen.add((scan.t, scan.stream))


def _check_pair(pair: PairInfo, p: Any) -> Iterator[Problem]:
    if not valid_session_id(pair.id):
        yield p("pair.id", f"{pair.id!r} is not a safe id (letters, digits, '.', '_', '-')")
    if not pair.partner or len(pair.partner) > MAX_PARTNER:
        yield p("pair.partner", f"must be an observer id of 1 to {MAX_PARTNER} characters")
    elif (problem := control_problem(pair.partner)) is not None:
        yield p("pair.partner", problem)


def _check_media(m: Media, p: Any) -> Iterator[Problem]:
    if m.bytes < 0:
        yield p("media.bytes", "must not be negative")
    if not 0 <= m.duration <= MAX_SECONDS:
        yield p("media.duration", f"must be a time in seconds, 0 to {MAX_SECONDS} (one week)")
    if m.fps is not None and not 0 < m.fps <= MAX_FPS:
        yield p("media.fps", f"must be frames per second above 0 and at most {MAX_FPS}, or null")
    if not -MAX_SECONDS <= m.offset <= MAX_SECONDS:
        yield p("media.offset", f"must be a time in seconds, at most {MAX_SECONDS} either way")
    if not re.fullmatch(r"[0-9a-f]{64}", m.sha256_head_tail):
        yield p("media.sha256_head_tail", "must be 64 lowercase hex digits (SHA-256)")


def unstructure(session: Session) -> dict[str, Any]:
    data: dict[str, Any] = converter.unstructure(session)
    return data


def _register_hooks() -> None:
    from cattrs.gen import make_dict_unstructure_fn, override

    # ``flags`` is absent from the file unless an event carries one.
    converter.register_unstructure_hook(
        Event,
        make_dict_unstructure_fn(
            Event,
            converter,
            flags=override(omit_if_default=True),
            responds_to=override(omit_if_default=True),
        ),
    )
    # A plain note is written as before; ``consensus`` only in a consensus session,
    # ``media`` only in a session coded from (or lined up with) a video, ``via``
    # only in a session coded in a browser.
    converter.register_unstructure_hook(
        Note, make_dict_unstructure_fn(Note, converter, kind=override(omit_if_default=True))
    )
    converter.register_unstructure_hook(
        Session,
        make_dict_unstructure_fn(
            Session,
            converter,
            consensus=override(omit_if_default=True),
            scans=override(omit_if_default=True),
            media=override(omit_if_default=True),
            via=override(omit_if_default=True),
            stamper=override(omit_if_default=True),
            imported_from=override(omit_if_default=True),
            trail=override(omit_if_default=True),
            pair=override(omit_if_default=True),
            criteria=override(omit_if_default=True),
        ),
    )
    converter.register_unstructure_hook(
        ImportedFrom,
        make_dict_unstructure_fn(ImportedFrom, converter, fps=override(omit_if_default=True)),
    )
    converter.register_unstructure_hook(
        Review, make_dict_unstructure_fn(Review, converter, link=override(omit_if_default=True))
    )


_register_hooks()
