"""The signals that end observer as a quit does: on POSIX through the event loop, on
Windows (switched here) through ``signal.signal`` and the console's close event."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable

import pytest

from observer import stopsignals


async def test_posix_handles_int_term_and_hup_on_the_loop() -> None:
    seen: list[signal.Signals] = []

    loop = asyncio.get_running_loop()
    stopsignals.on_stop(loop, seen.append)
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(100):
            if len(seen) == 2:
                break
            await asyncio.sleep(0.01)
    finally:
        for number in stopsignals.stop_signals():
            loop.remove_signal_handler(number)
    assert seen == [signal.SIGHUP, signal.SIGTERM]
    assert stopsignals.KILL == signal.SIGKILL


def test_windows_takes_ctrl_c_ctrl_break_and_the_console_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed: dict[int, Callable[[int, object], object]] = {}
    consoles: list[Callable[[], object]] = []
    monkeypatch.setattr(signal, "SIGBREAK", 21, raising=False)
    monkeypatch.delattr(signal, "SIGHUP")  # Windows has none
    monkeypatch.setattr(signal, "signal", lambda n, h: installed.setdefault(int(n), h))
    monkeypatch.setattr(stopsignals, "set_console_handler", consoles.append)
    monkeypatch.setattr(sys, "platform", "win32")
    seen: list[signal.Signals] = []

    class Loop:
        def call_soon_threadsafe(self, callback: Callable[..., object], *args: object) -> None:
            callback(*args)

    stopsignals.on_stop(Loop(), seen.append)  # type: ignore[arg-type]
    assert sorted(installed) == [signal.SIGINT, 21]
    installed[signal.SIGINT](signal.SIGINT, None)
    assert len(consoles) == 1
    consoles[0]()  # the console is closed: as SIGTERM
    assert seen == [signal.SIGINT, signal.SIGTERM]
