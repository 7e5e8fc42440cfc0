"""Encryption as a property of the session folder.

A folder holding ``recipients.txt`` (an age recipients file) is encrypted: every
session written there is ``<id>.json.age`` to those recipients. :func:`protect`
makes a folder so and encrypts what is already in it: sessions (the encrypted file
is linked in, then the plaintext overwritten and removed), journals and key logs
(sealed, replaced atomically).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from observer import jsonio
from observer.crypto import AGE_SUFFIX, is_age
from observer.crypto.agefile import encrypt
from observer.crypto.agefile import passphrase as given_passphrase
from observer.crypto.keys import load_recipients
from observer.crypto.stream import Sealer, is_sealed
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


STREAMS = (".journal.jsonl", ".keys.jsonl", ".consensus.jsonl")
"""Files written line by line (journals, key logs, consensus journals, and those set
aside by a recovery: ``X.journal.jsonl.recovered``): sealed streams when encrypted."""


def is_stream_name(name: str) -> bool:
    return any(part in name for part in STREAMS)


def protect(folder: Path, recipients_file: Path, warn: list[str] | None = None) -> list[Path]:
    """Make ``folder`` encrypted and encrypt what it holds in plain: each finished
    session ``X.json`` becomes ``X.json.age`` (the plaintext removed once the encrypted
    file is durable), each journal, key log and consensus journal becomes a sealed
    stream of the same name (one record a line, replaced atomically). Returns the files
    written. InputError, nothing changed, when the recipients are bad, a session's
    ``.age`` name is taken or a session is being coded into the folder."""
    if not folder.is_dir():
        raise InputError.one(str(folder), "$", "no such folder")
    recipients = load_recipients(recipients_file, warn)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    plain = [p for p in files if p.name.endswith(".json")]
    streams = [p for p in files if is_stream_name(p.name) and not p.is_symlink()]
    for path in plain:
        taken = path.with_name(path.name + AGE_SUFFIX)
        if taken.exists():
            raise InputError.one(str(taken), "$", "already exists: the folder was not changed")
    for path in streams:
        if in_use(path):
            raise InputError.one(
                str(path), "$", "a session is being coded into it: end it, then protect the folder"
            )
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
    for path in streams:
        data = jsonio.read_bytes(path, max_bytes=1 << 31)
        if is_sealed(data) or is_age(data):
            continue
        # Replaced atomically (a crash leaves it plain or sealed, never torn); its old
        # blocks are freed, not overwritten: there is no atomic way to do both.
        jsonio.replace(path, _sealed(data, recipients, str(path)))
        written.append(path)
    jsonio.fsync_dir(folder)
    return written


def _sealed(data: bytes, recipients: list[Any], name: str) -> bytes:
    """A plain line-by-line file as the sealed stream it would have been written as:
    one record a line (a torn last line too, which its reader leaves out as before)."""
    sealer = Sealer(recipients, name)
    return sealer.header + b"".join(sealer.seal(line) for line in data.splitlines(keepends=True))


def in_use(path: Path) -> bool:
    """Whether a running ``observer code`` (or consensus) holds this file's lock."""
    from observer import durable

    return durable.held(path)


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


def sealer_for(folder: Path, name: str, passphrase: str | None = None) -> Sealer | None:
    """A Sealer to the recipients of ``folder`` (None when it is not encrypted)."""
    recipients = folder_recipients(folder)
    if recipients is None:
        return None
    return Sealer(recipients, name, passphrase if passphrase is not None else given_passphrase())
