"""The ratings form by Pilot: categories by value id or up/down, checks as y/n/blank,
only the segments a rating is asked in, composites computed live, and anchors
and episode names shown whole at 80 and 100 columns."""

from __future__ import annotations

from typing import Any

import pytest
from support.instruments import book
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

from observer.codebook import Codebook, load_codebook
from observer.tui import styles
from observer.tui.coding.ratings import RatingField, RatingsForm

CSS = styles.CODING  # as the coding app (the form brings its own: styles.CODING_SCREENS)


class FormApp(App[None]):
    """The form as the coding app shows it: ctrl+q is the form's (save and quit)."""

    CSS_PATH = CSS
    BINDINGS = [Binding("ctrl+q", "quit", "quit", show=False)]  # noqa: RUF012

    def __init__(self, codebook: Codebook, coded: list[str]) -> None:
        super().__init__()
        self.codebook, self.coded = codebook, coded
        self.answer: Any = None

    def on_mount(self) -> None:
        self.push_screen(RatingsForm(self.codebook, self.coded), self.done)

    def done(self, answer: Any) -> None:
        self.answer = answer
        self.exit()


async def run(codebook: Codebook, coded: list[str], size: tuple[int, int], script: Any) -> Any:
    app = FormApp(codebook, coded)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await script(pilot, app.screen)
    return app.answer


async def test_each_kind_is_entered_and_saved() -> None:
    async def script(pilot: Any, form: RatingsForm) -> None:
        assert [(f.rating.id, f.segment) for f in form.query(RatingField)] == [
            ("warmth", None),
            ("class", None),
            ("i1", None),
            ("i2", None),
            ("i3", None),
            ("seek", "reunion"),
            ("avoid", "play"),
            ("avoid", "reunion"),
        ]  # fmt: skip  (apart was not coded; seek is asked only in the reunion)
        composites = form.query_one("#ratings-composites", Static)
        await pilot.press("4", "tab", "b", "2", "tab", "y", "tab")
        assert "Items present: –" in str(composites.render())
        await pilot.press("down", "down", "tab")  # blank -> y -> n
        assert "Items present: 1" in str(composites.render())
        assert "Warmth and items: 2.5" in str(composites.render())
        await pilot.press("tab", "6", "tab", "2", "ctrl+s")

    values, then_quit = await run(book(), ["play", "reunion"], (80, 24), script)
    assert then_quit is False
    assert values == {
        ("warmth", None): 4, ("class", None): "B2", ("i1", None): True, ("i2", None): False,
        ("i3", None): None, ("seek", "reunion"): 6, ("avoid", "play"): 2,
        ("avoid", "reunion"): None,
    }  # fmt: skip


async def test_a_category_steps_through_its_list_and_refuses_unknown_ids() -> None:
    async def script(pilot: Any, form: RatingsForm) -> None:
        await pilot.press("tab", "down", "down", "down")  # blank, A1, A2, B1
        assert form.field("class").value == "B1"
        await pilot.press("up")
        assert form.field("class").value == "A2"
        await pilot.press("tab", "x")  # not a check's answer: refused as typed
        assert form.field("i1").value == ""
        form.field("class").value = "Z9"
        await pilot.press("ctrl+s")
        assert "'Z9' is not one of A1, A2, B1, B2, D" in str(
            form.query_one("#ratings-errors", Static).render()
        )
        form.field("class").value = "d"
        await pilot.press("ctrl+q")

    values, then_quit = await run(book(), [], (80, 24), script)
    assert then_quit is True and values[("class", None)] == "D"
    assert ("avoid", "apart") in values  # nothing coded: every segment it is asked in


@pytest.mark.parametrize("width", [80, 100])
async def test_anchors_and_episode_names_are_never_cut(width: int) -> None:
    ss = load_codebook("strange-situation")

    async def script(pilot: Any, form: RatingsForm) -> None:
        for name in form.query(".segment-name").results(Static):
            assert str(name.render()) in {s.label for s in ss.segments}
            assert name.region.right <= width
        notes = list(form.query(".rating-anchors").results(Static))
        assert notes
        for note in notes:
            text = str(note.render())
            assert note.region.right <= width
            content = note.content_region.width
            lines = sum(-(-len(line) // content) for line in text.splitlines())
            assert note.virtual_size.height >= lines  # wrapped, all lines there
        disorganization = next(
            n for n in notes if "9 = " in str(n.render()) and "1 = " in str(n.render())
        )
        assert str(disorganization.render()).count(" = ") == len(
            ss.rating_by_id["ch-disorganization"].anchors
        )
        await pilot.press("ctrl+s")

    await run(ss, [], (width, 30), script)


async def test_each_field_sits_next_to_its_item_and_stands_out_unfocused() -> None:
    """At 120 columns each field stands just before its item's label (not at the far
    right), and a field without the focus has a background of its own (styles/coding-screens.tcss)."""

    async def script(pilot: Any, form: RatingsForm) -> None:
        rows = list(form.query(".rating-row"))
        assert rows
        for row in rows:
            label, field = row.query_one(".rating-label"), row.query_one(RatingField)
            assert 0 <= label.region.x - field.region.right <= 2, (label.region, field.region)
        unfocused = [f for f in form.query(RatingField) if not f.has_focus]
        assert unfocused
        screen_bg = form.styles.background
        assert all(f.styles.background != screen_bg for f in unfocused)
        assert all(f.styles.background.a > 0.5 for f in unfocused)  # not a faint boost
        await pilot.press("ctrl+s")

    await run(book(), ["play", "reunion"], (120, 40), script)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_ratings_form_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    """A checklist half filled in: checks, the overall scale, composites computed."""

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        for field in pilot.app.screen.query(RatingField):
            field.cursor_blink = False  # a blinking cursor is half the frames away
        await pilot.press("y", "tab", "n", "tab", "y", "tab", "y", "tab", "down")
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    app = FormApp(load_codebook("cpp-fidelity-style"), [])
    assert snap_compare(app, terminal_size=size, run_before=run_before)
