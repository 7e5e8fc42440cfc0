"""Keys typed while an input is being set up reach it, in order: a fast ctrl+n note.

A terminal hands a burst of keys to the app in one read; every key of it is sent to
the widget focused at that moment, before ctrl+n (the first of them) has moved the
focus to the note field. Posting the burst at once, as the driver does, reproduces it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
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


@pytest.mark.parametrize(
    ("typed", "then", "notes", "codes"),
    [
        ("ab\x7fc", ("enter",), ["ac"], []),  # the backspace edits the note, in order
        ("hi\ro", (), ["hi"], ["ch-bids"]),  # the keys after the note's enter are coded
    ],
    ids=["a-backspace-edits-in-order", "keys-after-the-notes-enter-are-coded"],
)
async def test_a_burst_typed_into_the_open_note_is_taken_in_order(
    tmp_path: Path, coding: Coding, typed: str, then: tuple[str, ...], notes: list[str],
    codes: list[str],
) -> None:  # fmt: skip
    names = {"\x7f": "backspace", "\r": "enter"}
    async with coding(app_in(tmp_path), size=(100, 32)) as c:
        await c.pilot.press("space", "ctrl+n")
        for char in typed:
            c.app.post_message(events.Key(names.get(char, char), char))
        await settle(c)
        if then:
            await c.pilot.press(*then)
            await c.pilot.pause()
        rec = c.screen.recorder
        assert ([n.text for n in rec.notes], [e.code for e in rec.events]) == (notes, codes)
