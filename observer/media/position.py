"""The playhead model: the video position at any monotonic instant.

mpv reports ``time-pos`` asynchronously; a key's time must be the position *at the
key's arrival* (``event.time``), not when a handler ran nor after a fresh IPC round
trip. So the model keeps the last reported position and the monotonic time it was
received, and extrapolates while playing::

    position(mono) = reported + (mono - received) * speed     (playing)
    position(mono) = reported                                  (paused)

clamped to [0, duration]. With the frame rate known (``fps``) the advance is counted
in whole frames: mpv reports the time of the frame it shows, so the position at a key
is the time of the frame on screen then, the one a reviewer stepping frame by frame
lands on (a continuous value would fall anywhere inside that frame's 1/fps). Local commands (pause, seek, speed) update the model at
once, at the key's own time, so a key right after them is stamped correctly before
mpv confirms.
"""

from __future__ import annotations

import math

import attrs


@attrs.define
class PositionModel:
    reported: float = 0.0
    """Last known position (s)."""
    received: float = 0.0
    """Monotonic time at which ``reported`` was true."""
    speed: float = 1.0
    paused: bool = True
    duration: float | None = None
    fps: float | None = None

    def at(self, mono: float) -> float:
        """The position at monotonic time ``mono``."""
        t = self.reported
        if not self.paused:
            advance = max(0.0, mono - self.received) * self.speed
            if self.fps:
                advance = math.floor(advance * self.fps + 1e-6) / self.fps
            t += advance
        if self.duration is not None:
            t = min(t, self.duration)
        return max(0.0, t)

    def report(self, position: float, mono: float) -> None:
        """mpv said the position is ``position``; we heard it at ``mono``."""
        self.reported = position
        self.received = mono

    def set_paused(self, paused: bool, mono: float) -> None:
        if paused != self.paused:
            self.report(self.at(mono), mono)
            self.paused = paused

    def set_speed(self, speed: float, mono: float) -> None:
        self.report(self.at(mono), mono)
        self.speed = speed

    def seek(self, position: float, mono: float) -> None:
        self.report(position, mono)
