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

from typing import Any

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from observer.codebook import Sampling
from observer.tui.plain import plain
from observer.tui.widgets.clock import format_clock

EARLY_S = 0.0005
"""A timer that fires this much before its instant or more is armed again."""
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
        rec = screen.recorder
        running = rec.clock.state == "running"
        if running and self._timer is None:
            self.arm()
        elif not running and self._timer is not None:
            self._timer.stop()
            self._timer, self._armed_for = None, None
        self.show()

    def arm(self) -> None:
        screen = self._screen
        rec = screen.recorder
        due = rec.next_due()
        if due is None:
            return
        delay = max(0.0, due - rec.clock.session_time(screen.now()))
        self._armed_for = due
        self._timer = self.set_timer(delay, self.fire)

    def fire(self) -> None:
        screen = self._screen
        rec = screen.recorder
        self._timer = None
        due = self._armed_for
        if due is None or rec.clock.state != "running" or due != rec.next_due():
            return  # paused (or ended) as it came: armed again on resume
        mono = screen.now()
        if rec.clock.session_time(mono) < due - EARLY_S:
            self.arm()  # a timer a little early: wait for the instant itself
            return
        outcome = rec.prompt(due, mono)
        if outcome.ok:
            if self.sampling.bell:
                self.app.bell()
            screen.acknowledge("scan", outcome, mono)
        self.arm()
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
