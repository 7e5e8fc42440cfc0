"""Waiting on a Pilot-driven app: for a condition, for the coding screen, for the journal.

The conftest's ``coding`` fixture hands tests an :class:`Attached`; snapshot tests,
whose ``run_before`` gets a bare Pilot, use :func:`attached` and :func:`acknowledged`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import attrs
from textual.pilot import Pilot

from observer.tui.coding.app import CodingApp
from observer.tui.coding.screen import CodingScreen

TIMEOUT_S = 15.0
"""How long a background step may take before a test fails: generous, since the tests
run in parallel on busy machines (a bound, never a timing check)."""


async def until(
    pilot: Pilot[Any],
    condition: Callable[[], object],
    what: str = "the condition",
    *,
    timeout: float = TIMEOUT_S,
) -> None:
    """Let the app run (10 ms pauses) until ``condition()`` holds."""
    await eventually(condition, what, timeout=timeout, pause=lambda: pilot.pause(0.01))


async def eventually(
    condition: Callable[[], object],
    what: str = "the condition",
    *,
    timeout: float = TIMEOUT_S,
    pause: Callable[[], Awaitable[None]] = lambda: asyncio.sleep(0.01),
) -> None:
    """Wait (10 ms sleeps, or ``pause``) until ``condition()`` holds; fail with ``what``
    after ``timeout`` seconds (a hang is a failure, never a stuck run)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout:.0f} s: {what}")
        await pause()


async def attached(pilot: Pilot[Any]) -> CodingScreen:
    """The coding screen once its recorder is attached (the journal opens behind the
    first frame, so keys before that wait)."""
    app = pilot.app

    def ready() -> bool:
        return isinstance(app.screen, CodingScreen) and app.screen.attached

    await until(pilot, ready, "the coding screen attached to its journal")
    assert isinstance(app.screen, CodingScreen)
    return app.screen


async def acknowledged(pilot: Pilot[Any], n: int | None = None) -> None:
    """Until the journal has acknowledged (written and fsynced) the first ``n`` actions,
    or every action the recorder has made so far."""
    app = pilot.app
    assert isinstance(app, CodingApp) and app.recorder is not None
    recorder = app.recorder
    target = recorder.seq if n is None else n
    await until(pilot, lambda: app.saved.acked >= target, f"{target} actions acknowledged")


async def ended(pilot: Pilot[Any], mono: float) -> None:
    """End the coding screen's session with ``ctrl+e`` stamped ``mono``: confirm, save
    the ratings form if there is one, until the summary (the session file is written)."""
    from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary

    app = pilot.app
    screen = app.screen
    assert isinstance(screen, CodingScreen)
    screen.press("ctrl+e", mono)
    await until(pilot, lambda: isinstance(app.screen, ConfirmEnd), "the confirmation")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, RatingsForm | Summary), "ratings or summary")
    if isinstance(app.screen, RatingsForm):
        await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")


@attrs.frozen
class Attached:
    """A CodingApp running headless, its coding screen attached to the journal;
    unpacks as ``app, pilot, screen``."""

    app: CodingApp
    pilot: Pilot[Any]
    screen: CodingScreen

    def __iter__(self) -> Iterator[Any]:
        return iter((self.app, self.pilot, self.screen))

    async def until(self, condition: Callable[[], object], what: str = "the condition") -> None:
        await until(self.pilot, condition, what)

    async def acknowledged(self, n: int | None = None) -> None:
        await acknowledged(self.pilot, n)


Coding = Callable[..., AbstractAsyncContextManager[Attached]]
"""The conftest's ``coding`` fixture: ``async with coding(app, size=(w, h)) as c``."""


def target_at(screen: Any, key: str) -> tuple[int, int]:
    """The screen cell of the first target (``observer.tui.targets``) pressing ``key``:
    where a click or a tap on it lands."""
    from observer.tui.targets import pressed

    width, height = screen.size
    for y in range(height):
        for x in range(width):
            press = pressed(screen.get_style_at(x, y))
            if press is not None and press[0] == key:
                return x, y
    raise AssertionError(f"no target for {key!r} on the screen")


async def tap(pilot: Pilot[Any], key: str) -> None:
    """Click the target of ``key`` on the app's screen (a mouse press and release)."""
    x, y = target_at(pilot.app.screen, key)
    assert await pilot.click(offset=(x, y)), f"the click on {key!r} at {x},{y} missed"


def comparable(path: Path) -> Any:
    """A session file without what differs between two codings of the same keys: its
    id, its times, when it was written, and how it was coded and stamped."""
    import orjson

    data = orjson.loads(path.read_bytes())
    dropped = {"session", "id", "start", "end", "t", "at", "created", "duration"}

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in dropped and not k.endswith(("_at", "_s", "time"))
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    stripped = strip(data)
    for how in ("via", "stamper"):
        stripped.pop(how, None)
    return stripped


def targets_on(screen: Any) -> list[str]:
    """The keys of every target on the screen, each once, top to bottom."""
    from observer.tui.targets import pressed

    width, height = screen.size
    found: dict[str, None] = {}
    for y in range(height):
        for x in range(width):
            press = pressed(screen.get_style_at(x, y))
            if press is not None:
                found.setdefault(press[0])
    return list(found)
