"""ASCII output for terminals that cannot show Unicode: a Linux console (``TERM=linux``)
or a locale that is not UTF-8 (``LANG=C``). Every cell the app draws (text, borders,
the clock's digits, scroll bars) goes through :class:`AsciiFilter`, which keeps each
cell's width: box drawing becomes ``- | +``, symbols their nearest ASCII, accented
letters their base letter, anything else ``?``.

``OBSERVER_ASCII=1`` forces it, ``OBSERVER_ASCII=0`` turns it off.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

SYMBOLS = {
    "●": "*",
    "•": "*",
    "·": ".",
    "❚": "|",
    "✓": "+",
    "✗": "x",
    "▶": ">",
    "■": "#",
    "→": ">",
    "←": "<",
    "↑": "^",
    "↓": "v",
    "–": "-",
    "—": "-",
    "…": "~",
    "×": "x",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "≥": ">",
    "≤": "<",
    "Δ": "d",
    "▔": "-",
    "▁": "_",
    "\u00a0": " ",
}
_UTF8 = re.compile(r"utf-?8", re.IGNORECASE)


def wants_ascii(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the terminal described by ``environ`` needs ASCII output."""
    forced = environ.get("OBSERVER_ASCII")
    if forced in ("0", "1"):
        return forced == "1"
    if environ.get("TERM") == "linux":
        return True
    if environ.get("LC_ALL"):
        return not _UTF8.search(environ["LC_ALL"])
    lang = environ.get("LANG", "")
    ctype = environ.get("LC_CTYPE")
    if ctype and not (ctype == "C.UTF-8" and lang in ("", "C", "POSIX")):
        return not _UTF8.search(ctype)
    # No LC_CTYPE, or the C.UTF-8 Python itself sets under a C locale (PEP 538).
    return not _UTF8.search(lang)


@lru_cache(4096)
def ascii_char(char: str) -> str:
    """``char`` as ASCII of the same width (one or two cells; nothing for zero)."""
    if char.isascii():
        return char
    if char in SYMBOLS:
        return SYMBOLS[char]
    width = cell_len(char)
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        across = any(w in name for w in ("HORIZONTAL", "LEFT", "RIGHT"))
        down = any(w in name for w in ("VERTICAL", "UP", "DOWN"))
        return "+" if across and down else ("-" if across else "|")
    if name.endswith(("BLOCK", "SHADE")) or "EIGHTH" in name or "QUADRANT" in name:
        return "#" * max(1, width)
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base.isascii() and len(base) == width:
        return base
    return "?" * width


def to_ascii(text: str) -> str:
    return text if text.isascii() else "".join(map(ascii_char, text))


class AsciiFilter(LineFilter):
    """Replaces every non-ASCII character drawn, keeping the cells' widths."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            s if s.text.isascii() else Segment(to_ascii(s.text), s.style, s.control)
            for s in segments
        ]
