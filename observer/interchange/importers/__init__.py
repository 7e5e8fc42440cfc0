"""Importers: other tools' coded events (and observer's own CSV/TSV) as session files.

One module per format; ``FORMATS`` is the table ``observer import --from`` reads.
Each importer takes the source file's bytes and returns :class:`Imported` sessions
(validated as any session file) or raises :class:`~observer.errors.InputError`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from pathlib import Path

import attrs

from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.sessionfile import SCHEMA, CodebookRef, Event, ImportedFrom, Note, Session
from observer.structure import MAX_SECONDS

MAX_SOURCE_BYTES = 512 * 1024 * 1024


@attrs.frozen
class MediaLink:
    """A video a source file links to but whose identity (size, quick hash, duration)
    only the file itself can give: the command looks for it and, if found, makes it the
    session's ``media``."""

    session: str
    """The id of the session it belongs to."""
    source: str
    """The source file (for messages)."""
    url: str
    """As the source spells it (for messages)."""
    candidates: tuple[Path, ...]
    """Where it may be, in order."""
    offset: float
    """Media time of session time 0, in seconds."""
    where: str
    """Location in the source file (for messages)."""


@attrs.frozen
class Imported:
    """What one source file gave: its sessions and the codebook they use."""

    sessions: tuple[Session, ...]
    codebook: Codebook
    derived: bool
    """True when the codebook was derived from the file (no --codebook given)."""
    notices: tuple[Problem, ...] = ()
    """What was left out or changed (printed on standard error)."""
    media: tuple[MediaLink, ...] = ()
    """Videos to look for beside the source (see :class:`MediaLink`)."""


def session_id(path: Path) -> str:
    """The id of the session read from ``path``: its name, reduced to the characters a
    session id may hold."""
    reduced = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem)
    return re.sub(r"\.{2,}", ".", reduced).strip("._-")[:80].strip("._-") or "imported"


def seconds(value: str, name: str, where: str, problems: list[Problem]) -> float | None:
    """A time in seconds as a file spells it, or None with the problem recorded."""
    try:
        t = float(value)
    except ValueError:
        problems.append(Problem(name, where, f"{value!r} is not a time in seconds"))
        return None
    if not math.isfinite(t) or not 0 <= t <= MAX_SECONDS:
        problems.append(Problem(name, where, f"time {value!r} out of range (0 to {MAX_SECONDS} s)"))
        return None
    return t


def new_session(
    book: Codebook, source: ImportedFrom, *, session_id: str, dyad: str, stamp: str,
    events: Iterable[Event], notes: Iterable[Note] = (), observer: str = "",
) -> Session:  # fmt: skip
    """An imported session: events and notes in time order, its duration their last time."""
    ordered = tuple(sorted(events, key=lambda e: (e.start, e.code)))
    kept = tuple(sorted(notes, key=lambda n: n.t))
    end = max([e.end if e.end is not None else e.start for e in ordered]
              + [n.t for n in kept] + [0.0])  # fmt: skip
    return Session(
        schema=SCHEMA, id=session_id, status="imported",
        codebook=CodebookRef(book.id, book.version, book.sha256, book.document),
        dyad=dyad, observer=observer, started_at=stamp, ended_at=stamp, duration=end,
        events=ordered, notes=kept, imported_from=source,
    )  # fmt: skip


def origin(fmt: str, path: Path, data: bytes) -> ImportedFrom:
    return ImportedFrom(fmt, path.name, hashlib.sha256(data).hexdigest())


FORMATS: dict[str, str] = {
    "csv": "observer.interchange.importers.tabular:import_csv",
    "tsv": "observer.interchange.importers.tabular:import_tsv",
    "eaf": "observer.interchange.importers.eaf:import_eaf",
    "opf": "observer.interchange.importers.opf:import_opf",
    "boris-events": "observer.interchange.importers.boris_events:import_boris_events",
}
"""format name -> "module:function(path, data, codebook, codes) -> Imported"; ``codes``
maps a source's code names to the codebook's ids (``--map``)."""


def load_map(path: Path) -> dict[str, str]:
    """A ``--map`` file: ``{"codes": {"source name": "code id", ...}}``."""
    from observer import jsonio

    raw = jsonio.read_json(path, unique_keys=True)
    name = str(path)
    if not isinstance(raw, dict):
        raise InputError.one(name, "$", 'must be an object: {"codes": {"source name": "code id"}}')
    problems = [
        Problem(name, k, "unknown field (the map has only 'codes')") for k in raw if k != "codes"
    ]
    codes = raw.get("codes")
    if not isinstance(codes, dict):
        problems.append(Problem(name, "codes", "must be an object of source name -> code id"))
        raise InputError(problems)
    for source, target in codes.items():
        if not isinstance(target, str) or not target:
            problems.append(Problem(name, f"codes[{source!r}]", "must be a code id (a string)"))
    if problems:
        raise InputError(problems)
    return dict(codes)


def with_observer(imported: Imported, observer: str) -> Imported:
    """``--observer ID``: every session of ``imported`` coded by ``observer``."""
    sessions = tuple(attrs.evolve(s, observer=observer) for s in imported.sessions)
    return attrs.evolve(imported, sessions=sessions)
