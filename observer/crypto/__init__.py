"""Confidentiality at rest: age keys and files, encrypted session folders.

Every use of a cryptographic library of observer is in this package, and only here
are they imported: ``pyrage`` (the age file format, c2sp.org/age) and PyNaCl
(libsodium's secretstream, for files written record by record). Both come with the
optional extra ``observer[crypto]``; without it, coding unencrypted works as before
and anything that needs encryption is refused in one line (:func:`age_library`).
"""

from __future__ import annotations

from types import ModuleType

from observer.errors import InputError

AGE_SUFFIX = ".age"
AGE_MAGIC = b"age-encryption.org/v1\n"
"""The first line of every age file (binary format)."""
MISSING = "needs the optional encryption libraries: pip install 'observer[crypto]'"


def age_library(name: str) -> ModuleType:
    """The ``pyrage`` module, or an InputError naming ``name`` (the file or option
    that needs it) when the ``crypto`` extra is not installed."""
    try:
        import pyrage
    except ImportError:
        raise InputError.one(name, "$", f"encryption {MISSING}") from None
    module: ModuleType = pyrage
    return module


def is_age(data: bytes) -> bool:
    """Whether ``data`` is an age file (by its first line)."""
    return data.startswith(AGE_MAGIC)
