"""Clicks and taps on the coding screen: every code, the screen's own keys, the
modifier and segment choices and the end dialog are targets that do what their keys do.

Pilot clicks go through Textual's mouse events as a terminal's do (the terminal driver
stamps them: tests/test_e2e_coding.py drives SGR mouse reports through tmux)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pilot import Coding, comparable, tap, target_at, until
from textual import events

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary

BOOK = load_codebook("cpp-attachment")
T0 = 1000.0
SESSION = ("space", "s", "w", "2", "k", "o", "s", "f2", "ctrl+z", "ctrl+y", "j", "space")
"""A short session: clock, states, a point with its modifier, undo and redo, a segment,
a switch in an exclusive group, a pause; every step a key (or its target)."""
CHAR = {"space": " "}


async def code(folder: Path, coding: Coding, *, by_click: bool, touch: bool = False) -> Path:
    app = CodingApp(folder, book=BOOK, dyad="D012", observer="obs1", touch=touch)
    async with coding(app, size=(100, 40)) as (app, pilot, _):
        for key in SESSION:
            if by_click:
                await tap(pilot, key)
            else:
                await pilot.press(key)
            await pilot.pause()
        if by_click:
            await tap(pilot, "ctrl+e")
        else:
            await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEnd), "the end dialog")
        if by_click:
            await tap(pilot, "enter")
        else:
            await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm), "the ratings form")
        if by_click:  # the form's "ctrl+s saves" is a target too
            await tap(pilot, "ctrl+s")
        else:
            await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
        path = app.result.path
        assert isinstance(path, Path)
        return path


@pytest.mark.parametrize("touch", [False, True], ids=["legend", "touch-layout"])
async def test_clicks_on_the_targets_give_the_same_file_as_the_keys(
    tmp_path: Path, coding: Coding, touch: bool
) -> None:
    by_keys = await code(tmp_path / "keys", coding, by_click=False)
    by_clicks = await code(tmp_path / "clicks", coding, by_click=True, touch=touch)
    keys, clicks = comparable(by_keys), comparable(by_clicks)
    assert keys["events"], "the session coded something"
    assert clicks == keys


def mouse(kind: type[events.MouseEvent], at: tuple[int, int], time: float) -> events.MouseEvent:
    """A mouse report as the terminal driver delivers it: its read's stamp as ``time``."""
    x, y = at
    event = kind(None, x, y, 0, 0, 1, False, False, False, screen_x=x, screen_y=y)
    event.time = time
    return event


async def test_a_burst_of_taps_keeps_its_order_and_each_taps_own_time(
    tmp_path: Path, coding: Coding
) -> None:
    app = CodingApp(tmp_path, book=BOOK, dyad="D012", observer="obs1", touch=True)
    async with coding(app, size=(106, 40)) as (app, pilot, screen):
        screen.press("space", T0, " ")
        burst = ["w", "o", "e", "y", "t", "r", "u", "d"]  # points: each tap is an event
        where = {key: target_at(screen, key) for key in burst}
        for i, key in enumerate(burst):  # posted at once: the app takes them as they come
            at = T0 + 1 + i * 0.01
            app.post_message(mouse(events.MouseDown, where[key], at))
            app.post_message(mouse(events.MouseUp, where[key], at + 0.005))
        await until(pilot, lambda: len(screen.recorder.events) == len(burst), "every tap coded")
        events_ = screen.recorder.events
        assert [BOOK.code_by_id[e.code].key for e in events_] == burst
        assert [round(e.start, 3) for e in events_] == [round(1 + i * 0.01, 3) for i in range(8)]


async def test_a_tap_held_down_is_one_press_and_a_quick_second_tap_on_a_state_a_repeat(
    tmp_path: Path, coding: Coding
) -> None:
    app = CodingApp(tmp_path, book=BOOK, dyad="D012", observer="obs1", touch=True)
    async with coding(app, size=(106, 40)) as (app, pilot, screen):
        screen.press("space", T0, " ")
        s = target_at(screen, "s")
        app.post_message(mouse(events.MouseDown, s, T0 + 1.0))
        for i in range(20):  # the finger rests on it for two seconds, moving a little
            app.post_message(mouse(events.MouseMove, (s[0] + i % 2, s[1]), T0 + 1 + i * 0.1))
        app.post_message(mouse(events.MouseUp, s, T0 + 3.0))
        await until(pilot, lambda: "cg-shares-play" in screen.recorder.running, "s started")
        await pilot.pause(0.1)
        assert len(screen.recorder.events) == 1 and "cg-shares-play" in screen.recorder.running
        # Two taps 0.1 s apart on a state: the second is taken as a repeat, as with keys.
        q = target_at(screen, "q")
        for at in (T0 + 5.0, T0 + 5.1):
            app.post_message(mouse(events.MouseDown, q, at))
            app.post_message(mouse(events.MouseUp, q, at + 0.02))
        await until(pilot, lambda: screen.refused == 1, "the quick second tap refused")
        assert "cg-watches" in screen.recorder.running


async def test_a_click_is_refused_as_its_key_is_and_a_note_asks_for_the_keyboard(
    tmp_path: Path, coding: Coding
) -> None:
    app = CodingApp(tmp_path, book=BOOK, dyad="D012", observer="obs1")
    async with coding(app, size=(100, 40)) as (app, pilot, screen):
        await tap(pilot, "s")  # before the first space: refused, as the key is
        await until(pilot, lambda: screen.refused == 1, "the click before the clock refused")
        assert not screen.recorder.events
        await tap(pilot, "space")
        await tap(pilot, "space")  # paused (0.15 s apart or not: space is no state)
        await until(pilot, lambda: screen.recorder.clock.state == "paused", "paused by clicks")
        await pilot.pause(0.2)
        await tap(pilot, "w")  # while paused: refused
        await until(pilot, lambda: screen.refused == 2, "the click while paused refused")
        assert not screen.recorder.events
        assert not app.text_wanted  # coding: no text field, no soft keyboard wanted
        await tap(pilot, "ctrl+n")
        await until(pilot, lambda: app.text_wanted, "the note's field wants the keyboard")
        await pilot.press(*"hi")
        await tap(pilot, "enter")  # the note's save, a target (a soft keyboard has no escape)
        await until(pilot, lambda: not app.text_wanted, "the note closed, the keyboard too")
        assert [n.text for n in screen.recorder.notes] == ["hi"]


async def test_the_recovery_offer_is_answered_by_taps(tmp_path: Path) -> None:
    from test_tui_coding_session import old_journal

    from observer.tui.coding.recover import RecoverOffer
    from observer.tui.coding.screen import CodingScreen

    old_journal(tmp_path, started=True)
    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", touch=True)
    async with app.run_test(size=(106, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RecoverOffer), "the offer")
        await pilot.pause()
        await tap(pilot, "enter")  # recover them
        await until(pilot, lambda: list(tmp_path.glob("*.json")), "the recovered session file")
        await until(pilot, lambda: "goes on" in str(app.screen.query_one("#recover-keys").render()))
        await tap(pilot, "enter")  # on to the new session
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "the coding screen")
