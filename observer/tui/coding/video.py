"""Coding from a video (``observer code --video FILE``): the screen's video keys.

The video keys are rows of the coding screen's key table (``keys.py``, listed only
with a video); the screen hands them to :class:`VideoControl`. Everything else
(codes, modifiers, undo, notes, segments, the end) is the screen's as usual. The session clock is the media position: the recorder's
``position`` is the player's playhead model, so a code is stamped with the video
position at the key's arrival (``event.time``), never with a fresh IPC round trip.

Space starts the session on its first press (journaled as the clock start) and
then plays and pauses the video; codes are taken while the video is paused (code
on a still frame). Seeking never deletes events; the session file lists them by
time. If mpv goes away the playhead stops where it was, every action is already in
the journal, the screen says so and ctrl+o reopens the video at that position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Input

from observer.media.mpv import MAX_SPEED, MIN_SPEED, MediaError, Player
from observer.tui.coding.feedback import LogRow
from observer.tui.widgets.clock import format_clock
from observer.tui.widgets.event_log import EventLog

if TYPE_CHECKING:
    from observer.tui.coding.screen import CodingScreen

VIDEO_KEYS = frozenset(
    {"space", "left", "right", "shift+left", "shift+right", "f5", "f6", "f7", "f8", "ctrl+t"}
)
"""The keys :meth:`VideoControl.press` takes (ctrl+o too); their rows are in keys.py."""
SEEKS = {"left": -1.0, "right": 1.0, "shift+left": -5.0, "shift+right": 5.0}
TIME_PATTERN = re.compile(r"^\s*(?:(\d+):)?(\d+(?:\.\d*)?)\s*$")


def parse_time(text: str) -> float | None:
    """``12.5``, ``1:02.5`` or ``1:02``: seconds; None if it is not a time."""
    match = TIME_PATTERN.match(text)
    if match is None:
        return None
    minutes, seconds = match.groups()
    return int(minutes or 0) * 60 + float(seconds)


class VideoControl:
    """The video of one coding screen: mpv, its keys, its status line."""

    def __init__(self, path: Path, args: list[str]) -> None:
        self.path = path
        self.args = args
        self.player: Player | None = None
        self.typing_time = False
        self.screen: CodingScreen | None = None
        self.on_lost: Callable[[], None] | None = None

    async def open(self, at: float = 0.0) -> Player:
        """Start mpv on the file (MediaError with one line if it cannot play it)."""
        player = await Player.start(self.path, self.args)
        player.on_exit = self._lost
        if at > 0:
            await player.seek(at)
        self.player = player
        return player

    async def close(self) -> None:
        if self.player is not None:
            await self.player.close()

    @property
    def alive(self) -> bool:
        return self.player is not None and self.player.alive

    @property
    def stopped(self) -> bool:
        """The playhead stands still (paused, or mpv gone)."""
        return self.player is None or not self.player.alive or self.player.paused

    def position(self, mono: float) -> float:
        """The playhead at ``mono`` (the recorder's session clock)."""
        return self.player.position(mono) if self.player is not None else 0.0

    # --- keys -----------------------------------------------------------------------

    def press(self, screen: CodingScreen, key: str, mono: float) -> bool:
        """Handle a video key; False if ``key`` is not one."""
        player = self.player
        if key == "ctrl+o":
            self.reopen(screen)
            return True
        if key not in VIDEO_KEYS:
            return False
        if player is None or not player.alive:
            screen.refuse(key, "the video is closed: ctrl+o reopens it", mono)
            return True
        if key == "space":
            if not screen.recorder.clock.started:
                screen.acknowledge("space", screen.recorder.toggle_clock(mono), mono)
                player.set_pause(False, mono)
            else:
                player.set_pause(not player.paused, mono)
                self.info(screen, "video paused" if player.paused else "video playing", mono)
        elif key in SEEKS:
            self.seek_to(screen, player.position(mono) + SEEKS[key], mono)
        elif key in ("f5", "f6"):
            if not player.paused:
                screen.refuse(key, "frame steps are for a paused video: space pauses", mono)
                return True
            player.frame_step(back=key == "f5", mono=mono)
            self.info(screen, "frame back" if key == "f5" else "frame forward", mono)
        elif key in ("f7", "f8"):
            speed = player.speed * (0.5 if key == "f7" else 2.0)
            player.set_speed(min(MAX_SPEED, max(MIN_SPEED, speed)), mono)
            self.info(screen, f"speed {player.speed:g}×", mono)
        elif key == "ctrl+t":
            self.open_time_input(screen)
        return True

    def seek_to(self, screen: CodingScreen, target: float, mono: float) -> None:
        assert self.player is not None
        self.player.seek(target, mono)
        self.info(screen, f"playhead → {format_clock(self.player.position(mono))}", mono)

    def info(self, screen: CodingScreen, message: str, mono: float) -> None:
        """A line in the log at the playhead, and on the prompt line."""
        t = self.position(mono)
        screen.say(Text(message, style=screen.colour("info")))
        screen.query_one(EventLog).append(LogRow(t, "video", message, role="info"))
        screen.tick()

    # --- go to a typed time -----------------------------------------------------------

    def open_time_input(self, screen: CodingScreen) -> None:
        self.typing_time = True
        field = Input(id="goto", placeholder="go to time (s or m:ss.s) · enter goes · escape")
        screen.mount(field, after="#prompt")
        field.focus()

    def close_time_input(self, screen: CodingScreen, text: str | None) -> None:
        self.typing_time = False
        for field in screen.query("#goto"):
            field.remove()
        screen.query_one(EventLog).focus()
        if text is None:
            screen.say(Text("go to time cancelled", style=screen.colour("info")))
            return
        target = parse_time(text)
        if target is None:
            screen.refuse("^t", f"not a time: {text!r} (seconds or m:ss.s)")
        elif self.alive:
            self.seek_to(screen, target, screen.now())

    # --- mpv gone and back ----------------------------------------------------------

    def _lost(self) -> None:
        if self.on_lost is not None:
            self.on_lost()

    def reopen(self, screen: CodingScreen) -> None:
        if self.alive:
            screen.say(Text("the video is open", style=screen.colour("info")))
            return
        at = self.position(screen.now())

        async def run() -> None:
            try:
                await self.open(at)
            except MediaError as error:
                screen.refuse("^o", str(error))
                return
            screen.say(Text(f"video reopened at {format_clock(at)}", style=screen.colour("info")))
            screen.tick()

        screen.run_worker(run(), group="video", exclusive=True)

    def status(self, mono: float, alarm: Style | str = "") -> Text:
        """The video's part of the status line; ``alarm``: the style of a closed video."""
        text = Text()
        player = self.player
        if player is None or not player.alive:
            text.append(
                "  VIDEO CLOSED · every action is saved · ctrl+o reopens ",
                style=alarm,
            )
            return text
        state = "❚❚" if player.paused else "▶"
        frame = f" f{player.frame}" if player.frame is not None else ""
        text.append(f"  {state} {player.speed:g}× {format_clock(player.position(mono))}{frame}")
        return text
