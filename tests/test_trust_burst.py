"""Keys typed while an input is being set up reach it, in order: a fast ctrl+n note.

A terminal hands a burst of keys to the app in one read; every key of it is sent to
the widget focused at that moment, before ctrl+n (the first of them) has moved the
focus to the note field. Posting the burst at once, as the driver does, reproduces it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp
from observer.tui.coding.screen import CodingScreen

BOOK = load_codebook("cpp-attachment")


def test_a_note_typed_in_one_burst_after_ctrl_n_keeps_every_character(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[str], int]:
        app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
        async with app.run_test(size=(100, 32)) as pilot:
            for _ in range(200):
                if app.recorder is not None:
                    break
                await asyncio.sleep(0.025)
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            await pilot.press("space", "t")
            target = app.focused
            assert target is not None
            burst = [events.Key("ctrl+n", None)]
            burst += [events.Key(c, c) for c in "hello world"]
            burst += [events.Key("backspace", None), events.Key("D", "D")]
            for key in burst:
                target.post_message(key)
            for _ in range(5):
                await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            return [n.text for n in screen.recorder.notes], len(screen.recorder.events)

    notes, events_count = asyncio.run(scenario())
    assert notes == ["hello worlD"]
    assert events_count == 1  # no key of the note was coded


def test_a_backspace_in_a_burst_typed_into_the_open_note_edits_in_order(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
        async with app.run_test(size=(100, 32)) as pilot:
            for _ in range(200):
                if app.recorder is not None:
                    break
                await asyncio.sleep(0.025)
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            await pilot.press("space", "ctrl+n")
            for char in "ab\x7fc":
                app.post_message(events.Key("backspace" if char == "\x7f" else char, char))
            for _ in range(5):
                await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            return [n.text for n in screen.recorder.notes]

    assert asyncio.run(scenario()) == ["ac"]


def test_keys_typed_after_a_notes_enter_in_one_burst_are_coded(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
        async with app.run_test(size=(100, 32)) as pilot:
            for _ in range(200):
                if app.recorder is not None:
                    break
                await asyncio.sleep(0.025)
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            await pilot.press("space", "ctrl+n")
            for char in "hi\ro":
                app.post_message(events.Key("enter" if char == "\r" else char, char))
            for _ in range(5):
                await pilot.pause()
            rec = screen.recorder
            return [n.text for n in rec.notes], [e.code for e in rec.events]

    assert asyncio.run(scenario()) == (["hi"], ["ch-bids"])
