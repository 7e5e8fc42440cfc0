"""Text from files, made harmless for a terminal: the one function every human-facing
output uses.

A codebook, session or BORIS file is data. Its text may hold control characters
(ESC starting an escape sequence: OSC 52 writes the clipboard, OSC 0 the window
title, ``ESC[2J`` clears the screen; a carriage return overwrites a line; a newline
pushes a status line away). :func:`safe` turns each one into a visible escape
(``\\x1b``, ``\\r``, ``\\n``), so it is shown, never obeyed. ``lines=True`` keeps
newlines and tabs (a whole table or report whose lines observer made). Invisible
bidirectional overrides, which make text read other than it is, are escaped too
(``\\u202e``).

:func:`has_control` is the test at the door: ids and labels typed by people
(flags, forms) are refused when it holds.

Machine-readable output (CSV, TSV, JSON) written to a file or a pipe stays byte
exact; ``for_terminal`` escapes it only when it goes to a terminal.
"""

from __future__ import annotations

from typing import IO

_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_CONTROLS = (*range(0x00, 0x20), *range(0x7F, 0xA0))
_TABLE = {c: _NAMED.get(c, f"\\x{c:02x}") for c in _CONTROLS} | {c: f"\\u{c:04x}" for c in _BIDI}
_LINES_TABLE = {c: v for c, v in _TABLE.items() if c not in (0x09, 0x0A)}
_UNSAFE = frozenset(chr(c) for c in _TABLE)


def safe(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character (and bidi override) as a visible escape;
    ``lines``: newlines and tabs are kept."""
    return text.translate(_LINES_TABLE if lines else _TABLE)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character :func:`safe` would escape (a newline too)."""
    return not _UNSAFE.isdisjoint(text)


def control_problem(text: str) -> str | None:
    """The refusal for a typed id or label holding control characters, else None."""
    if has_control(text):
        return f"must not contain control characters (got {safe(text)!r})"
    return None


def for_terminal(data: bytes, stream: IO[str]) -> bytes:
    """Bytes of a machine-readable output, escaped only when ``stream`` is a terminal."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        return data
    return safe(data.decode("utf-8", "replace").replace("\r\n", "\n"), lines=True).encode()
