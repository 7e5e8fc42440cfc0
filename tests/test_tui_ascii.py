"""The ASCII fallback (``observer.tui.ascii``): when it is chosen, and what it draws."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pilot import Coding

from observer.codebook import load_codebook
from observer.tui.ascii import ascii_char, to_ascii, wants_ascii
from observer.tui.coding.app import CodingApp


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "en_GB.UTF-8", "TERM": "xterm-256color"}, False),
        ({"LANG": "C.UTF-8"}, False),
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, True),  # Python's own coercion of LANG=C
        ({"LANG": "C"}, True),
        ({}, True),
        ({"LANG": "de_DE.ISO-8859-1"}, True),
        ({"LC_ALL": "C", "LANG": "en_GB.UTF-8"}, True),
        ({"LC_ALL": "en_GB.utf8", "LANG": "C"}, False),
        ({"LANG": "C", "LC_CTYPE": "en_GB.UTF-8"}, False),
        ({"TERM": "linux", "LANG": "en_GB.UTF-8"}, True),
        ({"TERM": "linux", "OBSERVER_ASCII": "0"}, False),
        ({"LANG": "en_GB.UTF-8", "OBSERVER_ASCII": "1"}, True),
    ],
)
def test_ascii_is_chosen_where_the_terminal_cannot_show_unicode(
    environ: dict[str, str], expected: bool
) -> None:
    assert wants_ascii(environ) is expected


def test_every_character_becomes_ascii_of_the_same_width() -> None:
    assert to_ascii("╭─╮ │ ╰┴╯ ├┼┤") == "+-+ | +++ +++"
    assert to_ascii("● RUNNING ❚❚ ✓ ✗ ▶ • ■ … —") == "* RUNNING || + x > * # ~ -"
    assert to_ascii("Sébastien Ñ") == "Sebastien N"
    assert ascii_char("🔎") == "??" and ascii_char("█") == "#"


async def test_the_coding_screen_draws_ascii_only(tmp_path: Path, coding: Coding) -> None:
    book = load_codebook("cpp-attachment")
    app = CodingApp(tmp_path, book=book, dyad="D1", observer="o1", ascii_only=True)
    async with coding(app) as (_, pilot, screen):
        screen.press("space", 1.0)
        await pilot.pause(0.2)
        svg = app.export_screenshot()
    assert "RUNNING" in svg and "\u2500" not in svg and "\u25cf" not in svg
