"""Clinic mode on the coding screens: the criteria's live tallies beside the legend
(after keys, after undo), the end summary's criteria table, and the session file's
evaluated ``criteria`` (written by the recorder, recomputed and checked on load,
recomputed for ``--corrected``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from rich.console import Console
from support.pilot import Coding, acknowledged, attached, ended, until
from textual.pilot import Pilot
from textual.widgets import Static

from observer.codebook import load_codebook
from observer.errors import InputError
from observer.review import apply_corrections
from observer.sessionfile import (
    Correction,
    Review,
    Session,
    load_session,
    session_from_bytes,
    session_to_bytes,
)
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import Summary
from observer.tui.coding.tallies import Tallies, criteria_table

DPICS = load_codebook("dpics-style")
T0 = 1000.0

# (key, seconds after the first space): child-led play from 2.0 (f2), 3 labeled
# praises, 2 reflections, a question, an undo of a reflection, then a command.
KEYS = (
    ("space", 0.0),
    ("l", 1.0),  # before the segment: does not count
    ("f2", 2.0),
    ("l", 3.0),
    ("l", 4.5),
    ("r", 5.0),
    ("d", 6.0),
    ("r", 7.0),
    ("ctrl+z", 7.5),
    ("q", 8.0),
    ("l", 9.0),
    ("c", 10.0),
)


def press_all(screen: Any, keys: tuple[tuple[str, float], ...]) -> None:
    for key, at in keys:
        character = key if len(key) == 1 else (" " if key == "space" else None)
        screen.press(key, T0 + at, character)


def tallies(screen: Any) -> dict[str, tuple[float | None, bool]]:
    widget = screen.query_one(Tallies)
    return {r.criterion.id: (r.rules[0].value, r.met) for r in widget.results}


def app_for(tmp_path: Path, at: float = 12.0) -> CodingApp:
    return CodingApp(tmp_path, book=DPICS, dyad="D012", observer="th1", now=lambda: T0 + at)


async def test_the_tallies_follow_keys_and_undo(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (_, pilot, screen):
        panel = screen.query_one(Tallies)
        press_all(screen, KEYS[:2])
        assert not panel.display  # no segment with criteria is open yet
        press_all(screen, KEYS[2:7])
        assert panel.display
        assert tallies(screen) == {
            "cdi-labeled-praise": (2.0, False),
            "cdi-reflections": (1.0, False),
            "cdi-behavior-descriptions": (1.0, False),
            "cdi-avoid": (0.0, True),
        }
        press_all(screen, KEYS[7:8])  # the second reflection
        assert tallies(screen)["cdi-reflections"] == (2.0, False)
        press_all(screen, KEYS[8:9])  # undone
        assert tallies(screen)["cdi-reflections"] == (1.0, False)
        press_all(screen, KEYS[9:])
        assert tallies(screen)["cdi-labeled-praise"] == (3.0, False)
        assert tallies(screen)["cdi-avoid"] == (2.0, True)
        text = str(panel.render())
        assert "✓ Questions, comma…    2/≤3" in text  # met: a symbol, not colour alone
        assert "✗ Labeled praises      3/≥10" in text
        assert screen.focused is not panel and not panel.can_focus
        await acknowledged(pilot)


async def end_session(pilot: Pilot[Any]) -> None:
    screen = await attached(pilot)
    press_all(screen, KEYS)
    await ended(pilot, T0 + 12.0)


HAND = [  # the keys above, counted by hand inside child-led play (2.0 to the end)
    {
        "id": "cdi-labeled-praise",
        "segment": "child-led-play",
        "met": False,
        "rules": [{"value": 3.0, "target": "10 or more", "met": False}],
    },
    {
        "id": "cdi-reflections",
        "segment": "child-led-play",
        "met": False,
        "rules": [{"value": 1.0, "target": "10 or more", "met": False}],
    },
    {
        "id": "cdi-behavior-descriptions",
        "segment": "child-led-play",
        "met": False,
        "rules": [{"value": 1.0, "target": "10 or more", "met": False}],
    },
    {
        "id": "cdi-avoid",
        "segment": "child-led-play",
        "met": True,
        "rules": [{"value": 2.0, "target": "3 or fewer", "met": True}],
    },
]


def written(tmp_path: Path) -> Path:
    (path,) = [p for p in tmp_path.rglob("*.json") if "journal" not in p.name]
    return path


async def test_the_file_stores_the_criteria_and_the_summary_shows_them(
    tmp_path: Path, coding: Coding
) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await end_session(pilot)
        summary = app.screen
        assert isinstance(summary, Summary)
        console = Console(width=100, file=io.StringIO(), color_system=None)
        console.print(criteria_table(summary, DPICS, summary.session.criteria))
        table = console.file.getvalue()  # type: ignore[attr-defined]
    assert json.loads(written(tmp_path).read_bytes())["criteria"] == HAND
    assert "✗ not met" in table and "✓ met" in table and "Child-led play" in table
    assert load_session(written(tmp_path)).criteria[3].met is True


def test_summary_with_criteria_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await end_session(pilot)
        title = pilot.app.screen.query_one("#summary-title", Static)
        title.update("Session saved · FOLDER/SESSION.json")
        await pilot.pause(0.1)

    assert snap_compare(app_for(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_tallies_beside_the_legend_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await attached(pilot)
        press_all(screen, KEYS)
        await acknowledged(pilot)
        screen.tick()
        await pilot.pause()

    assert snap_compare(app_for(tmp_path), terminal_size=(80, 24), run_before=run_before)


def a_session() -> Session:
    from observer.live.recorder import Recorder, SessionMeta

    rec = Recorder(DPICS, SessionMeta("s1", "D012", "th1"))
    from datetime import UTC, datetime

    rec.toggle_clock(T0, datetime(2026, 1, 5, 9, tzinfo=UTC))
    for key, at in KEYS[1:]:
        if key == "f2":
            rec.segment("child-led-play", T0 + at)
        elif key == "ctrl+z":
            rec.undo(T0 + at)
        else:
            rec.key(key, T0 + at)
    rec.end(T0 + 12.0, datetime(2026, 1, 5, 9, 0, 12, tzinfo=UTC))
    return rec.session()


def test_the_recorder_stores_what_the_events_give() -> None:
    data = json.loads(session_to_bytes(a_session()))
    assert data["criteria"] == HAND


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("criteria[2].met", True, "criteria[2].met: stored true, the events give false"),
        (
            "criteria[0].rules[0].value",
            12,
            "criteria[0].rules[0].value: stored 12.0, the events give 3.0",
        ),
        (
            "criteria[3].rules[0].target",
            "at most 3",
            'criteria[3].rules[0].target: stored "at most 3", the events give "3 or fewer"',
        ),
        ("criteria[1].id", "x", 'criteria[1].id: stored "x", the events give "cdi-reflections"'),
    ],
)
def test_a_stored_criterion_that_differs_from_the_events_is_a_problem(
    path: str, value: Any, problem: str
) -> None:
    data = json.loads(session_to_bytes(a_session()))
    target: Any = data
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    with pytest.raises(InputError) as caught:
        session_from_bytes(orjson.dumps(data), "s.json")
    assert [f"{p.location}: {p.message}" for p in caught.value.problems] == [problem]


def test_a_wrong_number_of_criteria_and_criteria_without_any_in_the_codebook() -> None:
    data = json.loads(session_to_bytes(a_session()))
    data["criteria"] = data["criteria"][:2]
    with pytest.raises(InputError) as caught:
        session_from_bytes(orjson.dumps(data), "s.json")
    assert [p.location for p in caught.value.problems] == ["criteria"]
    data = json.loads(session_to_bytes(a_session()))
    data["events"].append(
        {"code": "pa-labeled-praise", "start": 11.5, "end": None, "modifiers": {}}
    )
    with pytest.raises(InputError) as caught:
        session_from_bytes(orjson.dumps(data), "s.json")
    assert [p.location for p in caught.value.problems] == ["criteria[0].rules[0].value"]


def test_sessions_without_criteria_have_no_field() -> None:
    from support.live import recorder

    rec = recorder()
    from datetime import UTC, datetime

    rec.toggle_clock(5.0, datetime(2026, 1, 5, 9, tzinfo=UTC))
    rec.key(rec.book.codes[0].key, 6.0)
    rec.end(7.0, datetime(2026, 1, 5, 9, 0, 2, tzinfo=UTC))
    session = rec.session()
    assert not session.book.criteria
    raw = session_to_bytes(session)
    assert b'"criteria"' not in raw
    assert session_to_bytes(session_from_bytes(raw, "s.json")) == raw


def test_corrections_recompute_the_criteria() -> None:
    s = a_session()
    praise = next(
        i for i, e in enumerate(s.events) if e.code == "pa-labeled-praise" and e.start > 2
    )
    fix = Review(
        "r1",
        "correction",
        "sup1",
        "2026-01-06T09:00:00+00:00",
        3.0,
        event=praise,
        correction=Correction("recode", code="pa-question"),
    )
    import attrs

    corrected = apply_corrections(attrs.evolve(s, reviews=(fix,)))
    figures = {c.id: (c.rules[0].value, c.met) for c in corrected.criteria}
    assert figures["cdi-labeled-praise"] == (2.0, False)
    assert figures["cdi-avoid"] == (3.0, True)


async def test_help_explains_the_tallies(tmp_path: Path, coding: Coding) -> None:
    from observer.tui.coding.help import HelpScreen, help_table

    console = Console(width=100, file=io.StringIO(), color_system=None)
    console.print(help_table(DPICS, str))
    text = " ".join(console.file.getvalue().split())  # type: ignore[attr-defined]
    assert "CRITERIA the tallies beside the legend" in text
    assert "✓ met, ✗ not met yet" in text
    assert "Labeled praises · in Child-led play" in text
    async with coding(app_for(tmp_path)) as (app, pilot, _):
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help page")
