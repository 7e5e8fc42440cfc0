"""The coding screen's one key table (``observer.tui.coding.keys``) and what is derived
from it: handlers, the hints line, the palette and the help page; what the palette,
help and ctrl+c do while coding."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from support.pilot import Coding, until
from textual.command import CommandInput, CommandPalette
from textual.widgets import OptionList, Static

from observer.codebook import load_codebook
from observer.tui.coding.app import PALETTE_PAUSED, CodingApp
from observer.tui.coding.help import HelpScreen
from observer.tui.coding.keys import HANDLERS, KEYS, help_rows, hints, key_names, palette
from observer.tui.coding.screen import CodingScreen
from observer.tui.coding.video import VideoControl

BOOK = load_codebook("cpp-attachment")
T0 = 1000.0


def names() -> Any:
    return key_names(CodingApp(Path("."), book=BOOK).get_key_display)


def test_every_key_names_a_method_taking_its_arguments_and_the_key_time() -> None:
    """A screen key names a screen method; a video key one of VideoControl's, which
    reports what it did through a Report (no key names travel to it)."""
    for key in KEYS:
        name, arguments = key.call
        method = getattr(VideoControl if key.video else CodingScreen, name)
        parameters = list(inspect.signature(method).parameters)
        shown = parameters[1 : 1 + len(arguments)]
        expected = ["self", *shown, "mono", "report"] if key.video else ["self", *shown, "mono"]
        assert parameters == expected, key
    assert set(HANDLERS) == {name for key in KEYS for name in key.names}
    video = {k.call[0] for k in KEYS if k.video}
    assert video == {"seek", "frame", "speed", "go_to", "reopen"}


def test_hints_palette_and_help_come_from_the_table() -> None:
    name = names()
    assert list(hints(name)) == [
        ("space", "clock"),
        ("^z", "undo"),
        ("^y", "redo"),
        ("^n", "note"),
        ("F2 ^g", "segment"),
        ("^e", "end"),
        ("^q", "quit"),
        ("F1", "help"),
    ]
    titles = [title for title, _, _ in palette(name)]
    assert titles == [k.title for k in KEYS if k.title and not k.video]
    assert "Add a sync mark" in titles  # a sync mark works in live coding too
    shown = dict(help_rows(name))
    assert "^g, then a key" in shown and "^p" in shown and "esc" in shown and "^c" in shown
    assert "^t" not in shown and "^k" in shown


def test_with_a_video_the_table_adds_the_video_keys_and_the_video_hints() -> None:
    name = names()
    assert list(hints(name, video=True)) == [
        ("space", "play"),
        ("←→", "1s"),
        ("⇧←→", "5s"),
        ("F5 F6", "frame"),
        ("F7 F8", "speed"),
        ("^t", "go to"),
        ("^k", "sync"),
        ("F1", "help"),
    ]
    titles = [title for title, _, _ in palette(name, video=True)]
    assert titles == [k.title for k in KEYS if k.title]
    assert "Video: go to a time" in titles and "Video: reopen the video" in titles
    shown = dict(help_rows(name, video=True))
    assert shown["F5"] == "one frame back (pauses)" and "^o" in shown and "shift+←" in shown


def keyed(tmp_path: Path) -> CodingApp:
    return CodingApp(tmp_path, book=BOOK, dyad="D012", observer="obs1", now=lambda: T0)


async def test_the_palette_holds_only_observers_commands_and_says_coding_is_paused(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(keyed(tmp_path)) as (app, pilot, screen):
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette_screen = app.screen
        assert palette_screen.query_one(CommandInput).placeholder == PALETTE_PAUSED
        options = palette_screen.query_one(OptionList)
        await until(
            pilot,
            lambda: options.option_count == len([k for k in KEYS if k.title and not k.video]),
        )
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert not any("Theme" in p or "Keys" in p or "Screenshot" in p for p in prompts)
        assert any("Undo the last action" in p for p in prompts)
        await pilot.press("o")  # searches: nothing is coded while the palette is open
        assert screen.recorder.events == []
        await pilot.press("escape", "escape")
        await until(pilot, lambda: app.screen is screen)


async def test_help_leaves_the_clock_and_status_in_sight_and_returns_its_key(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(keyed(tmp_path)) as (app, pilot, screen):
        screen.press("space", T0)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        page = app.screen.query_one("#help")
        status, clock = screen.query_one("#status"), screen.query_one("#clock")
        assert page.region.y >= clock.region.bottom > status.region.bottom
        await pilot.press("o")  # closes help and is coded at its own time
        await until(pilot, lambda: app.screen is screen)
        assert [e.code for e in screen.recorder.events] == ["ch-bids"]


async def test_ctrl_c_says_how_to_end_or_quit(tmp_path: Path, coding: Coding) -> None:
    async with coding(keyed(tmp_path)) as (app, pilot, screen):
        await pilot.press("ctrl+c")
        prompt = str(screen.query_one("#prompt", Static).render())
        assert "^c does not quit: ^e ends the session" in prompt and "^q quits" in prompt
        assert app.is_running


async def test_without_a_video_its_keys_are_refused_and_a_sync_mark_is_taken(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(keyed(tmp_path)) as (_app, pilot, screen):
        await pilot.press("space")
        for key in ("left", "shift+right", "f5", "f8", "ctrl+t", "ctrl+o"):
            refused = screen.refused
            await pilot.press(key)
            prompt = str(screen.query_one("#prompt", Static).render())
            assert screen.refused == refused + 1 and "no video" in prompt, key
        assert screen.recorder.clock.state == "running"
        await pilot.press("ctrl+k")
        assert "sync mark" in str(screen.query_one("#prompt", Static).render())
        assert [n.kind for n in screen.recorder.notes] == ["sync"]


async def test_undo_and_redo_name_codes_by_label(tmp_path: Path, coding: Coding) -> None:
    async with coding(keyed(tmp_path)) as (_app, _pilot, screen):
        screen.press("space", T0)
        screen.press("o", T0 + 1, "o")
        screen.press("ctrl+z", T0 + 2)
        prompt = str(screen.query_one("#prompt", Static).render())
        assert "undone: Bids for attention" in prompt
        screen.press("ctrl+y", T0 + 3)
        assert "redone: Bids for attention" in str(screen.query_one("#prompt", Static).render())
