"""The key legend fits an 80×24 screen for every bundled codebook and shows every key."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from observer.codebook import bundled_paths, load_codebook
from observer.tui.widgets.legend import KeyLegend


class LegendApp(App[None]):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.book = load_codebook(path)

    def compose(self) -> ComposeResult:
        yield KeyLegend(self.book)
        yield Static("below")


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_legend_fits_and_lists_every_key(path: Path, size: tuple[int, int]) -> None:
    app = LegendApp(path)

    async with app.run_test(size=size) as pilot:
        legend = app.query_one(KeyLegend)
        legend.set_running(frozenset({app.book.codes[0].id}))
        await pilot.pause()
        assert 0 < legend.region.height <= int(size[1] * 0.46)
        lines = [
            "".join(seg.text for seg in legend.render_line(y)) for y in range(legend.region.height)
        ]
        shown = "\n".join(lines)
        for code in app.book.codes:
            # the key, then the label's start (labels are shortened to fit)
            assert f" {code.key} {code.label[:6]}" in shown, (code.key, shown)
        for actor in app.book.actors:
            if any(c.actor == actor.id for c in app.book.codes):
                assert actor.label.upper() in shown
