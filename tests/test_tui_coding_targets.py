"""Clicks and taps on the coding screen: every code, the screen's own keys, the
modifier and segment choices and the end dialog are targets that do what their keys do.

Pilot clicks go through Textual's mouse events as a terminal's do (the terminal driver
stamps them: tests/test_e2e_coding.py drives SGR mouse reports through tmux)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from support.pilot import Coding, tap, until

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary

BOOK = load_codebook("cpp-attachment")
SESSION = ("space", "s", "w", "2", "k", "o", "s", "f2", "ctrl+z", "ctrl+y", "j", "space")
"""A short session: clock, states, a point with its modifier, undo and redo, a segment,
a switch in an exclusive group, a pause; every step a key (or its target)."""
CHAR = {"space": " "}


def comparable(path: Path) -> Any:
    """A session file without what differs between two codings of the same keys: its
    id, its times, when it was written."""
    data = orjson.loads(path.read_bytes())

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in {"session", "id", "start", "end", "t", "at", "created", "duration"}
                and not k.endswith(("_at", "_s", "time"))
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(data)


async def code(folder: Path, coding: Coding, *, by_click: bool) -> Path:
    app = CodingApp(folder, book=BOOK, dyad="D012", observer="obs1")
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
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
        path = app.result.path
        assert isinstance(path, Path)
        return path


async def test_clicks_on_the_targets_give_the_same_file_as_the_keys(
    tmp_path: Path, coding: Coding
) -> None:
    by_keys = await code(tmp_path / "keys", coding, by_click=False)
    by_clicks = await code(tmp_path / "clicks", coding, by_click=True)
    keys, clicks = comparable(by_keys), comparable(by_clicks)
    assert keys["events"], "the session coded something"
    assert clicks == keys
