"""The playback clock: where the replay is, derived from a monotonic clock, never ticks.

While playing, the time is ``anchor + (clock() − anchor_clock) × speed``: a timer
only asks for it and redraws, so a late or skipped tick never drifts the replay.
Every change (play, pause, seek, speed) re-anchors at the current time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
MIN_SPEED, MAX_SPEED = SPEEDS[0], SPEEDS[-1]


def check_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed {speed:g} is outside {MIN_SPEED:g}× to {MAX_SPEED:g}×")
    return float(speed)


class Playhead:
    def __init__(
        self,
        duration: float,
        *,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.duration = max(0.0, duration)
        self.speed = check_speed(speed)
        self.playing = False
        self._clock = clock
        self._anchor = 0.0
        self._anchor_clock = clock()

    def time(self) -> float:
        """The playhead's session time now; playback stops by itself at the end."""
        if not self.playing:
            return self._anchor
        t = self._anchor + (self._clock() - self._anchor_clock) * self.speed
        if t >= self.duration:
            self._anchor, self.playing = self.duration, False
            return self.duration
        return t

    def _reanchor(self, t: float) -> None:
        self._anchor = min(max(t, 0.0), self.duration)
        self._anchor_clock = self._clock()

    def seek(self, t: float) -> float:
        self._reanchor(t)
        return self._anchor

    def play(self) -> None:
        if self.playing:
            return
        start = 0.0 if self._anchor >= self.duration else self._anchor
        self._reanchor(start)
        self.playing = True

    def pause(self) -> None:
        if self.playing:
            self._reanchor(self.time())
            self.playing = False

    def toggle(self) -> bool:
        """Play or pause; returns whether it now plays."""
        if self.playing:
            self.pause()
        else:
            self.play()
        return self.playing

    def set_speed(self, speed: float) -> None:
        self._reanchor(self.time())
        self.speed = check_speed(speed)

    def change_speed(self, direction: int) -> float:
        """Step to the next faster (direction > 0) or slower preset speed."""
        if direction > 0:
            faster = [s for s in SPEEDS if s > self.speed + 1e-9]
            self.set_speed(faster[0] if faster else MAX_SPEED)
        else:
            slower = [s for s in SPEEDS if s < self.speed - 1e-9]
            self.set_speed(slower[-1] if slower else MIN_SPEED)
        return self.speed
