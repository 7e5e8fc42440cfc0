"""Keys that arrive in one burst reach the field they were typed for.

A terminal delivers fast typing (or a macro pad) as one read: the App forwards
every key of it to the focused widget before that widget has handled the first.
A plain `tab` binding runs only after the key has bubbled up from the focused
Input, so the digits after it landed in the previous field ("5", tab, "4" gave
"54"). The forms bind tab and shift+tab with priority, which moves the focus as
the App takes each key, in order.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events
from textual.app import App
from textual.widgets import Input

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import RatingsForm
from observer.tui.coding.form import MetadataForm

BOOK = load_codebook("cpp-attachment")
KEY_NAMES = {"\t": "tab", " ": "space"}


def burst(app: App[object], text: str) -> None:
    """Post every key of ``text`` at once, as the driver does for one read."""
    for char in text:
        app.post_message(events.Key(KEY_NAMES.get(char, char), char))


async def settle(pilot: object, app: App[object]) -> None:
    for _ in range(5):
        await pilot.pause()  # type: ignore[attr-defined]


def test_a_burst_fills_the_ratings_form_field_by_field() -> None:
    async def scenario() -> list[str]:
        app: App[object] = App()
        async with app.run_test(size=(100, 40)) as pilot:
            app.push_screen(RatingsForm(BOOK, []))
            await settle(pilot, app)
            burst(app, "5\t6\t2\t\t9")
            await settle(pilot, app)
            return [field.value for field in app.screen.query(Input)]

    values = asyncio.run(scenario())
    assert values[:5] == ["5", "6", "2", "", "9"]


def test_a_burst_fills_the_metadata_form_field_by_field(tmp_path: Path) -> None:
    async def scenario() -> dict[str, str]:
        app = CodingApp(tmp_path, book=BOOK, now=lambda: 0.0, config=tmp_path / "cfg" / "c.json")
        async with app.run_test(size=(100, 40)) as pilot:
            while not isinstance(app.screen, MetadataForm):
                await pilot.pause(0.01)
            await settle(pilot, app)
            burst(app, "D012\tobs1\tvisit 2")
            await settle(pilot, app)
            return {f.id or "": f.value for f in app.screen.query(Input)}

    values = asyncio.run(scenario())
    assert values["dyad"] == "D012"
    assert values["observer"] == "obs1"
    assert values["label"] == "visit 2"
