"""Session ids: ``<UTC yyyymmddThhmmssZ>-<dyad>-<observer>``, safe as file names.

Dyad and observer ids are typed by people, so they are reduced to
``[A-Za-z0-9._-]`` (anything else becomes ``-``; runs of dots collapse, so no
``..`` survives; leading and trailing punctuation is dropped; at most
:data:`MAX_PART` characters). The id therefore always passes
``observer.sessionfile.valid_session_id`` and can never name a path outside the
session folder. ``new_session_id`` adds ``-2``, ``-3``, ... when a session or
journal of that id already exists in the folder, ignoring case (on macOS and Windows
``D1`` and ``d1`` name one file).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from observer.textsafe import control_problem

MAX_PART = 40
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")


def sanitize(text: str, fallback: str) -> str:
    """``text`` reduced to safe file-name characters, or ``fallback`` if nothing is left."""
    safe = _DOTS.sub(".", _UNSAFE.sub("-", text))
    safe = safe[:MAX_PART].strip("._-")
    return safe or fallback


def typed_problems(**fields: str | None) -> list[tuple[str, str]]:
    """(field, problem) for each typed id or label (dyad, observer, label) that holds
    control characters: refused at the door, in the form and on the command line."""
    out = []
    for name, value in fields.items():
        problem = control_problem(value) if value else None
        if problem is not None:
            out.append((name, problem))
    return out


def base_session_id(dyad: str, observer: str, when: datetime) -> str:
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    session_id = f"{stamp}-{sanitize(dyad, 'dyad')}-{sanitize(observer, 'observer')}"
    # here, not at the top: checking typed ids comes before the first frame, and the
    # session model costs about 25 ms to import
    from observer.sessionfile import valid_session_id

    assert valid_session_id(session_id), session_id
    return session_id


def taken(folder: Path, session_id: str) -> bool:
    """Whether anything in ``folder`` already uses this id (session, journal, set-aside),
    in any case."""
    prefix = f"{session_id}.".casefold()
    try:
        return any(name.casefold().startswith(prefix) for name in os.listdir(folder))
    except OSError:
        return False


def new_session_id(dyad: str, observer: str, folder: Path, when: datetime | None = None) -> str:
    """A fresh id for a session started ``when`` (default now), unique in ``folder``."""
    base = base_session_id(dyad, observer, when or datetime.now(UTC))
    session_id, n = base, 1
    while taken(folder, session_id):
        n += 1
        session_id = f"{base}-{n}"
    return session_id
