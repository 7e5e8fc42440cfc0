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
from observer.crypto import is_age
from observer.crypto.agefile import identities_given
from observer.errors import InputError
from observer.sessionfile import (
    SESSION_ID_PATTERN,
    Session,
    load_session,
    read_session_bytes,
    session_file,
)
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
    path = session_file(fallback_folder() if folder is None else folder, session_id)
    if path is None:  # plain, or (the copy of an encrypted folder's session) .json.age
        return None
    try:
        return Copy(path, load_session(path))
    except InputError as error:
        return Copy(path, None, str(error.problems[0]))
    except OSError as error:
        return Copy(path, None, f"{path}: {error.strerror or error}")


def remove_if_saved(copy: Path, saved: Path, *, made_of: bytes | None = None) -> bool:
    """Remove ``copy`` when the durable session file ``saved`` holds exactly its bytes
    or, both encrypted (each encryption is different bytes), exactly its plaintext:
    checked with the identities given (``--identity``), or ``made_of``, the plaintext
    this process encrypted both from (the coding laptop holds no identity). True when
    removed. Anything else (different, unreadable, no way to tell) keeps the copy."""
    try:
        if copy.resolve() == saved.resolve():
            return False
        ours, theirs = copy.read_bytes(), saved.read_bytes()
        if ours != theirs and not _same_plaintext(copy, saved, ours, theirs, made_of):
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


def _same_plaintext(
    copy: Path, saved: Path, ours: bytes, theirs: bytes, made_of: bytes | None
) -> bool:
    if not (is_age(ours) and is_age(theirs)):
        return False
    if made_of is not None:
        return True  # the caller encrypted both from these very bytes
    if not identities_given():
        return False
    try:
        return read_session_bytes(copy) == read_session_bytes(saved)
    except InputError:
        return False
