"""Rotating the recipients of an encrypted session folder.

A new analyst, a key that may have leaked, a study key replaced: the folder's
``recipients.txt`` is replaced by a new recipients file and every encrypted file in
the folder is made readable by the new recipients only. A session (``<id>.json.age``)
is decrypted with the identities given and encrypted again; a sealed journal, key log
or consensus journal (set aside or not) keeps its records byte for byte and has only
its key wrapped anew (:func:`observer.crypto.stream.rewrap`). Each file is replaced
atomically.

Everything is checked before anything is written: the new recipients, every file
opened with the identities given, no session being coded in the folder. A rotation
cut short (a crash, a full disk) leaves each file either as it was or rotated, never
torn; running it again with the old and the new identity both finishes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from observer import jsonio
from observer.crypto import AGE_SUFFIX, is_age
from observer.crypto.agefile import decrypt, encrypt, identities
from observer.crypto.folder import in_use, is_encrypted, recipients_path
from observer.crypto.keys import load_recipients
from observer.crypto.stream import is_sealed, rewrap
from observer.errors import InputError, Problem


@attrs.frozen
class Rotated:
    sessions: list[Path]
    """Session files encrypted again."""
    streams: list[Path]
    """Sealed journals, key logs and consensus journals whose key was wrapped again."""


def rotate(folder: Path, recipients_file: Path, warn: list[str] | None = None) -> Rotated:
    """Encrypt the encrypted ``folder`` to the recipients of ``recipients_file`` instead
    of its own (see the module). InputError, nothing changed, when the folder is not
    encrypted, the recipients are bad, no identity was given, a file cannot be opened
    with the identities given, or a session is being coded there."""
    name = str(folder)
    if not folder.is_dir():
        raise InputError.one(name, "$", "no such folder")
    if not is_encrypted(folder):
        raise InputError.one(
            name, "$", "is not an encrypted folder (no recipients.txt): use observer keys protect"
        )
    recipients = load_recipients(recipients_file, warn)
    new_list = jsonio.read_bytes(recipients_file, max_bytes=1 << 20)
    given = identities()
    if not given:
        raise InputError.one(
            name, "$", "give --identity FILE: an identity that opens the folder's files"
        )
    planned: list[Path] = []
    problems: list[Problem] = []
    for path in _files(folder):  # every one checked before any is written
        try:
            if _again(path, given, recipients) is not None:
                planned.append(path)
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    # The recipients first: a session started from now on is encrypted to the new ones.
    jsonio.replace(recipients_path(folder), new_list)
    for path in planned:  # one file at a time in memory, each replaced atomically
        again = _again(path, given, recipients)
        assert again is not None
        jsonio.replace(path, again)
    return Rotated(
        [path for path in planned if path.name.endswith(SESSION_SUFFIX)],
        [path for path in planned if not path.name.endswith(SESSION_SUFFIX)],
    )


SESSION_SUFFIX = ".json" + AGE_SUFFIX


def _files(folder: Path) -> list[Path]:
    """The files of ``folder`` that may be encrypted (not hidden temporaries, not links)."""
    return [
        path
        for path in sorted(folder.iterdir())
        if not path.name.startswith(".") and path.is_file() and not path.is_symlink()
    ]


def _again(path: Path, given: list[Any], recipients: list[Any]) -> bytes | None:
    """The bytes of ``path`` for the new recipients; None when it is not encrypted."""
    with path.open("rb") as file:
        head = file.read(64)
    if not (is_age(head) or is_sealed(head)):
        return None
    data = jsonio.read_bytes(path, max_bytes=1 << 31)
    name = str(path)
    if is_age(data):
        return encrypt(decrypt(data, given, name), recipients, name)
    if in_use(path):
        raise InputError.one(name, "$", "a session is being coded into it: end it first")
    return rewrap(data, name, recipients)
