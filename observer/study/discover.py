"""Finding a study's sessions and pairing the double-coded ones.

Every ``*.json`` under the folders is read and validated once; only its metadata
(:class:`Entry`) is kept, so memory does not grow with the events of the study.
Sessions coded live in a pair (``observer code --pair``) pair by their ``pair.id``,
the primary coder's first (their time 0 is the same instant). Other sessions pair
when they share codebook id, dyad and label and have different observers. Exactly two make a pair; more than two are reported as ambiguous and
left out, unless a ``pairs.csv`` (header ``a,b``, file names relative to its folder)
says which files pair: a folder with one uses it instead of the rule.

A consensus session (status ``consensus``, what ``observer consensus`` writes beside
its first coding) is no coder's coding: it never pairs, by the rule or in a
``pairs.csv``, is not counted among the study's sessions, and is listed apart
(:attr:`Study.consensus`). An imported session is a real coder's work and pairs as
any other.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import attrs

from observer.errors import Problem
from observer.sessionfile import Session, time_key
from observer.study.loading import load_sessions

PAIRS_FILE = "pairs.csv"
CERTIFICATIONS = "certifications"
"""The folder of certification records (observer.study.certify), never session files."""


@attrs.frozen
class Entry:
    """What a study needs to know of a session without holding its events."""

    path: Path
    id: str
    codebook: str
    dyad: str
    label: str
    observer: str
    started_at: str
    status: str = "complete"
    made_from: tuple[str, ...] = ()
    """A consensus session's two codings (their session ids)."""
    version: str = ""
    sha256: str = ""
    """The codebook's version and hash (its id is ``codebook``)."""
    pair_id: str = ""
    """Coded live in a pair (``observer code --pair``): the pair's id."""
    pair_role: str = ""
    """``primary`` or ``reliability`` in that pair."""


@attrs.frozen
class Pair:
    a: Entry
    b: Entry


@attrs.frozen
class Study:
    entries: tuple[Entry, ...]
    pairs: tuple[Pair, ...]
    problems: tuple[Problem, ...]
    consensus: tuple[Entry, ...] = ()
    """Consensus sessions: listed apart, never paired nor counted in ``entries``."""


def _entry(path: Path, session: Session) -> Entry:
    return Entry(
        path=path,
        id=session.id,
        codebook=session.codebook.id,
        dyad=session.dyad,
        label=session.label,
        observer=session.observer,
        started_at=session.started_at,
        status=session.status,
        made_from=()
        if session.consensus is None
        else (session.consensus.a.id, session.consensus.b.id),
        version=session.codebook.version,
        sha256=session.codebook.sha256,
        pair_id="" if session.pair is None else session.pair.id,
        pair_role="" if session.pair is None else session.pair.role,
    )


def session_files(folders: Iterable[Path]) -> list[Path]:
    """Every session file under the folders, in a stable order (journals and other
    files are not session files, nor the certification records in a ``certifications``
    folder)."""
    found: set[Path] = set()
    for folder in folders:
        for pattern in ("*.json", "*.json.age"):
            found.update(
                p
                for p in folder.rglob(pattern)
                if p.is_file() and CERTIFICATIONS not in p.relative_to(folder).parts[:-1]
            )
    return sorted(found)


def read_entries(
    paths: Sequence[Path], progress: Callable[[int, int], None] | None = None
) -> tuple[list[Entry], list[Problem]]:
    problems: list[Problem] = []

    def counted() -> Iterator[Path]:
        for i, path in enumerate(paths, 1):
            yield path
            if progress is not None:  # asked for the next one: this one is read
                progress(i, len(paths))

    stream = load_sessions(counted(), unique_ids=False, problems=problems)
    entries = [_entry(Path(name), session) for name, session in stream]
    return entries, problems


def _by_rule(entries: Sequence[Entry]) -> tuple[list[Pair], list[Problem]]:
    groups: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[(entry.codebook, entry.dyad, entry.label)].append(entry)
    pairs: list[Pair] = []
    problems: list[Problem] = []
    for (book, dyad, label), members in sorted(groups.items()):
        observers = {m.observer for m in members}
        if len(members) == 2 and len(observers) == 2:
            a, b = sorted(members, key=lambda m: (time_key(m.started_at), str(m.path)))
            pairs.append(Pair(a, b))
        elif len(members) > 2 and len(observers) > 1:
            names = ", ".join(m.path.name for m in members)
            problems.append(
                Problem(
                    str(members[0].path.parent),
                    "$",
                    f"{len(members)} sessions of dyad {dyad!r}, label {label!r} ({book}): "
                    f"{names}; which two pair is ambiguous: list them in {PAIRS_FILE}",
                )
            )
    return pairs, problems


def _by_pair_id(entries: Sequence[Entry]) -> tuple[list[Pair], list[Entry]]:
    """Sessions coded live in a pair pair by the pair's id (the primary first); those
    whose partner's file is not here pair as any other (the rest, returned)."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    rest: list[Entry] = []
    for entry in entries:
        if entry.pair_id:
            groups[entry.pair_id].append(entry)
        else:
            rest.append(entry)
    pairs: list[Pair] = []
    for _, members in sorted(groups.items()):
        observers = {m.observer for m in members}
        if len(members) == 2 and len(observers) == 2 and members[0].codebook == members[1].codebook:
            a, b = sorted(members, key=lambda m: (m.pair_role != "primary", str(m.path)))
            pairs.append(Pair(a, b))
        else:
            rest.extend(members)
    return pairs, rest


def _entry_of(known: dict[Path, Entry], path: Path) -> Entry | None:
    """The session read from ``path``; None also for a name no file can have (a NUL
    byte, a loop of links)."""
    try:
        return known.get(path.resolve())
    except (OSError, ValueError, RuntimeError):
        return None


def _from_csv(path: Path, known: dict[Path, Entry]) -> tuple[list[Pair], list[Problem]]:
    pairs: list[Pair] = []
    problems: list[Problem] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [], [Problem(str(path), "$", f"cannot read: {error}")]
    if not rows or [c.strip() for c in rows[0]] != ["a", "b"]:
        return [], [Problem(str(path), "line 1", "the header must be 'a,b'")]
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            problems.append(Problem(str(path), f"line {number}", "needs two file names: a,b"))
            continue
        ends = [_entry_of(known, path.parent / cell.strip()) for cell in row]
        missing = [cell.strip() for cell, end in zip(row, ends, strict=True) if end is None]
        if missing:
            problems.append(
                Problem(
                    str(path),
                    f"line {number}",
                    f"no readable session file {', '.join(repr(m) for m in missing)}",
                )
            )
            continue
        a, b = ends
        assert a is not None and b is not None
        agreed = [e.path.name for e in (a, b) if e.status == "consensus"]
        if agreed:
            problems.append(
                Problem(
                    str(path),
                    f"line {number}",
                    f"{agreed[0]!r} is a consensus session, not a coder's coding: it never pairs",
                )
            )
            continue
        if a.codebook != b.codebook:
            problems.append(
                Problem(str(path), f"line {number}", "the two sessions use different codebooks")
            )
            continue
        pairs.append(Pair(a, b))
    return pairs, problems


def discover(folders: Sequence[Path], progress: Callable[[int, int], None] | None = None) -> Study:
    """The study under ``folders``: its readable sessions, pairs and problems."""
    every, problems = read_entries(session_files(folders), progress)
    entries = [e for e in every if e.status != "consensus"]
    listed = [f / PAIRS_FILE for f in folders if (f / PAIRS_FILE).is_file()]
    pairs: list[Pair] = []
    if listed:
        known = {e.path.resolve(): e for e in every}
        for path in listed:
            found, trouble = _from_csv(path, known)
            pairs.extend(found)
            problems.extend(trouble)
        inside = {p.parent.resolve() for p in listed}
        rest = [e for e in entries if not any(d in e.path.resolve().parents for d in inside)]
    else:
        rest = entries
    live, rest = _by_pair_id(rest)
    pairs.extend(live)
    found, trouble = _by_rule(rest)
    pairs.extend(found)
    problems.extend(trouble)
    agreed = tuple(e for e in every if e.status == "consensus")
    return Study(tuple(entries), tuple(pairs), tuple(problems), agreed)
