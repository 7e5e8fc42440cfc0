"""Time sampling on the coding screen: the scan prompt line.

A codebook with a ``sampling`` block asks a scan at every multiple of ``every_s``
on the session clock (pauses excluded). :class:`ScanPrompt` arms a timer for the
next instant whenever the clock runs (and drops it while paused), asks the
recorder for the scan when it fires (``Recorder.prompt``: journaled), rings the
terminal bell if the codebook asks for it, and shows the prompt with the answer
keys until every sampled stream has its answer. The answers themselves are keys,
handled by the recorder like any other (see ``observer.live.recorder``).
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from observer.codebook import Sampling
from observer.tui.plain import plain
from observer.tui.widgets.clock import format_clock

LEAD_S = 0.025
"""The timer is armed this long before the instant and the last stretch is waited out
on the screen (an event-loop timer can be a few milliseconds late; a prompt should
not be): measured by ``python -m benchmarks``."""
WATCH_S = 0.05
"""How often the prompt looks at the clock (armed once it runs, dropped once paused)."""


class ScanPrompt(Static):
    """The scan prompt of a sampling codebook (hidden while no scan is open)."""

    def __init__(self, sampling: Sampling, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sampling = sampling
        self._timer: Timer | None = None
        self._armed_for: float | None = None

    def on_mount(self) -> None:
        self.display = False
        self.set_interval(WATCH_S, self.watch_clock)

    @property
    def _screen(self) -> Any:
        return self.screen  # the CodingScreen (its recorder, its clock's ``now``)

    def watch_clock(self) -> None:
        """Arm the timer for the next instant while the clock runs; drop it otherwise."""
        screen = self._screen
        if not getattr(screen, "attached", False):
            return
        running = screen.recorder.clock.state == "running"
        if running and self._timer is None:
            self.arm()
        elif not running and self._timer is not None:
            self._timer.stop()
            self._timer, self._armed_for = None, None
        self.show()

    def arm(self, least: float = 0.0) -> None:
        """Set the timer for the next instant (at least ``least`` seconds from now)."""
        screen = self._screen
        rec = screen.recorder
        due = rec.next_due()
        if due is None or rec.clock.state != "running":
            return
        delay = max(least, due - rec.time_at(screen.now()) - LEAD_S)
        self._armed_for = due
        self._timer = self.set_timer(delay, self.fire)

    def fire(self) -> None:
        """Wait out the last milliseconds, ask the scan (journaled), ring, show, re-arm."""
        screen = self._screen
        rec = screen.recorder
        self._timer = None
        due = self._armed_for
        if due is None or rec.clock.state != "running" or due != rec.next_due():
            return  # paused (or ended) as it came: armed again on resume
        mono = screen.now()
        if rec.time_at(mono) < due - 2 * LEAD_S:
            self.arm()  # a timer much too early (or a video paused): armed again
            return
        give_up = mono + 2 * LEAD_S  # a video paused in these milliseconds stops its time
        while rec.time_at(mono) < due and mono < give_up:
            time.sleep(0)  # lets the journal's and the stamper's threads run meanwhile
            mono = screen.now()
        outcome = rec.prompt(due, mono)
        if outcome.ok:
            if self.sampling.bell:
                self.app.bell()
            screen.acknowledge("scan", outcome, mono)
        self.arm(0.0 if outcome.ok else WATCH_S)  # refused: not due yet (a paused video)
        self.show()

    def show(self) -> None:
        """The open scan: its instant, the prompt and the answer keys still asked."""
        rec = self._screen.recorder
        due = rec.open_scan
        self.display = due is not None
        if due is None:
            return
        answered = rec.answered(due)
        keys = []
        for code_id in self.sampling.codes:
            code = rec.book.code_by_id[code_id]
            if code.stream not in answered:
                keys.append(f"{code.key} {code.label}")
        text = Text.assemble(
            (f"SCAN {format_clock(due)[:7]}", "bold"),
            " ",
            plain(self.sampling.prompt, "bold"),
            "  ",
            plain(" · ".join(keys)),
        )
        self.update(text)
