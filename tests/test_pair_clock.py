"""Paired coding's clock when both coders press space at once: the partner's toggle
reaches this clock first, and this coder's own space, stamped before that toggle
reached the screen (pressed without having seen it), is the same moment's press:
refused, so the clock toggles once on both sides (it used to start and then pause at
once, and the pause went on to the partner)."""

from __future__ import annotations

from pathlib import Path

from support.minibook import book
from support.pilot import Coding

from observer.tui.coding.app import CodingApp

T0 = 1000.0


def app_for(tmp_path: Path) -> CodingApp:
    return CodingApp(tmp_path, book=book(), dyad="D7", observer="ref", now=lambda: T0 + 5)


def partner(app: CodingApp, state: str, at: float, seen: float) -> None:
    """The partner's toggle at ``at``, reaching this screen at ``seen``."""
    message = {"t": "clock", "state": state, "mono": T0 + at, "wall": None}
    app._partner_toggle(message, T0 + seen)


async def test_two_spaces_at_once_start_the_clock_once(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, _, screen):
        partner(app, "running", 0.0, 0.006)
        screen.press("space", T0 + 0.004, " ")  # ours, 4 ms later, handled after
        rec = screen.recorder
        assert rec.clock.state == "running" and not rec.clock.pauses
        assert rec.clock.session_time(T0 + 1.0) == 1.0  # time 0 is the partner's instant
        partner(app, "paused", 2.0, 2.003)  # both pause at once, ours 1 ms after
        screen.press("space", T0 + 2.001, " ")
        assert rec.clock.state == "paused"
        assert rec.clock.session_time(T0 + 3.0) == 2.0  # paused once, at the partner's instant
        assert screen.refused == 2


async def test_a_space_after_the_window_toggles_as_usual(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, _, screen):
        partner(app, "running", 0.0, 0.002)
        screen.press("space", T0 + 0.003, " ")  # pressed once it was seen: a pause
        assert screen.recorder.clock.state == "paused"
        screen.press("space", T0 + 1.0, " ")
        partner(app, "running", 1.002, 1.004)  # the partner's resume at once: already running
        assert screen.recorder.clock.state == "running"
