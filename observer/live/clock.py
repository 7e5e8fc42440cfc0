"""The session clock: monotonic key-arrival times mapped onto session time.

Session time starts at 0 with the first ``start`` (the observer's first
``space``), stands still while paused, and never runs backwards. Every input is
a *monotonic* time (``time.monotonic`` base: Textual's ``event.time``), so an
event is stamped with the moment its key arrived, never when a handler ran::

    clock = SessionClock()
    clock.start(mono)              # session time 0 at this instant
    clock.session_time(mono + 2.5) # -> 2.5
    clock.pause(mono + 3)          # stands at 3.0
    clock.resume(mono + 10)        # Pause(at=3.0, wall_s=7.0) recorded
    clock.session_time(mono + 11)  # -> 4.0

A toggle at the very instant of the one before (the coding screen undoing a held
space's first repeat, :mod:`observer.live.hold`) folds it away: a pause at the
instant of a resume reopens the pause that resume closed, and a resume at the instant
of a pause leaves no pause of 0 s behind. Keys never share an instant otherwise (the
second space of one read is a repeat, refused).

Suspend: CLOCK_MONOTONIC does not advance while the machine sleeps, so a
laptop suspended mid-session loses the sleep from session time (which is what an
observer wants: nothing was coded then). The UTC wall-clock start
(``started_wall``) is recorded separately for the session file's ``started_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from observer.sessionfile import Pause

ClockState = Literal["ready", "running", "paused", "ended"]


class ClockError(Exception):
    """An operation that the clock's state does not allow (e.g. pausing before start)."""


class SessionClock:
    """Session time from monotonic times; see the module docstring."""

    def __init__(self) -> None:
        self.state: ClockState = "ready"
        self.started_mono: float | None = None
        """Monotonic time of the start (session time 0)."""
        self.started_wall: datetime | None = None
        """UTC wall-clock time of the start."""
        self.pauses: list[Pause] = []
        """Finished pauses, in order (an open pause is added by ``stop``)."""
        self._origin = 0.0  # session time = mono - origin while running
        self._held = 0.0  # session time while paused or ended; floor while running
        self._paused_mono = 0.0
        self._resumed_mono: float | None = None

    @property
    def started(self) -> bool:
        return self.state != "ready"

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def final_time(self) -> float:
        """The session time the clock stopped at (0 before it has run)."""
        return self._held if self.state == "ended" else 0.0

    def session_time(self, mono: float) -> float:
        """Session time at monotonic time ``mono`` (0 before the start).

        While running it never goes below the time of the last start or resume, so
        a key that arrived a hair before a resume is stamped at the resume.
        """
        if self.state == "running":
            return max(mono - self._origin, self._held)
        return self._held

    def start(self, mono: float, wall: datetime | None = None) -> None:
        if self.state != "ready":
            raise ClockError(f"the clock is {self.state}, it cannot start")
        self.state = "running"
        self.started_mono = mono
        self.started_wall = wall if wall is not None else datetime.now(UTC)
        self._origin = mono
        self._held = 0.0

    def pause(self, mono: float) -> float:
        """Stop the clock; return the session time it stands at."""
        if self.state != "running":
            raise ClockError(f"the clock is {self.state}, it cannot pause")
        if mono == self._resumed_mono and self.pauses:  # a run of 0 s: reopen the pause
            reopened = self.pauses.pop()
            self._held = reopened.at
            self._paused_mono = mono - reopened.wall_s
            self._resumed_mono = None
            self.state = "paused"
            return self._held
        self._held = self.session_time(mono)
        self._paused_mono = max(mono, self._paused_mono)
        self.state = "paused"
        return self._held

    def resume(self, mono: float) -> Pause:
        """Run again from where it stood; return the pause just finished."""
        if self.state != "paused":
            raise ClockError(f"the clock is {self.state}, it cannot resume")
        if mono == self._paused_mono:  # a pause of 0 s: none at all
            self._origin = mono - self._held
            self.state = "running"
            return Pause(at=self._held, wall_s=0.0)
        pause = self._close_pause(mono)
        self._resumed_mono = mono
        self._origin = max(mono, self._paused_mono) - self._held
        self.state = "running"
        return pause

    def toggle(self, mono: float, wall: datetime | None = None) -> ClockState:
        """``space``: start, pause or resume. Returns the new state."""
        if self.state == "ready":
            self.start(mono, wall)
        elif self.state == "running":
            self.pause(mono)
        elif self.state == "paused":
            self.resume(mono)
        else:
            raise ClockError("the session has ended")
        return self.state

    def stop(self, mono: float) -> float:
        """End for good (closing an open pause); return the final session time."""
        if self.state == "ready" or self.state == "ended":
            raise ClockError(f"the clock is {self.state}, it cannot end")
        if self.state == "paused":
            self._close_pause(mono)
        else:
            self._held = self.session_time(mono)
        self.state = "ended"
        return self._held

    def _close_pause(self, mono: float) -> Pause:
        pause = Pause(at=self._held, wall_s=max(0.0, mono - self._paused_mono))
        self.pauses.append(pause)
        return pause
