"""Snapshot tests of the coding screen at 80×24 and 120×40 (SVGs in __snapshots__/).

Deterministic: the display clock is frozen (``now``), key times are chosen, the
journal's acknowledgements are awaited before the picture, animations are off (conftest)
and no input cursor is visible. Update with ``pytest --snapshot-update`` after
a deliberate change, and look at the new SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.pilot import acknowledged, attached, until
from textual.pilot import Pilot
from textual.widgets import Static

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp
from observer.tui.coding.screen import CodingScreen

T0 = 5000.0
BOOK = load_codebook("cpp-attachment")

# (key, seconds after the first space): a running caregiver state, a switched child
# state, point codes with and without a modifier, a segment, an undo, a refused key.
KEYS = (
    ("space", 0.0),
    ("s", 1.2),
    ("k", 2.0),
    ("w", 14.5),
    ("3", 14.9),
    ("o", 20.1),
    ("f2", 30.0),
    ("j", 41.7),
    ("u", 50.3),
    ("ctrl+z", 51.0),
    ("y", 62.4),
    ("2", 62.8),
    ("9", 70.0),
)


def coding_app(tmp_path: Path) -> CodingApp:
    return CodingApp(tmp_path, book=BOOK, dyad="D012", observer="obs1", now=lambda: T0 + 75.34)


async def code_some(pilot: Pilot[Any]) -> None:
    screen = await attached(pilot)
    for key, at in KEYS:
        screen.press(key, T0 + at, key if len(key) == 1 else (" " if key == "space" else None))
    await acknowledged(pilot)
    screen.tick()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_coding_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(coding_app(tmp_path), terminal_size=size, run_before=code_some)


def then_press(key: str, at: float, character: str) -> Any:
    """A ``run_before``: :func:`code_some`, then ``key`` ``at`` seconds after the first space."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await code_some(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CodingScreen)
        screen.press(key, T0 + at, character)
        await acknowledged(pilot)
        screen.tick()
        await pilot.pause()

    return run_before


def test_coding_screen_modifier_bar(snap_compare: Any, tmp_path: Path) -> None:
    """A code with a modifier was just pressed: the prompt line offers its values."""

    app = coding_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=then_press("e", 74.0, "e"))


def test_coding_screen_waiting(snap_compare: Any, tmp_path: Path) -> None:
    """Before the first space: the state says so, the clock stands at zero."""
    assert snap_compare(coding_app(tmp_path), terminal_size=(80, 24), run_before=attached)


async def every_code_then_end(pilot: Pilot[Any]) -> None:
    """Every code once, then end: the summary is taller than 80x24."""
    from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary

    app = pilot.app
    screen = await attached(pilot)
    screen.press("space", T0, " ")
    t = T0 + 1
    for code in BOOK.codes:
        screen.press(code.key, t, code.key)
        if screen.recorder.pending is not None:
            screen.press("escape", t + 0.5)
        t += 1
    screen.press("ctrl+e", t)
    await until(pilot, lambda: isinstance(app.screen, ConfirmEnd), "the confirmation")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, RatingsForm), "the ratings form")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
    app.screen.query_one("#summary-title", Static).update("Session saved · FOLDER/SESSION.json")
    await pilot.pause(0.1)


def test_summary_at_80x24_says_it_scrolls(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(
        coding_app(tmp_path), terminal_size=(80, 24), run_before=every_code_then_end
    )


def test_paused_past_the_segments_plan_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    """Paused in Warm-up at 3:40 of its 3:00 with a long observer id: the segment's time
    is marked OVER, the other parts give way, ``saved N`` is whole."""
    app = CodingApp(
        tmp_path, book=BOOK, dyad="D012", observer="nc3-second-coder", now=lambda: T0 + 250.0
    )

    assert snap_compare(app, terminal_size=(80, 24), run_before=then_press("space", 249.0, " "))
