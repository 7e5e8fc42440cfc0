"""The secret every request to ``observer serve`` must carry.

A fresh random token per start (printed in the URL), or one kept in a file
(``--token-file``: read if it exists, else created with a new token, mode 0600)
so that a bookmarked address survives a restart.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from pathlib import Path

from observer.durable import fsync
from observer.errors import InputError

MIN_LENGTH = 32
"""Characters of a token at least (``token_urlsafe(32)`` gives 43: 256 random bits)."""
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def matches(given: str | None, token: str) -> bool:
    """Whether ``given`` is the token (in constant time)."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def token_from_file(path: Path) -> str:
    """The token kept in ``path``; a new one is written there (0600) if it does not exist.

    Refused (InputError): a file others may read, or a token too short or with
    characters that cannot stand in a URL unescaped."""
    name = str(path)
    if not path.exists():
        token = new_token()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, f"{token}\n".encode())
            fsync(fd)
        finally:
            os.close(fd)
        return token
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError.one(name, "$", "others can read this token file: chmod 600 it")
    try:
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError.one(name, "$", f"cannot read the token: {error}") from None
    if len(token) < MIN_LENGTH or not set(token) <= ALPHABET:
        raise InputError.one(
            name,
            "$",
            f"the token must be at least {MIN_LENGTH} characters of A-Z a-z 0-9 - _"
            " (delete the file and a new one is made)",
        )
    return token
