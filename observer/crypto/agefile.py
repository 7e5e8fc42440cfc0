"""Whole files in the age format, and the identities a reader was given.

``encrypt`` makes a standard age file (``age -d -i KEY FILE`` gives the plaintext);
``decrypt`` opens one with the identities given by ``--identity FILE`` (or
``$OBSERVER_IDENTITY``), which the command line hands to :func:`use_identities`
once; :func:`plaintext` is what every reader of a session file calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from observer.crypto import age_library, is_age
from observer.crypto.keys import load_identities
from observer.errors import InputError

_identities: list[Any] = []
_identity_files: list[Path] = []
_passphrase: list[str] = []
UNWRAPPED: dict[tuple[bytes, str], bytes] = {}
"""Keys already unwrapped with a passphrase in this process, by (wrapped key,
passphrase) (``observer.crypto.stream``): scrypt is slow on purpose (about a second),
and ``observer recover`` opens a journal's header to check the passphrase, then the
journal, then its key log. Forgotten with the passphrase."""


def use_passphrase(passphrase: str | None) -> None:
    """The coder's passphrase (asked on the coding form or at ``observer recover``'s
    prompt, never on the command line) for the rest of this process: journals and key
    logs written are also wrapped to it, and sealed files are opened with it when no
    identity was given. None forgets it (and every key it unwrapped)."""
    _passphrase[:] = [] if passphrase is None else [passphrase]
    UNWRAPPED.clear()


def passphrase() -> str | None:
    return _passphrase[0] if _passphrase else None


def use_identities(paths: list[Path]) -> None:
    """Read the identity files ``paths`` (InputError if one is bad) and keep their
    identities for every file opened later in this process."""
    found = [identity for path in paths for identity in load_identities(path)]
    _identities[:] = found
    _identity_files[:] = paths


def identities_given() -> bool:
    return bool(_identities)


def identities() -> list[Any]:
    """The identities given to this process (``--identity``)."""
    return list(_identities)


def encrypt(data: bytes, recipients: list[Any], name: str) -> bytes:
    """``data`` as an age file to ``recipients``."""
    pyrage = age_library(name)
    result: bytes = pyrage.encrypt(data, recipients)
    return result


def decrypt(data: bytes, identities: list[Any], name: str) -> bytes:
    """The plaintext of the age file ``data``; InputError naming ``name`` when no
    identity opens it or the file is cut or altered."""
    pyrage = age_library(name)
    try:
        result: bytes = pyrage.decrypt(data, identities)
    except pyrage.DecryptError as exc:
        reason = str(exc)
        if "No matching keys" in reason or "no identity" in reason.lower():
            message = "none of the identities given opens this file (wrong --identity)"
        else:
            message = "the encrypted file is cut short or was altered: refused"
        raise InputError.one(name, "$", message) from None
    return result


def plaintext(data: bytes, name: str) -> bytes:
    """``data`` itself, or, when it is an age file, its plaintext decrypted with the
    identities given (InputError saying what is needed when none was)."""
    if not is_age(data):
        return data
    if not _identities:
        raise InputError.one(
            name, "$", "is encrypted: give --identity FILE (or set $OBSERVER_IDENTITY) to read it"
        )
    return decrypt(data, _identities, name)
