"""Snapshot tests of the replay screen (SVGs in __snapshots__/test_replay_snapshots/).

Deterministic: a frozen clock drives the playhead, nothing plays while the
picture is taken (no timer runs), animations are off, no notification is shown.
Update with ``pytest --snapshot-update`` after a deliberate change, and look at
the new SVGs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.pilot import TIMEOUT_S, until
from support.replay import small_session
from textual.pilot import Pilot

from observer.replay.loading import open_replay
from observer.review import Kind, new_entry
from observer.sessionfile import Correction, Review, write_session
from observer.tui.replay.app import ReplayApp
from observer.tui.replay.screen import ReplayScreen

SIZE = (120, 34)


class Clock:
    now = 500.0

    def __call__(self) -> float:
        return self.now


def replay_app(
    tmp_path: Path, session: Any = None, other: Any = None, clock: Any = None
) -> ReplayApp:
    session = session or small_session()
    path = write_session(tmp_path, session)
    return ReplayApp(
        path, session, other=other, clock=clock or Clock(), config=tmp_path / "cfg.json"
    )


def screen(pilot: Pilot[Any]) -> ReplayScreen:
    assert isinstance(pilot.app.screen, ReplayScreen)
    return pilot.app.screen


async def started(pilot: Pilot[Any]) -> None:
    """Wait for the replay screen to have its session (the auto-pilot of a snapshot
    can begin before the app's first screen has been mounted)."""
    await until(pilot, lambda: screen(pilot).ready, "the session loaded")


@pytest.mark.parametrize(
    ("keys", "t"),
    [((), 0.0), (("plus", "plus", "plus"), 6.0), (("minus", "minus"), 25.0)],
    ids=["60s-window-start", "10s-window-at-6s", "5min-window-at-25s"],
)
def test_timeline_at_several_zooms(
    snap_compare: Any, tmp_path: Path, keys: tuple[str, ...], t: float
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await pilot.press(*keys)
        screen(pilot).seek(t)
        await pilot.pause()

    assert snap_compare(replay_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_playback_position(snap_compare: Any, tmp_path: Path) -> None:
    clock = Clock()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await pilot.press("greater_than_sign", "greater_than_sign", "space")  # 4×
        clock.now += 6.25  # 25 s of session time
        await pilot.press("space")  # pause: the picture has no running timer
        await pilot.pause()

    assert snap_compare(
        replay_app(tmp_path, clock=clock), terminal_size=SIZE, run_before=run_before
    )


def test_compare_mode(snap_compare: Any, tmp_path: Path) -> None:
    a, b = compared()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await pilot.press("d", "i")
        await pilot.pause()

    app = replay_app(tmp_path, a, other=b)
    assert snap_compare(app, terminal_size=(130, 40), run_before=run_before)


def test_review_entries(snap_compare: Any, tmp_path: Path) -> None:
    s = small_session()
    stamp = lambda: "2026-02-01T09:00:00+00:00"  # noqa: E731
    entries: list[Review] = []
    given: list[tuple[Kind, dict[str, Any]]] = [
        ("comment", {"t": 4.0, "text": "child turns to the door"}),
        ("flag", {"t": 12.0, "event": 7, "text": "distress or protest?"}),
        (
            "correction",
            {"t": 5.0, "event": 4, "correction": Correction("retime", start=5.5, end=8.0)},
        ),
        ("correction", {"t": 50.0, "correction": Correction("add", code="ch-bids", start=50.0)}),
    ]
    for kind, kw in given:
        current = attrs.evolve(s, reviews=tuple(entries))
        entries.append(new_entry(current, "sup1", kind=kind, now=stamp, **kw))
    session = attrs.evolve(s, reviews=tuple(entries))

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await pilot.press("v", "down")
        await pilot.pause()

    assert snap_compare(replay_app(tmp_path, session), terminal_size=SIZE, run_before=run_before)


def test_a_large_file_first_shows_its_beginning(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview frame: the first minute drawn, the summary and commands waiting."""
    import threading

    from observer.codebook import load_codebook
    from observer.synthetic import make_session
    from observer.tui.replay import app as replay_module

    path = write_session(tmp_path, make_session(load_codebook("cpp-attachment"), 3_000, seed=2))
    gate = threading.Event()
    real_open = open_replay  # what the app calls, patched there below

    def held_open(*args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + TIMEOUT_S
        while app.return_code is None and not gate.wait(0.02):  # held until the picture
            assert time.monotonic() < deadline, "the app never exited"  # is taken and it exits
        return real_open(*args, **kwargs)

    monkeypatch.setattr(replay_module, "open_replay", held_open)
    app = ReplayApp(path, data=path.read_bytes(), clock=Clock(), config=tmp_path / "cfg.json")
    try:
        assert snap_compare(app, terminal_size=SIZE)
    finally:
        gate.set()


def compared() -> tuple[Any, Any]:
    a = small_session()
    events = list(a.events)
    events[1] = attrs.evolve(events[1], code="ch-approach", start=1.4)
    del events[3]
    events.append(attrs.evolve(events[2], start=45.0))
    b = attrs.evolve(
        a, id="S1-D001-obs2", observer="obs2", events=tuple(sorted(events, key=lambda e: e.start))
    )
    return a, b


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize(
    ("mode", "keys"),
    [
        ("single", ("right", "right")),
        ("compare", ("d",)),
        ("help", ("question_mark",)),
        ("side-panel", ("s",)),
    ],
)
def test_laid_out_for_small_and_large_terminals(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], mode: str, keys: tuple[str, ...]
) -> None:
    """Nothing cut off from 80x24 up: modifiers, B's code and Δ, every lane with
    something coded, the Reviews lane, the whole help (two columns)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    a, b = compared()
    app = replay_app(tmp_path, a, other=b if mode == "compare" else None)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
