"""Encryption as a property of the session folder.

A folder holding ``recipients.txt`` (an age recipients file) is encrypted: every
session written there is ``<id>.json.age`` to those recipients. :func:`protect`
makes a folder so and encrypts the sessions already in it, each replaced
atomically (the encrypted file is linked in, then the plaintext removed).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from observer import jsonio
from observer.crypto import AGE_SUFFIX, is_age
from observer.crypto.agefile import encrypt
from observer.crypto.keys import load_recipients
from observer.errors import InputError

RECIPIENTS = "recipients.txt"


def recipients_path(folder: Path) -> Path:
    return folder / RECIPIENTS


def is_encrypted(folder: Path) -> bool:
    return recipients_path(folder).is_file()


def folder_recipients(folder: Path, warn: list[str] | None = None) -> list[Any] | None:
    """The recipients of an encrypted folder (None when it is not one)."""
    path = recipients_path(folder)
    if not path.is_file():
        return None
    return load_recipients(path, warn)


def encrypt_to(folder: Path, recipients_file: Path, warn: list[str] | None = None) -> None:
    """Make ``folder`` encrypted to the recipients in ``recipients_file`` (checked
    first): its ``recipients.txt`` is written (0600) unless it already holds exactly
    those bytes; InputError if the folder has other recipients already."""
    load_recipients(recipients_file, warn)
    data = jsonio.read_bytes(recipients_file, max_bytes=1 << 20)
    target = recipients_path(folder)
    if target.is_file():
        if jsonio.read_bytes(target, max_bytes=1 << 20) != data:
            raise InputError.one(
                str(target),
                "$",
                f"the folder is already encrypted to other recipients than {recipients_file}",
            )
        return
    jsonio.make_folders(folder)
    jsonio.write_new(target, data)


def protect(folder: Path, recipients_file: Path, warn: list[str] | None = None) -> list[Path]:
    """Make ``folder`` encrypted and encrypt its finished sessions (``*.json``): each
    ``X.json`` becomes ``X.json.age``, the plaintext removed once the encrypted file
    is durable. Returns the files written. InputError, nothing changed, when the
    recipients are bad or a session's ``.age`` name is taken."""
    if not folder.is_dir():
        raise InputError.one(str(folder), "$", "no such folder")
    recipients = load_recipients(recipients_file, warn)
    plain = sorted(p for p in folder.glob("*.json") if p.is_file() and not p.name.startswith("."))
    for path in plain:
        taken = path.with_name(path.name + AGE_SUFFIX)
        if taken.exists():
            raise InputError.one(str(taken), "$", "already exists: the folder was not changed")
    encrypt_to(folder, recipients_file)
    written = []
    for path in plain:
        data = jsonio.read_bytes(path)
        if is_age(data):
            continue
        target = path.with_name(path.name + AGE_SUFFIX)
        jsonio.write_new(target, encrypt(data, recipients, str(path)))
        _remove(path)
        written.append(target)
    jsonio.fsync_dir(folder)
    return written


def _remove(path: Path) -> None:
    """Delete a plaintext file, its bytes overwritten first where the file system lets
    us (on a journalling or copy-on-write disk, or an SSD, old blocks may survive: the
    docs say so)."""
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        fd = os.open(path, os.O_WRONLY)
        try:
            jsonio.write_all(fd, bytes(min(size, 1 << 26)))
        finally:
            os.close(fd)
    path.unlink()
