"""Set-up shared by every test module (pytest loads this file; nothing imports it).

- ``async def`` tests run in a fresh event loop of their own (no plugin needed), as
  Pilot scenarios are written.
- Animations are off in every test. Textual reads ``TEXTUAL_ANIMATIONS`` once, when
  it is first imported, and the snapshot plugin imports it before any test module:
  setting the variable in a module changes nothing for the apps it runs in this
  process. The fixture sets Textual's own constant (every app takes it when it is
  made) and the variable (for the programs tests start).
- The cache of validated codebooks (observer.codebook.cache) is a folder of this test
  session's (``XDG_CACHE_HOME``), never the user's: every test after the first that
  loads a codebook gets it from there, as every start after the first does.
- ``coding``: run a CodingApp headless and get it once its coding screen is attached
  to the journal (``support.pilot.Attached``: the app, the pilot, the screen, and
  waiting for a condition or for the journal's acknowledgements).
- Tests marked ``minutes`` (they wait out minutes of real time, such as a 5-minute
  segment in a real terminal) are collected first, so that a parallel run (``-n``)
  starts them at once and the other workers run everything else meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import textual.constants
from support.pilot import Attached, Coding, attached

from observer.tui.coding.app import CodingApp


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("minutes") is None)  # stable


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test to its end in an event loop of its own."""
    test = pyfuncitem.obj
    if not inspect.iscoroutinefunction(test):
        return None
    names = inspect.signature(test).parameters
    asyncio.run(test(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def codebook_cache_of_the_session(monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))


@pytest.fixture(autouse=True)
def animations_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def coding() -> Coding:
    """``async with coding(app, size=(80, 24)) as c:`` runs ``app`` headless and enters
    once its coding screen is attached (``c.app``, ``c.pilot``, ``c.screen``, or
    ``as (app, pilot, screen)``; ``await c.acknowledged()``, ``await c.until(...)``)."""

    @contextlib.asynccontextmanager
    async def run(app: CodingApp, *, size: tuple[int, int] = (80, 24)) -> AsyncIterator[Attached]:
        async with app.run_test(size=size) as pilot:
            yield Attached(app, pilot, await attached(pilot))

    return run
