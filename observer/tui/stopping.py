"""A stop signal or a lost terminal ends the process, whatever the app is doing.

SIGINT, SIGTERM and SIGHUP (those the platform has, see :mod:`observer.stopsignals`;
and a terminal that is gone: a read or write that fails,
the input ending) ask the app to stop the ordinary way (``on_stop``, run on its event
loop), which gives the terminal back and leaves the journal for ``observer recover``.
That way needs a free event loop; a loop blocked in a call that never returns (as
Textual's output thread, dead after a write to a terminal that hung up, once left it)
would keep the process alive for ever, deaf to every further signal. So the handlers
are plain signal handlers, installed before the app starts (a signal during start-up
is kept and acted on at once), and the first stop also arms a deadline: if the process
still runs ``DEADLINE_S`` later, or on a second stop signal, ``drain`` closes the
journal (what it holds stays for ``observer recover``) and the process exits at once
with 128 + the signal's number, printing nothing (its terminal is usually gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from observer.stopsignals import set_console_handler, stop_signals

DEADLINE_S = 10.0
"""How long the ordinary way may take before the process is ended at once."""


class Stopper:
    """The process's stop signals; see the module docstring. ``request`` may be called
    from any thread and from a signal handler: it only puts the signal on a queue
    (``queue.SimpleQueue.put`` is reentrant), which a thread of its own acts on, so a
    signal that interrupts the main thread anywhere (holding any lock) cannot
    deadlock it."""

    def __init__(
        self,
        on_stop: Callable[[signal.Signals], None],
        drain: Callable[[], object],
        *,
        deadline: float = DEADLINE_S,
        exit_now: Callable[[int], None] = os._exit,
    ) -> None:
        self.on_stop, self.drain, self.deadline = on_stop, drain, deadline
        self.exit_now = exit_now
        self.signalled: signal.Signals | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()  # never taken by a signal handler
        self._requests: queue.SimpleQueue[signal.Signals] = queue.SimpleQueue()
        threading.Thread(target=self._watch, name="stop signals", daemon=True).start()

    def install(self) -> None:
        """Handle the platform's stop signals (``observer.stopsignals``: SIGINT, SIGTERM
        and SIGHUP where they exist; on Windows also Ctrl+Break and the console's close,
        as SIGTERM)."""
        numbers = stop_signals()
        if sys.platform == "win32":
            numbers += stop_signals(["SIGBREAK"])
        for number in numbers:
            signal.signal(number, self._handle)
        set_console_handler(lambda: self.request(signal.SIGTERM))

    def _handle(self, number: int, frame: FrameType | None) -> None:
        self.request(signal.Signals(number))

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """The app's loop is running: stops go to it (one that came before, at once)."""
        with self._lock:
            self._loop = loop
            pending = self.signalled
        if pending is not None:
            loop.call_soon(self.on_stop, pending)

    def request(self, number: signal.Signals) -> None:
        self._requests.put(number)

    def _watch(self) -> None:
        first = self._requests.get()
        with self._lock:
            self.signalled = first
            loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop: the process is ending
                loop.call_soon_threadsafe(self.on_stop, first)
        with contextlib.suppress(queue.Empty):  # a second stop ends the wait at once
            self._requests.get(timeout=self.deadline)
        try:
            self.drain()
        finally:
            self.exit_now(128 + first)
