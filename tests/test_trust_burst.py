"""Keys typed while an input is being set up reach it, in order: a fast ctrl+n note.

A terminal hands a burst of keys to the app in one read; every key of it is sent to
the widget focused at that moment, before ctrl+n (the first of them) has moved the
focus to the note field. Posting the burst at once, as the driver does, reproduces it.
"""

from __future__ import annotations

from pathlib import Path

from support.pilot import Attached, Coding
from textual import events

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp

BOOK = load_codebook("cpp-attachment")


def app_in(folder: Path) -> CodingApp:
    return CodingApp(folder, book=BOOK, dyad="D1", observer="o1", journals=[])


async def settle(c: Attached) -> None:
    for _ in range(5):
        await c.pilot.pause()


async def test_a_note_typed_in_one_burst_after_ctrl_n_keeps_every_character(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(app_in(tmp_path), size=(100, 32)) as c:
        await c.pilot.press("space", "t")
        target = c.app.focused
        assert target is not None
        burst = [events.Key("ctrl+n", None)]
        burst += [events.Key(ch, ch) for ch in "hello world"]
        burst += [events.Key("backspace", None), events.Key("D", "D")]
        for key in burst:
            target.post_message(key)
        await settle(c)
        await c.pilot.press("enter")
        await c.pilot.pause()
        rec = c.screen.recorder
        assert [n.text for n in rec.notes] == ["hello worlD"]
        assert len(rec.events) == 1  # no key of the note was coded


async def test_a_backspace_in_a_burst_typed_into_the_open_note_edits_in_order(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(app_in(tmp_path), size=(100, 32)) as c:
        await c.pilot.press("space", "ctrl+n")
        for char in "ab\x7fc":
            c.app.post_message(events.Key("backspace" if char == "\x7f" else char, char))
        await settle(c)
        await c.pilot.press("enter")
        await c.pilot.pause()
        assert [n.text for n in c.screen.recorder.notes] == ["ac"]


async def test_keys_typed_after_a_notes_enter_in_one_burst_are_coded(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(app_in(tmp_path), size=(100, 32)) as c:
        await c.pilot.press("space", "ctrl+n")
        for char in "hi\ro":
            c.app.post_message(events.Key("enter" if char == "\r" else char, char))
        await settle(c)
        rec = c.screen.recorder
        assert ([n.text for n in rec.notes], [e.code for e in rec.events]) == (["hi"], ["ch-bids"])
