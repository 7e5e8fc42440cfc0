"""Certification of a coder against reference codings (``observer certify``).

A trainee codes practice sessions that a reference coder (or a consensus) has coded
too. Walking the trainee's pairs in the order they were coded, per codebook version,
each pair's κ (by the same code path as ``observer agree``, the reference as A) either
meets the threshold or not; the coder is certified on that codebook version at the
session that makes ``consecutive`` sessions in a row meet it. A session that misses
starts the count again.

The record, ``certifications/CODER.json`` (0600), keeps one certification per codebook
version, each with the sessions it rests on: adding one for a new version keeps the
others unchanged; a version already certified is never certified again. The reliability
report reads the records of its folders to mark pairs coded while a coder was not yet
certified on that codebook version (:class:`Registry`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from observer import jsonio
from observer.analysis.agreement import check_pair, compare
from observer.codebook.diff import Version
from observer.errors import InputError, Problem
from observer.sessionfile import load_session, time_key, valid_session_id
from observer.study.discover import CERTIFICATIONS, Entry, Pair, Study

SCHEMA = "observer.certification/1"
FOLDER = CERTIFICATIONS
MAX_RECORD_BYTES = 16 << 20


@attrs.frozen
class Step:
    """One of the coder's sessions, compared with its reference."""

    session: str
    file: str
    reference: str
    reference_observer: str
    started_at: str
    kappa: float | None
    met: bool
    streak: int


@attrs.frozen
class Walk:
    """The coder's pairs on one codebook version, in the order they were coded."""

    coder: str
    codebook: Version
    steps: tuple[Step, ...]
    consecutive: int

    @property
    def reached(self) -> Step | None:
        """The session at which the coder was certified (None: not yet)."""
        return next((s for s in self.steps if s.streak >= self.consecutive), None)

    def used(self) -> tuple[Step, ...]:
        """The sessions the certification rests on: every one up to the reaching one."""
        reached = self.reached
        return self.steps if reached is None else self.steps[: self.steps.index(reached) + 1]


def walks(
    study: Study,
    coder: str,
    *,
    method: str,
    threshold: float,
    consecutive: int,
    reference_coder: str | None = None,
) -> list[Walk]:
    """Each codebook version's walk of ``coder``'s pairs (raises InputError when the
    coder has no pair with a reference coder)."""
    mine: list[tuple[Entry, Entry]] = []
    for pair in study.pairs:
        for own, other in ((pair.a, pair.b), (pair.b, pair.a)):
            partner = other.observer != coder and reference_coder in (None, other.observer)
            if own.observer == coder and partner:
                mine.append((own, other))
    if not mine:
        whom = f" {reference_coder!r}" if reference_coder else " another coder"
        raise InputError.one(
            coder, "$", f"no session of this coder pairs with a session of{whom} in the folders"
        )
    by_book: dict[Version, list[tuple[str, Step]]] = {}
    for own, other in sorted(mine, key=lambda p: (time_key(p[0].started_at), str(p[0].path))):
        reference, session = load_session(other.path), load_session(own.path)
        check_pair(reference, session, str(other.path), str(own.path))
        kappa = compare(reference, session, [method])[method].overall.kappa
        ref = session.codebook
        book = Version(ref.id, ref.version, ref.sha256)
        steps = by_book.setdefault(book, [])
        met = kappa is not None and kappa >= threshold
        streak = (steps[-1][1].streak + 1 if steps else 1) if met else 0
        steps.append(
            (
                own.started_at,
                Step(
                    session=session.id,
                    file=own.path.name,
                    reference=reference.id,
                    reference_observer=reference.observer,
                    started_at=session.started_at,
                    kappa=kappa,
                    met=met,
                    streak=streak,
                ),
            )
        )
    return [
        Walk(coder, book, tuple(s for _, s in steps), consecutive)
        for book, steps in sorted(by_book.items(), key=lambda kv: time_key(kv[1][0][0]))
    ]


def certification(
    walk: Walk, *, method: str, threshold: float, by: str, made_at: str
) -> dict[str, Any]:
    """The record of a reached walk, as stored."""
    reached = walk.reached
    assert reached is not None
    return {
        "codebook": attrs.asdict(walk.codebook),
        "method": method,
        "threshold": threshold,
        "consecutive": walk.consecutive,
        "reached": reached.started_at,
        "date": reached.started_at[:10],
        "reached_with": reached.session,
        "by": by,
        "made_at": made_at,
        "sessions": [
            {
                "session": s.session,
                "file": s.file,
                "reference": s.reference,
                "reference_observer": s.reference_observer,
                "started_at": s.started_at,
                "kappa": s.kappa,
                "met": s.met,
            }
            for s in walk.used()
        ],
    }


def record_path(folder: Path, coder: str, *, default: bool = True) -> Path:
    """The coder's record: in ``certifications/`` of a study folder (``default``), or
    in the folder given."""
    return (folder / FOLDER if default else folder) / f"{coder}.json"


def read_record(path: Path) -> dict[str, Any] | None:
    """A coder's record (None when there is none); a damaged one is an InputError."""
    if not path.exists():
        return None
    raw = jsonio.read_json(path, max_bytes=MAX_RECORD_BYTES, unique_keys=True)
    problems = list(_record_problems(raw, str(path)))
    if problems:
        raise InputError(problems)
    record: dict[str, Any] = raw
    return record


def _record_problems(raw: Any, file: str) -> Iterable[Problem]:
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        yield Problem(file, "schema", f"not a certification record ({SCHEMA})")
        return
    if not isinstance(raw.get("coder"), str) or not valid_session_id(raw["coder"]):
        yield Problem(file, "coder", "must be an observer id")
    items = raw.get("certifications")
    if not isinstance(items, list):
        yield Problem(file, "certifications", "must be a list")
        return
    for i, item in enumerate(items):
        book = item.get("codebook") if isinstance(item, dict) else None
        if not isinstance(book, dict) or not all(
            isinstance(book.get(k), str) for k in ("id", "version", "sha256")
        ):
            yield Problem(file, f"certifications[{i}].codebook", "must name id, version and sha256")
        if not isinstance(item, dict) or not isinstance(item.get("reached"), str):
            yield Problem(file, f"certifications[{i}].reached", "must be a time stamp")


def with_certification(
    record: dict[str, Any] | None, coder: str, item: dict[str, Any]
) -> dict[str, Any]:
    """The record with ``item`` added (the others kept as they are)."""
    items = [] if record is None else list(record["certifications"])
    return {"schema": SCHEMA, "coder": coder, "certifications": [*items, item]}


def certified_on(record: dict[str, Any] | None, book: Version) -> dict[str, Any] | None:
    if record is None:
        return None
    for item in record["certifications"]:
        if item["codebook"] == attrs.asdict(book):
            found: dict[str, Any] = item
            return found
    return None


@attrs.frozen
class Registry:
    """The certifications of a study's folders: who was certified on which codebook
    version from when. ``None`` from :func:`registry` when the folders hold none, so a
    study that does not certify is not marked."""

    reached: dict[tuple[str, Version], str]

    def certified(self, observer: str, book: Version, started_at: str) -> bool:
        """Whether a session begun at ``started_at`` was coded by a certified coder
        (certified by an earlier session: the one that reached it was not)."""
        when = self.reached.get((observer, book))
        return when is not None and time_key(started_at) > time_key(when)


def registry(folders: Sequence[Path]) -> Registry | None:
    reached: dict[tuple[str, Version], str] = {}
    found = False
    for folder in folders:
        for path in sorted((folder / FOLDER).glob("*.json")):
            found = True
            record = read_record(path)
            assert record is not None
            for item in record["certifications"]:
                book = Version(**{k: item["codebook"][k] for k in ("id", "version", "sha256")})
                key = (record["coder"], book)
                if key not in reached or time_key(item["reached"]) < time_key(reached[key]):
                    reached[key] = item["reached"]
    return Registry(reached) if found else None


def uncertified(registry: Registry, pair: Pair) -> list[str]:
    """The observers of ``pair`` not certified on their session's codebook version
    when they coded it."""
    return [
        e.observer
        for e in (pair.a, pair.b)
        if not registry.certified(
            e.observer, Version(e.codebook, e.version, e.sha256), e.started_at
        )
    ]
