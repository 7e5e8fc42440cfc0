"""Keys that arrive in one burst reach the field they were typed for.

A terminal delivers fast typing (or a macro pad) as one read: the App forwards
every key of it to the focused widget before that widget has handled the first.
A plain `tab` binding runs only after the key has bubbled up from the focused
Input, so the digits after it landed in the previous field ("5", tab, "4" gave
"54"). The forms bind tab and shift+tab with priority, which moves the focus as
the App takes each key, in order. An editing key (backspace, delete, the arrows) is a
field's own binding, which ran only once the key had bubbled up to the App: after the
characters typed behind it, and in whatever field had the focus by then ("5",
backspace, "6" gave "5"; tab tab backspace 2 left the field blank). The forms' fields
run their own bindings as each key reaches them. Keys typed between accepting the end
of a session and the ratings form taking the focus wait for the form, in order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.pilot import until
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm
from observer.tui.coding.form import MetadataForm
from observer.tui.coding.screen import CodingScreen

BOOK = load_codebook("cpp-attachment")
KEY_NAMES = {"\t": "tab", " ": "space", "\x7f": "backspace", "\r": "enter"}


def burst(app: App[Any], text: str) -> None:
    """Post every key of ``text`` at once, as the driver does for one read."""
    for char in text:
        app.post_message(events.Key(KEY_NAMES.get(char, char), char))


async def settle(pilot: Pilot[Any], app: App[Any]) -> None:
    for _ in range(5):
        await pilot.pause()


async def ratings_form_after(text: str) -> list[str]:
    """The ratings form's fields after ``text`` came in one burst, the form settled."""
    app: App[object] = App()
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(RatingsForm(BOOK, []))
        await settle(pilot, app)
        burst(app, text)
        await settle(pilot, app)
        return [field.value for field in app.screen.query(Input)]


async def test_a_burst_fills_the_ratings_form_field_by_field() -> None:
    assert (await ratings_form_after("5\t6\t2\t\t9"))[:5] == ["5", "6", "2", "", "9"]


async def test_a_backspace_in_a_burst_edits_the_field_it_was_typed_in() -> None:
    assert (await ratings_form_after("\t\t\x7f2"))[:3] == ["", "", "2"]
    assert (await ratings_form_after("5\x7f6\t7"))[:2] == ["6", "7"]
    assert (await ratings_form_after("\t\t\x7f2\t4"))[2:4] == ["2", "4"]


async def metadata_form_after(folder: Path, typed: str) -> dict[str, str]:
    """The start form's fields after ``typed`` arrives in one burst."""
    app = CodingApp(folder, book=BOOK, now=lambda: 0.0, config=folder / "cfg" / "c.json")
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MetadataForm))
        await settle(pilot, app)
        burst(app, typed)
        await settle(pilot, app)
        return {f.id or "": f.value for f in app.screen.query(Input)}


async def test_a_burst_fills_the_metadata_form_field_by_field(tmp_path: Path) -> None:
    values = await metadata_form_after(tmp_path, "D012\tobs1\tvisit 2")
    assert (values["dyad"], values["observer"], values["label"]) == ("D012", "obs1", "visit 2")


async def test_a_burst_with_backspaces_edits_the_metadata_form_in_order(tmp_path: Path) -> None:
    values = await metadata_form_after(tmp_path, "D01\x7f2\tobs\x7f\x7f\x7fo2")
    assert (values["dyad"], values["observer"]) == ("D02", "o2")


async def test_keys_typed_right_after_ending_reach_the_ratings_form(tmp_path: Path) -> None:
    """enter on the end dialog, then the ratings in the same burst: the keys wait for
    the form, which is not there yet, instead of going to the dialog or the coding
    screen; the rating typed is saved (it was saved null)."""

    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen) and app.screen.attached)
        await pilot.press("space")
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEnd))
        burst(app, "\r\t\t\x7f2\t5")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm))
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.result.session is not None)
        session = app.result.session
        assert session is not None
    assert session.ratings["cg-sensitivity"] is None
    assert session.ratings["cg-intrusiveness"] == 2
    assert session.ratings["ch-involvement"] == 5


async def test_keys_typed_right_after_the_metadata_form_start_the_clock(tmp_path: Path) -> None:
    """enter on the form's last field and space in one burst: the space waits for the
    coding screen (it went to the form's label field, and the clock did not start)."""

    app = CodingApp(tmp_path, book=BOOK, now=lambda: 0.0, config=tmp_path / "cfg" / "c.json")
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MetadataForm))
        await settle(pilot, app)
        burst(app, "D012\tobs1\tvisit\r o")
        for _ in range(300):
            if app.recorder is not None and app.recorder.events:
                break
            await pilot.pause(0.01)
        assert app.metadata is not None
        assert app.metadata.label == "visit"
        assert app.recorder is not None
        coded = " ".join(e.code for e in app.recorder.events)
    assert coded == "ch-bids"


async def test_keys_after_an_enter_the_form_refuses_stay_in_the_form(tmp_path: Path) -> None:
    """The dyad is missing: the form stays, and what was typed after the enter goes on
    into the field that had the focus, in order."""

    app = CodingApp(tmp_path, book=BOOK, now=lambda: 0.0, config=tmp_path / "cfg" / "c.json")
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MetadataForm))
        await settle(pilot, app)
        burst(app, "\tobs1\tvis\rit\x7fT")
        await settle(pilot, app)
        assert isinstance(app.screen, MetadataForm)
        errors = str(app.screen.query_one("#form-errors").render())
        values = {f.id or "": f.value for f in app.screen.query(Input)}
    assert "the dyad id is needed" in errors
    assert values["label"] == "visiT"
