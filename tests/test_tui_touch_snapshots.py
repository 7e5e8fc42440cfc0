"""Snapshot tests of the touch layout (``observer code --touch``) at 80×24 and at the
sizes a tablet's browser page gives the terminal at 16 px (landscape 106×40, portrait
80×53): the grid of large targets, running states highlighted in place (colour and
``●``), the clock and ``saved N`` in sight, a modifier's values as large targets.

Deterministic as tests/test_tui_coding_snapshots.py is (frozen display clock, chosen key
times, the journal's acknowledgements awaited). Look at the SVGs after an update.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_tui_coding_snapshots import BOOK, T0, code_some
from textual.pilot import Pilot

from observer.tui.coding.app import CodingApp
from observer.tui.coding.screen import CodingScreen

SIZES = [(80, 24), (106, 40), (80, 53)]
IDS = ["80x24", "tablet-landscape-106x40", "tablet-portrait-80x53"]


def touch_app(tmp_path: Path) -> CodingApp:
    return CodingApp(
        tmp_path, book=BOOK, dyad="D012", observer="obs1", now=lambda: T0 + 75.34, touch=True
    )


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_touch_layout(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(touch_app(tmp_path), terminal_size=size, run_before=code_some)


async def code_then_choose(pilot: Pilot[Any]) -> None:
    """Coded as above, then a point with a modifier: its values as large targets."""
    await code_some(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CodingScreen)
    screen.press("e", T0 + 74.0, "e")
    await pilot.pause()


def test_touch_layout_modifier_choice(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(touch_app(tmp_path), terminal_size=(106, 40), run_before=code_then_choose)
