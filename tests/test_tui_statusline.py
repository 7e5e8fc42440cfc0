"""The status lines fit their width by giving way in order: a part is shortened or
dropped whole, the parts that must stay (``saved N``, replay's session id) never are."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from support.minibook import book
from support.pilot import Coding

from observer.tui.coding.app import CodingApp
from observer.tui.widgets.statusline import fit, part, shortened


def test_fit_applies_the_steps_in_order_until_the_line_fits() -> None:
    parts = [
        part(Text("state long"), (2, Text("state"))),
        part(Text("who-is-coding"), (1, shortened("who-is-coding", 5)), (3, Text())),
        part(Text("saved 30")),
    ]
    assert fit(parts, 100, " · ").plain == "state long · who-is-coding · saved 30"
    assert fit(parts, 30, " · ").plain == "state long · who-… · saved 30"
    assert fit(parts, 16, " · ").plain == "state · saved 30"  # dropped: no separator left
    assert fit(parts, 5, " · ").plain == "state · saved 30"  # what must stay stays


async def test_the_coding_status_keeps_saved_n_while_not_saving(
    tmp_path: Path, coding: Coding
) -> None:
    """An error on the status line at 80 columns: the count is still whole, before it."""
    app = CodingApp(tmp_path, book=book(), dyad="D012", observer="an-observer-id", journals=[])
    async with coding(app, size=(80, 24)) as (app, pilot, screen):
        screen.press("space", 1000.0, " ")
        for i in range(12):
            screen.press("p", 1001.0 + i, "p")
        await pilot.pause()
        screen.saved.error = "No space left on device"
        line = screen.status_text(80).plain
        assert "saved " in line and line.index("NOT SAVED") > line.index("saved ")
        count = line.split("saved ")[1].split()[0]
        assert count.split("/")[-1] == str(screen.recorder.seq)


async def test_a_segment_past_its_planned_length_is_marked(tmp_path: Path, coding: Coding) -> None:
    """Warm-up is planned for 3:00: at 3:10 its time says OVER."""
    from observer.codebook import load_codebook

    now = [1000.0]
    app = CodingApp(
        tmp_path, book=load_codebook("cpp-attachment"), dyad="D012", observer="o1",
        journals=[], now=lambda: now[0],
    )  # fmt: skip
    async with coding(app, size=(80, 24)) as (app, _pilot, screen):
        screen.press("space", 1000.0, " ")
        screen.press("ctrl+g", 1000.0)
        screen.press("1", 1000.0, "1")  # Warm-up, 3:00 planned
        now[0] = 1000.0 + 170
        assert "OVER" not in screen.status_text(80).plain
        now[0] = 1000.0 + 190
        line = screen.status_text(80).plain
        assert "Warm-up 03:10/03:00 OVER" in line and "saved " in line, line


async def test_the_note_field_is_labelled(tmp_path: Path, coding: Coding) -> None:
    app = CodingApp(tmp_path, book=book(), dyad="D1", observer="o1", journals=[])
    async with coding(app) as (_app, pilot, screen):
        await pilot.press("space", "ctrl+n")
        await pilot.pause()
        label = screen.query_one("#note-label")
        assert label.display and label.region.width and str(label.render()) == "note:"
        assert screen.query_one("#note").region.x > label.region.x
