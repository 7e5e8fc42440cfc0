"""Text that looks like Rich/Textual markup is shown literally on every screen, never
interpreted: no crash, no hang, no link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from support.minibook import document
from support.pilot import until
from textual.widgets import SelectionList, Static

from observer.codebook import codebook_from_data
from observer.live.recorder import Recorder, SessionMeta
from observer.sessionfile import Review, load_session, write_session
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import RatingsForm, Summary
from observer.tui.coding.form import MetadataForm
from observer.tui.replay.app import ReplayApp
from observer.tui.replay.dialogs import FilterPrompt

LINK = "[link=file:///etc/passwd]x[/link]"


def hostile_book(version: str = "1.0.0") -> Any:
    raw: dict[str, Any] = document()
    raw["title"] = "A [/b] title"
    raw["version"] = version
    raw["actors"][0]["label"] = LINK
    raw["groups"][0]["label"] = f"group {LINK}"
    raw["ratings"][0]["anchors"] = {"1": "[/]", "7": "[link=https://example.org]y"}
    raw["segments"][1]["label"] = "[/]"
    raw["codes"][4]["label"] = "[/i] praise"
    return codebook_from_data(raw, "hostile.json")


async def test_the_coding_app_shows_markup_like_text_literally_from_form_to_summary(
    tmp_path: Path,
) -> None:
    app = CodingApp(tmp_path, book=hostile_book(), journals=[])
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MetadataForm), "the form")
        shown = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "A [/b] title" in shown
        await pilot.press(*"[/]", "tab", *"o1", "ctrl+s")  # dyad "[/]"
        await until(pilot, lambda: app.recorder is not None, "the coding screen")
        await pilot.press("space", "p", "p", "ctrl+e", "enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm), "the ratings form")
        assert "1 = [/]" in " ".join(str(s.render()) for s in app.screen.query(Static))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
        title = str(app.screen.query_one("#summary-title", Static).render())
        assert "[/] · o1" in title
    assert app.crash is None and app.result.path is not None
    assert load_session(app.result.path).dyad == "[/]"


def hostile_session(tmp_path: Path, observer: str = "obs1", version: str = "1.0.0") -> Path:
    book = hostile_book(version)
    rec = Recorder(book, SessionMeta(f"S1-D1-{observer}", "[/]", observer))
    rec.toggle_clock(100.0)
    for i, key in enumerate("pvncp"):
        rec.key(key, 101.0 + i)
    rec.end(110.0)
    session = rec.session()
    review = Review("r1", "comment", "[/]", "2026-01-05T11:00:00+00:00", 2.0, text="[/b] hi")
    return write_session(tmp_path, attrs.evolve(session, reviews=(review,)))


async def test_replay_filters_and_reviews_with_markup_like_labels(tmp_path: Path) -> None:
    path = hostile_session(tmp_path)
    (tmp_path / "config.json").write_text('{"reviewer": "sup1"}')
    app = ReplayApp(path, load_session(path), config=tmp_path / "config.json")
    async with app.run_test(size=(130, 36)) as pilot:
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterPrompt), "the filter")
        prompts = [str(o.prompt) for o in app.screen.query_one(SelectionList).options]
        assert f"actor  {LINK}" in prompts
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FilterPrompt), "the filter closed")
        await pilot.press("v", "enter")  # the entry of reviewer "[/]": not ours
        await pilot.pause()
        await pilot.press("q")
    assert app.crash is None


async def test_compare_with_a_markup_like_codebook_version_warns_literally(tmp_path: Path) -> None:
    a = hostile_session(tmp_path)
    b = hostile_session(tmp_path, "obs2", version="[/]")
    app = ReplayApp(a, data=a.read_bytes(), other_path=b, other_data=b.read_bytes())
    async with app.run_test(size=(130, 36)) as pilot:
        await until(pilot, lambda: app.replay.ready, "the comparison")
        opened = app.replay.opened
        assert opened is not None and any("[/]" in w for w in opened.warnings)
        await pilot.pause()
        await pilot.press("q")
    assert app.crash is None
