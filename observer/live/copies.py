"""The complete copy of a session that could not be saved in its folder.

When the session file cannot be written at the end (a full disk, an I/O error), the
coding app writes a complete copy, from memory, into :func:`fallback_folder`
(``unsaved`` in the user's state folder). Sessions describe children, so these copies
must not pile up in a hidden folder: a copy is removed as soon as a session file with
exactly its bytes is durable in the session folder (:func:`remove_if_saved`), whether
the coding app saved it there at last or ``observer recover`` did. Recovery looks for
the copy of the journal's session id (:func:`find_copy`) and uses whichever of the two
holds more.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from observer import durable
from observer.errors import InputError
from observer.sessionfile import SESSION_ID_PATTERN, Session, load_session
from observer.settings import state_dir


def fallback_folder() -> Path:
    """Where a session that cannot be written into its folder is copied: ``unsaved`` in
    the user's state folder (``observer.settings.state_dir``; on Linux
    ``$XDG_STATE_HOME/observer/unsaved``, default ``~/.local/state/observer/unsaved``)."""
    return state_dir() / "unsaved"


@attrs.frozen
class Copy:
    path: Path
    session: Session | None
    """None when the copy cannot be read (it is then left alone)."""
    problem: str = ""


def find_copy(session_id: str, folder: Path | None = None) -> Copy | None:
    """The copy of session ``session_id`` in ``folder`` (default: the fallback folder),
    if there is one."""
    if not SESSION_ID_PATTERN.fullmatch(session_id):
        return None
    path = (fallback_folder() if folder is None else folder) / f"{session_id}.json"
    if not path.is_file():
        return None
    try:
        return Copy(path, load_session(path))
    except InputError as error:
        return Copy(path, None, str(error.problems[0]))
    except OSError as error:
        return Copy(path, None, f"{path}: {error.strerror or error}")


def remove_if_saved(copy: Path, saved: Path) -> bool:
    """Remove ``copy`` when the durable session file ``saved`` holds exactly its bytes;
    True when removed. Anything else (different bytes, unreadable) keeps the copy."""
    try:
        if copy.resolve() == saved.resolve() or copy.read_bytes() != saved.read_bytes():
            return False
        fd = os.open(saved, os.O_RDWR)  # durable before its only other copy goes
        try:
            durable.fsync(fd)
        finally:
            os.close(fd)
        durable.fsync_dir(saved.parent)
        copy.unlink()
    except OSError:
        return False
    durable.fsync_dir(copy.parent)
    return True
