"""age keys: making an X25519 identity, reading identity and recipients files.

An identity file holds ``AGE-SECRET-KEY-1…`` lines (``age-keygen`` also writes
``#`` comments); it must be readable by its owner only, else it is refused. A
recipients file holds one ``age1…`` recipient a line, ``#`` comments and blank lines
allowed; one others can read is used with a warning (it is public, but a file
others can write could add a recipient).
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from observer import jsonio
from observer.crypto import age_library
from observer.errors import InputError


def _lines(data: bytes, name: str) -> list[tuple[int, str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError.one(name, "$", "not UTF-8 text (not an age key file)") from None
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def new_identity(identity: Path, recipient: Path | None) -> str:
    """Write a new X25519 identity to ``identity`` (0600, never overwriting) and, with
    ``recipient``, its recipient line there; return the recipient. InputError if a
    file exists or cannot be written (nothing is left half made)."""
    pyrage = age_library(str(identity))
    for path in (identity, recipient):
        if path is not None and (path.exists() or path.is_symlink()):
            raise InputError.one(str(path), "$", "already exists: never overwritten")
    key = pyrage.x25519.Identity.generate()
    public = str(key.to_public())
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    secret = f"# created: {created}\n# public key: {public}\n{key}\n".encode()
    try:
        jsonio.write_new(identity, secret)
    except FileExistsError:
        raise InputError.one(str(identity), "$", "already exists: never overwritten") from None
    except OSError as exc:
        raise InputError.one(str(identity), "$", f"cannot be written ({exc.strerror})") from None
    if recipient is not None:
        try:
            jsonio.write_new(recipient, f"{public}\n".encode(), mode=0o644)
        except (FileExistsError, OSError) as exc:
            identity.unlink(missing_ok=True)
            reason = "already exists" if isinstance(exc, FileExistsError) else exc.strerror
            raise InputError.one(str(recipient), "$", f"cannot be written ({reason})") from None
    return public


def load_identities(path: Path) -> list[Any]:
    """The age identities in the file ``path``; InputError if others can read it, it
    cannot be read, or a line is not an X25519 identity."""
    name = str(path)
    pyrage = age_library(name)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = 0
    if mode and stat.S_IMODE(mode) & 0o077:
        raise InputError.one(
            name,
            "$",
            f"the identity file can be read by others (mode {stat.S_IMODE(mode):04o}):"
            f" refused; chmod 600 {name}",
        )
    data = jsonio.read_bytes(path, max_bytes=1 << 20)
    kind = pyrage.x25519.Identity, pyrage.IdentityError
    return _parse(data, name, kind, "age identity (AGE-SECRET-KEY-1...)")


def _parse(data: bytes, name: str, kind: tuple[Any, type[Exception]], what: str) -> list[Any]:
    """Every key line of ``data`` parsed by ``kind`` (its class, its parse error);
    InputError naming the line of one that is not ``what``, or when there is none."""
    parse, error = kind
    found = []
    for number, line in _lines(data, name):
        try:
            found.append(parse.from_str(line))
        except error:
            raise InputError.one(name, f"line {number}", f"not an {what}") from None
    if not found:
        raise InputError.one(name, "$", f"holds no {what}")
    return found


def load_recipients(path: Path, warn: list[str] | None = None) -> list[Any]:
    """The age recipients in the recipients file ``path``; InputError naming the line
    of one that is not a recipient, or when there is none. ``warn`` receives a line
    when others can write the file."""
    name = str(path)
    pyrage = age_library(name)
    data = jsonio.read_bytes(path, max_bytes=1 << 20)
    if warn is not None:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            warn.append(
                f"{name}: warning: the recipients file can be read or changed by others"
                f" (mode {mode:04o}); chmod 600 {name}"
            )
    kind = pyrage.x25519.Recipient, pyrage.RecipientError
    return _parse(data, name, kind, "age recipient (age1...)")
