"""Replay with the video: a playhead that drives mpv and, while playing, follows it.

``VideoPlayhead`` is a :class:`observer.replay.playhead.Playhead` whose every change
(seek, play, pause, speed) is sent to mpv at once, and whose time while playing is
mpv's reported position (the playhead model), so the codes and the picture never
drift apart. Session time ``t`` is media time ``t + offset`` (``offset``: the media
time of session time 0; a live session is lined up with a camera recording by it).
If mpv goes away the playhead stops where it was.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from observer.media.mpv import Player
from observer.replay.playhead import Playhead

STEP_WAIT_S = 1.0
"""How long a frame step waits for mpv to report the frame it shows."""


class VideoPlayhead(Playhead):
    def __init__(
        self,
        duration: float,
        player: Player,
        *,
        offset: float = 0.0,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(duration, speed=speed, clock=clock)
        self.player = player
        self.offset = offset
        player.set_speed(speed)

    def time(self) -> float:
        player = self.player
        if not self.playing:
            return self._anchor
        if not player.alive:  # mpv gone: stop where it was
            self._anchor, self.playing = self._clamp(player.position(self._clock())), False
            return self._anchor
        t = player.position(self._clock()) - self.offset
        if t >= self.duration:
            self._anchor, self.playing = self.duration, False
            player.set_pause(True)
            return self.duration
        return max(0.0, t)

    def _clamp(self, media_t: float) -> float:
        return min(max(media_t - self.offset, 0.0), self.duration)

    def seek(self, t: float) -> float:
        at = super().seek(t)
        self.player.seek(at + self.offset, self._clock())
        return at

    def play(self) -> None:
        if self.playing:
            return
        super().play()
        mono = self._clock()
        self.player.seek(self._anchor + self.offset, mono)
        self.player.set_pause(False, mono)

    def pause(self) -> None:
        if self.playing:
            t = self.time()
            self.player.set_pause(True, self._clock())
            super().seek(t)
            self.playing = False

    def set_speed(self, speed: float) -> None:
        super().set_speed(speed)
        self.player.set_speed(speed, self._clock())

    def frame(self) -> int | None:
        """The number of the frame at the playhead (from 0), when the frame rate is known."""
        fps = self.player.fps
        return None if not fps else round((self.time() + self.offset) * fps)

    async def step_frame(self, *, back: bool) -> str | None:
        """One frame back or forward, the video paused: mpv steps, and the playhead goes
        to the time of the frame mpv then shows. A refusal (why not) or None."""
        if self.playing:
            return "frame steps are for a paused video: space pauses"
        if not self.player.alive:
            return "the video is closed"
        if not self.player.fps:
            return "this video has no frame rate: frame steps cannot be counted"
        model = self.player.model
        await self.player.settle()  # a jump just before: its frame first (its report too)
        stepped = self.player.frame_step(back=back, mono=self._clock())
        before = model.received  # after the step's own pause, which may report
        await stepped
        deadline = time.monotonic() + STEP_WAIT_S
        while model.received == before and time.monotonic() < deadline:
            await asyncio.sleep(0.005)  # mpv reports the new frame's time-pos
        self._anchor = self._clamp(model.reported)
        return None
