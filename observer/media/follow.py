"""Replay with the video: a playhead that drives mpv and, while playing, follows it.

``VideoPlayhead`` is a :class:`observer.replay.playhead.Playhead` whose every change
(seek, play, pause, speed) is sent to mpv at once, and whose time while playing is
mpv's reported position (the playhead model), so the codes and the picture never
drift apart. Session time ``t`` is media time ``t + offset`` (``offset``: the media
time of session time 0; a live session is lined up with a camera recording by it).
If mpv goes away the playhead stops where it was. A frame step pauses and seeks
exactly to the next or previous frame's time (frame ``k`` shows from ``k / fps``), so
the playhead stands on the frame mpv shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from observer.media.mpv import Player
from observer.replay.playhead import Playhead


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

    @property
    def frame(self) -> int | None:
        fps = self.player.fps
        return round((self.time() + self.offset) * fps) if fps else None

    def step_frame(self, *, back: bool) -> str | None:
        fps = self.player.fps
        if not self.player.alive:
            return "the video is closed"
        if not fps:
            return "this file has no frame rate: no frame steps"
        self.pause()
        frame = round((self.time() + self.offset) * fps) + (-1 if back else 1)
        self.seek(frame / fps - self.offset)
        return None
