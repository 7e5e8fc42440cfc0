"""The signals that end observer as a quit does, on each platform.

- **POSIX** (Linux, macOS): SIGINT, SIGTERM and SIGHUP (a closed terminal) are handled
  on the event loop, so the app leaves the terminal as a quit does.
- **Windows**: there is no SIGHUP and an event loop cannot take signals. Ctrl+C
  (SIGINT) and Ctrl+Break (SIGBREAK) are handled with ``signal.signal``, and the
  console's close, log-off and shutdown events through ``SetConsoleCtrlHandler``;
  each is passed to the loop's thread. Windows ends the process a few seconds after a
  close event whatever it does (every acknowledged action is on disk by then anyway).

:data:`KILL` is the last resort when a child will not end: SIGKILL where it exists,
else SIGTERM (which on Windows is ``TerminateProcess``, as final as SIGKILL).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence

STOP_NAMES = ("SIGINT", "SIGTERM", "SIGHUP")
"""Signals that end a coding session as a quit does, by name (those that exist here)."""

KILL: signal.Signals = getattr(signal, "SIGKILL", signal.SIGTERM)
PR_SET_PDEATHSIG = 1
"""prctl(2): the signal the calling process gets when its parent thread dies."""

CONSOLE_EVENTS = {2: "close", 5: "log-off", 6: "shutdown"}
"""Windows console control events handled as SIGTERM (CTRL_CLOSE_EVENT...)."""
CONSOLE_GRACE_S = 4.0
"""Windows: how long a close event's handler holds the process for the app to quit."""


def stop_signals(names: Sequence[str] = STOP_NAMES) -> tuple[signal.Signals, ...]:
    """The signals of ``names`` that this platform has."""
    return tuple(getattr(signal, name) for name in names if hasattr(signal, name))


def on_stop(
    loop: asyncio.AbstractEventLoop,
    callback: Callable[[signal.Signals], None],
    names: Sequence[str] = STOP_NAMES,
) -> None:
    """Call ``callback(signal)`` on ``loop``'s thread when one of ``names`` arrives (or,
    on Windows, the console is closed: as SIGTERM)."""
    if sys.platform != "win32":
        for number in stop_signals(names):
            loop.add_signal_handler(number, callback, number)
        return
    windows = [*stop_signals([n for n in names if n != "SIGTERM"]), *stop_signals(["SIGBREAK"])]
    for number in windows:
        signal.signal(number, lambda n, _f: loop.call_soon_threadsafe(callback, signal.Signals(n)))
    if "SIGTERM" in names or "SIGHUP" in names:
        set_console_handler(lambda: loop.call_soon_threadsafe(callback, signal.SIGTERM))


def set_console_handler(stop: Callable[[], object]) -> None:
    """Windows: run ``stop`` on a console close, log-off or shutdown event and hold the
    process up to :data:`CONSOLE_GRACE_S` for the app to quit (the process ends as soon
    as the app's own thread does)."""
    if sys.platform != "win32":
        return
    import ctypes
    from ctypes import wintypes

    def handler(event: int) -> bool:
        if event not in CONSOLE_EVENTS:
            return False  # Ctrl+C and Ctrl+Break go to the signal handlers
        stop()
        time.sleep(CONSOLE_GRACE_S)
        return True

    prototype = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)
    callback = prototype(handler)
    _KEEP.append(callback)  # the C side holds only a pointer: keep the object alive
    ctypes.windll.kernel32.SetConsoleCtrlHandler(callback, True)


_KEEP: list[object] = []


def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``: from the symbols the interpreter already has (it is linked
    with libc), else the C library found by name (which runs ``ldconfig``: the key
    recorder asks for this while the coding screen draws its first frame)."""
    import ctypes

    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        pass
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        prctl = ctypes.CDLL(name, use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        return None


def die_with_parent() -> Callable[[], None] | None:
    """On Linux, a function for ``preexec_fn``, run in a child before its program starts:
    SIGKILL the child when the thread that started it dies (observer's, however it ends,
    SIGKILL included), and at once if observer is already gone. Looked up before the
    fork, so the child only makes two system calls. None elsewhere (no such signal)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()
    kill = int(signal.SIGKILL)

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:  # observer died before the signal was armed
            os._exit(1)

    return arm


def pid_runs(pid: int) -> bool:
    """Whether process ``pid`` may still run: False only when it is surely gone (no such
    process, or no possible pid); another user's process, or any doubt, is True. On
    Windows, where a signal 0 would be Ctrl+C, always True (nothing is taken for dead)."""
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:
        return True
    return True
