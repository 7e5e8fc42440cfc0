"""Interchange files written from session files: CSV/TSV, SDIS for GSEQ, ELAN EAF.

Each writer takes loaded :class:`~observer.sessionfile.Session` objects and
returns the file's bytes; the command line decides where they go. Nothing here
touches the disk.
"""

from __future__ import annotations


def seconds(t: float) -> str:
    """A time in seconds as plain decimal text: at least 3 decimals, at most 6.

    Session times are stored to the microsecond, so 6 decimals lose nothing;
    trailing zeros past the third are dropped (``12.5`` → ``"12.500"``,
    ``1.234567`` → ``"1.234567"``). Never scientific notation.
    """
    text = f"{t:.6f}"
    return text[:-3] + text[-3:].rstrip("0")


def modifier_text(modifiers: dict[str, str], order: tuple[str, ...]) -> str:
    """``name=value;name=value`` in the code's modifier order (then any others, sorted)."""
    if not modifiers:
        return ""
    names = [m for m in order if m in modifiers]
    if len(names) < len(modifiers):
        names += sorted(m for m in modifiers if m not in order)
    return ";".join([f"{m}={modifiers[m]}" for m in names])
