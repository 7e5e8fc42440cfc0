"""Finding a study's sessions and pairing the double-coded ones.

Every ``*.json`` under the folders is read and validated once; only its metadata
(:class:`Entry`) is kept, so memory does not grow with the events of the study.
Sessions pair when they share codebook id, dyad and label and have different
observers. Exactly two make a pair; more than two are reported as ambiguous and
left out, unless a ``pairs.csv`` (header ``a,b``, file names relative to its folder)
says which files pair: a folder with one uses it instead of the rule.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs

from observer.errors import InputError, Problem
from observer.sessionfile import Session, load_session

PAIRS_FILE = "pairs.csv"


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


@attrs.frozen
class Pair:
    a: Entry
    b: Entry


@attrs.frozen
class Study:
    entries: tuple[Entry, ...]
    pairs: tuple[Pair, ...]
    problems: tuple[Problem, ...]


def _entry(path: Path, session: Session) -> Entry:
    return Entry(
        path=path,
        id=session.id,
        codebook=session.codebook.id,
        dyad=session.dyad,
        label=session.label,
        observer=session.observer,
        started_at=session.started_at,
    )


def session_files(folders: Iterable[Path]) -> list[Path]:
    """Every session file under the folders, in a stable order (journals and other
    files are not session files)."""
    found: set[Path] = set()
    for folder in folders:
        for pattern in ("*.json", "*.json.age"):
            found.update(p for p in folder.rglob(pattern) if p.is_file())
    return sorted(found)


def read_entries(
    paths: Sequence[Path], progress: Callable[[int, int], None] | None = None
) -> tuple[list[Entry], list[Problem]]:
    entries: list[Entry] = []
    problems: list[Problem] = []
    for i, path in enumerate(paths, 1):
        try:
            entries.append(_entry(path, load_session(path)))
        except InputError as error:
            problems.extend(error.problems)
        if progress is not None:
            progress(i, len(paths))
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
            a, b = sorted(members, key=lambda m: (m.started_at, str(m.path)))
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


def _from_csv(path: Path, known: dict[Path, Entry]) -> tuple[list[Pair], list[Problem]]:
    pairs: list[Pair] = []
    problems: list[Problem] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(str(path), "$", f"cannot read: {error}")]
    if not rows or [c.strip() for c in rows[0]] != ["a", "b"]:
        return [], [Problem(str(path), "line 1", "the header must be 'a,b'")]
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            problems.append(Problem(str(path), f"line {number}", "needs two file names: a,b"))
            continue
        ends = [known.get((path.parent / cell.strip()).resolve()) for cell in row]
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
        if a.codebook != b.codebook:
            problems.append(
                Problem(str(path), f"line {number}", "the two sessions use different codebooks")
            )
            continue
        pairs.append(Pair(a, b))
    return pairs, problems


def discover(folders: Sequence[Path], progress: Callable[[int, int], None] | None = None) -> Study:
    """The study under ``folders``: its readable sessions, pairs and problems."""
    entries, problems = read_entries(session_files(folders), progress)
    listed = [f / PAIRS_FILE for f in folders if (f / PAIRS_FILE).is_file()]
    pairs: list[Pair] = []
    if listed:
        known = {e.path.resolve(): e for e in entries}
        for path in listed:
            found, trouble = _from_csv(path, known)
            pairs.extend(found)
            problems.extend(trouble)
        inside = {p.parent.resolve() for p in listed}
        rest = [e for e in entries if not any(d in e.path.resolve().parents for d in inside)]
    else:
        rest = entries
    found, trouble = _by_rule(rest)
    pairs.extend(found)
    problems.extend(trouble)
    return Study(tuple(entries), tuple(pairs), tuple(problems))
