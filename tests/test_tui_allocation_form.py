"""The ratings form with an allocation, by Pilot: one field per part, the running
sum beside it, 13 of 14 refused with the sum named, 14 saved, all blank saved as
not rated."""

from __future__ import annotations

from typing import Any

from support.instruments3 import book
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

from observer.codebook import Codebook
from observer.tui import styles
from observer.tui.coding.ratings import RatingField, RatingsForm

CSS = styles.CODING  # as the coding app (the form brings its own: styles.CODING_SCREENS)


class FormApp(App[None]):
    CSS_PATH = CSS
    BINDINGS = [Binding("ctrl+q", "quit", "quit", show=False)]  # noqa: RUF012

    def __init__(self, codebook: Codebook) -> None:
        super().__init__()
        self.codebook = codebook
        self.answer: Any = None

    def on_mount(self) -> None:
        self.push_screen(RatingsForm(self.codebook, []), self.done)

    def done(self, answer: Any) -> None:
        self.answer = answer
        self.exit()


def _text(form: RatingsForm, selector: str) -> str:
    return str(form.query_one(selector, Static).render())


async def test_an_allocation_of_13_of_14_is_refused_and_14_is_saved() -> None:
    app = FormApp(book())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RatingsForm)
        parts = [(f.rating.id, f.part.id if f.part else None) for f in form.query(RatingField)]
        assert parts[:3] == [
            ("care", "sensitive"), ("care", "controlling"), ("care", "unresponsive")
        ]  # fmt: skip
        assert _text(form, ".allocation-sum") == "sum 0 of 14 (14 to go)"
        await pilot.press("8", "tab", "4", "tab", "1")
        assert _text(form, ".allocation-sum") == "sum 13 of 14 (1 to go)"
        assert form.query_one(".allocation-sum").has_class("-short")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.is_current  # not saved
        assert (
            "Adult pattern: the parts sum to 13 of 14 (give every part its points to make"
            " the total, or leave them all blank)" in _text(form, "#ratings-errors")
        )
        await pilot.press("backspace", "2")
        assert _text(form, ".allocation-sum") == "sum 14 of 14"
        assert not form.query_one(".allocation-sum").has_class("-short")
        await pilot.press("ctrl+s")
        await pilot.pause()
    values, _ = app.answer
    assert values[("care", None)] == {"sensitive": 8, "controlling": 4, "unresponsive": 2}


async def test_a_part_left_blank_is_refused_and_all_blank_is_not_rated() -> None:
    app = FormApp(book())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RatingsForm)
        await pilot.press("9", "tab", "5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "sum to 14 of 14, 1 part blank" in _text(form, "#ratings-errors")
        await pilot.press("backspace", "shift+tab", "backspace")
        assert _text(form, ".allocation-sum") == "sum 0 of 14 (14 to go)"
        await pilot.press("ctrl+s")
        await pilot.pause()
    values, _ = app.answer
    assert values[("care", None)] is None


async def test_up_and_down_step_a_part_within_its_maximum() -> None:
    app = FormApp(book())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RatingsForm)
        await pilot.press("tab", "tab", "up")  # unresponsive: at most 10
        assert form.field("care", None, "unresponsive").value == "10"
        form.field("care", None, "unresponsive").value = "11"
        await pilot.press("shift+tab", "shift+tab", "3", "tab", "0", "ctrl+s")
        await pilot.pause()
        assert "Unresponsive: '11' is not from 0 to 10" in _text(form, "#ratings-errors")
        await pilot.press("ctrl+q")
