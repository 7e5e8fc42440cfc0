"""Ids that become file names must be file names on every system.

A session id is a file name (``<id>.json``), and so is a codebook's id where it is
written beside imported sessions. Besides ``[A-Za-z0-9._-]`` (checked where each id is
defined), Windows refuses two more kinds of name, so they are refused everywhere:

- the names it reserves for devices, whatever the case and whatever follows a dot
  (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM0``-``COM9``, ``LPT0``-``LPT9``, and the
  superscript ``COM¹`` ...): ``nul.json`` is the null device there, not a file;
- a name ending in a dot or a space, which Windows silently drops (so ``D1.`` and
  ``D1`` would be one file).

macOS and Windows also fold case: two ids that differ only in case name one file there,
so new ids are made unique ignoring case (``observer.live.ids``), and a file is never
written over one whose name differs only in case (files are only ever created new).
"""

from __future__ import annotations

import re

RESERVED = re.compile(r"(?i:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?")


def portable_problem(name: str) -> str | None:
    """Why ``name`` cannot be a file name on every system, or None if it can."""
    if RESERVED.fullmatch(name):
        return f"{name!r} is a device name on Windows (CON, PRN, AUX, NUL, COM1, LPT1...)"
    if name.endswith((".", " ")):
        return f"{name!r} ends with a dot or a space, which Windows drops from file names"
    return None
