"""Bringing other tools' data in: BORIS projects (``observer import-boris``)."""

from __future__ import annotations

import re
import unicodedata

_NOT_ID = re.compile(r"[^a-z0-9._-]+")
_NOT_SESSION_ID = re.compile(r"[^A-Za-z0-9._-]+")


def _ascii(text: str) -> str:
    """Accents dropped (é → e), anything else outside ASCII removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def unique_id(text: str, taken: set[str], fallback: str, *, session: bool = False) -> str:
    """``text`` as an id (the codebook id pattern ``[a-z0-9][a-z0-9._-]*``, or the session-id pattern,
    which keeps case), not yet in ``taken``: ``-2``, ``-3``... are added on a clash.

    ``taken`` holds lower-cased ids and receives the new one, so that ids that
    differ only in case never name two files on a case-insensitive disk.
    """
    plain = _ascii(text)
    base = _NOT_SESSION_ID.sub("-", plain) if session else _NOT_ID.sub("-", plain.lower())
    base = re.sub(r"-{2,}", "-", base).strip("-._") or fallback
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate.lower())
    return candidate
