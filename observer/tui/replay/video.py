"""``observer replay SESSION --video FILE [--offset S]``: the replay screen's video.

Once mpv plays the file the screen's playhead becomes a
:class:`observer.media.follow.VideoPlayhead`: the screen's own keys (play, pause,
speed, every jump: events, notes, reviews, disagreements, typed times, clicks) go
through it to mpv, and while playing mpv's position drives the playhead. Nothing
else of the screen changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from observer.media.follow import VideoPlayhead
from observer.media.identity import head_tail_sha256
from observer.media.mpv import Player
from observer.replay.playhead import Playhead

if TYPE_CHECKING:
    from observer.tui.replay.screen import ReplayScreen


class ReplayVideo:
    def __init__(self, path: Path, args: list[str], offset: float) -> None:
        self.path = path
        self.args = args
        self.offset = offset
        """Media time of session time 0."""
        self.player: Player | None = None

    async def open(self, screen: ReplayScreen) -> Player:
        """Start mpv (MediaError if it cannot play the file) and give the screen a
        playhead that drives it, at the screen's current time."""
        player = await Player.start(self.path, self.args)
        self.player = player
        screen.make_playhead = self.make_playhead
        model = getattr(screen, "model", None)
        if model is not None:
            old = model.playhead
            new = self.make_playhead(model.session.duration, speed=old.speed, clock=screen.clock)
            new.seek(old.time())
            model.playhead = new
            if old.playing:
                new.play()
            screen.sync()
        screen.show_hints()
        return player

    def make_playhead(
        self, duration: float, *, speed: float, clock: Callable[[], float]
    ) -> Playhead:
        assert self.player is not None
        return VideoPlayhead(duration, self.player, offset=self.offset, speed=speed, clock=clock)

    def mismatch(self, screen: ReplayScreen) -> str | None:
        """A warning if the file is not the one the session was coded from."""
        model = getattr(screen, "model", None)
        media = model.session.media if model is not None else None
        if media is None:
            return None
        size, digest = head_tail_sha256(self.path)
        if (size, digest) != (media.bytes, media.sha256_head_tail):
            return f"{self.path.name} is not the file this session was coded from ({media.file})"
        return None

    async def close(self) -> None:
        if self.player is not None:
            await self.player.close()
