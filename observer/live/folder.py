"""What a session folder holds: finished sessions, unfinished journals, bad files.

``scan_folder`` reads every ``*.json`` session file and every unfinished
``*.journal.jsonl`` (replayed, to count its events; ``running`` if an
``observer code`` is writing it now) and returns one
:class:`FolderEntry` each; a file that cannot be read becomes an entry with
status ``unreadable`` and the reason, never an exception.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from observer.crypto import AGE_SUFFIX
from observer.crypto.agefile import identities_given
from observer.crypto.stream import MAGIC, is_sealed
from observer.errors import InputError
from observer.live.journal import SUFFIX, journal_in_use
from observer.live.recovery import replay_journal
from observer.sessionfile import load_session


@attrs.frozen
class FolderEntry:
    path: Path
    status: str
    """``complete``, ``recovered``, ``unfinished`` (a journal left by a crash),
    ``running`` (a journal being written by an ``observer code`` now), ``encrypted``
    (a ``.json.age`` session, read without an identity: listed by its file name) or
    ``unreadable``."""
    id: str = ""
    dyad: str = ""
    observer: str = ""
    codebook: str = ""
    events: int | None = None
    duration: float | None = None
    problem: str = ""


def scan_folder(folder: Path) -> list[FolderEntry]:
    """Every session and unfinished journal in ``folder``, sorted by file name."""
    if not folder.is_dir():
        return []
    entries: list[FolderEntry] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.name.endswith(SUFFIX):
            entries.append(_journal_entry(path))
        elif path.suffix == ".json" or path.name.endswith(".json" + AGE_SUFFIX):
            entries.append(_session_entry(path))
    return entries


def _problem(error: InputError) -> str:
    first = error.problems[0]
    more = len(error.problems) - 1
    extra = f" (and {more} more)" if more else ""
    return f"{first.location}: {first.message}{extra}"


def _session_entry(path: Path) -> FolderEntry:
    if path.name.endswith(AGE_SUFFIX) and not identities_given():
        return FolderEntry(path, "encrypted")
    try:
        session = load_session(path)
    except InputError as error:
        return FolderEntry(path, "unreadable", problem=_problem(error))
    book = session.codebook
    return FolderEntry(
        path,
        session.status,
        session.id,
        session.dyad,
        session.observer,
        f"{book.id} {book.version}",
        len(session.events),
        session.duration,
    )


def _sealed(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return is_sealed(handle.read(len(MAGIC)))
    except OSError:
        return False


def _journal_entry(path: Path) -> FolderEntry:
    status = "running" if journal_in_use(path) else "unfinished"
    if not identities_given() and _sealed(path):
        return FolderEntry(path, status)  # listed by its file name: read with --identity
    try:
        replayed = replay_journal(path)
    except InputError as error:
        # A running session's journal may be caught between its creation and its header.
        return FolderEntry(
            path, status if status == "running" else "unreadable", problem=_problem(error)
        )
    rec = replayed.recorder
    meta = rec.meta
    return FolderEntry(
        path,
        status,
        meta.id,
        meta.dyad,
        meta.observer,
        f"{rec.book.id} {rec.book.version}",
        len(rec.events),
        rec.last_t,
    )
