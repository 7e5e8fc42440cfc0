"""Coding from a video (``observer code --video FILE``): the screen's video keys.

The video keys are rows of the coding screen's key table (``keys.py``, listed only
with a video), each naming one method of :class:`VideoControl` (``seek(-1.0)``,
``frame(True)``, ``speed(2.0)``, ``go_to``, ``reopen``); space stays the screen's
(it starts the session) and hands play / pause to :meth:`VideoControl.play_pause`.
The video never touches the screen's widgets: it tells the screen what happened
through a :class:`Report` (say, refuse, log, ask for a time). Everything else (codes,
modifiers, undo, notes, segments, the end) is the screen's as usual. The session clock is the media position: the recorder's
``position`` is the player's playhead model, so a code is stamped with the video
position at the key's arrival (``event.time``), never with a fresh IPC round trip.

Space starts the session on its first press (journaled as the clock start) and
then plays and pauses the video; codes are taken while the video is paused (code
on a still frame). Seeking never deletes events; the session file lists them by
time. If mpv goes away the playhead stops where it was, every action is already in
the journal, the screen says so and ctrl+o reopens the video at that position.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Input

from observer.tui.widgets.clock import format_clock

if TYPE_CHECKING:  # mpv's client is loaded with the video, not with every coding screen
    from observer.media.mpv import Player

TIME_PATTERN = re.compile(r"^\s*(?:(\d+):)?(\d+(?:\.\d*)?)\s*$")


def parse_time(text: str) -> float | None:
    """``12.5``, ``1:02.5`` or ``1:02``: seconds; None if it is not a time."""
    match = TIME_PATTERN.match(text)
    if match is None:
        return None
    minutes, seconds = match.groups()
    return int(minutes or 0) * 60 + float(seconds)


class Report(Protocol):
    """What a video key tells the screen; the screen shows it, with the key's name."""

    def say(self, message: str) -> None:
        """An information line on the prompt."""

    def refuse(self, message: str, mono: float | None = None) -> None:
        """The key is refused, saying why: on the prompt and in the log."""

    def log(self, message: str, t: float) -> None:
        """What the key did, at session time ``t``: on the prompt and in the log."""

    def ask_time(self) -> None:
        """Open the go-to-time field (it answers with a :class:`TimeField.Entered`)."""


class TimeField(Input):
    """The go-to-time field: enter or escape posts :class:`TimeField.Entered`."""

    class Entered(Message):
        """The typed text (None: escape cancelled)."""

        def __init__(self, text: str | None) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__(id="goto", placeholder="go to time (s or m:ss.s) · enter goes · escape")

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            self.post_message(self.Entered(None))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Entered(event.value))


class VideoControl:
    """The video of one coding screen: mpv, its keys, its status line."""

    def __init__(self, path: Path, args: list[str]) -> None:
        self.path = path
        self.args = args
        self.player: Player | None = None
        self.on_lost: Callable[[], None] | None = None
        self._reopening: asyncio.Task[None] | None = None

    async def open(self, at: float = 0.0) -> Player:
        """Start mpv on the file (MediaError with one line if it cannot play it)."""
        from observer.media.mpv import Player

        player = await Player.start(self.path, self.args)
        player.on_exit = self._lost
        if at > 0:
            await player.seek(at)
        self.player = player
        return player

    async def close(self) -> None:
        if self._reopening is not None:
            self._reopening.cancel()
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

    # --- keys: each a row of the coding key table ----------------------------------

    def _playing(self, mono: float, report: Report) -> Player | None:
        """The player, or None with the key refused because mpv is gone."""
        if self.player is None or not self.player.alive:
            report.refuse("the video is closed: ctrl+o reopens it", mono)
            return None
        return self.player

    def start(self, mono: float) -> None:
        """The session's first space (the screen started the clock): play."""
        if self.player is not None:
            self.player.set_pause(False, mono)

    def play_pause(self, mono: float, report: Report) -> None:
        player = self._playing(mono, report)
        if player is not None:
            player.set_pause(not player.paused, mono)
            self._did("video paused" if player.paused else "video playing", mono, report)

    def seek(self, by: float, mono: float, report: Report) -> None:
        player = self._playing(mono, report)
        if player is not None:
            self.seek_to(player.position(mono) + by, mono, report)

    def frame(self, back: bool, mono: float, report: Report) -> None:
        player = self._playing(mono, report)
        if player is None:
            return
        if not player.paused:
            report.refuse("frame steps are for a paused video: space pauses", mono)
            return
        player.frame_step(back=back, mono=mono)
        self._did("frame back" if back else "frame forward", mono, report)

    def speed(self, factor: float, mono: float, report: Report) -> None:
        from observer.media.mpv import MAX_SPEED, MIN_SPEED

        player = self._playing(mono, report)
        if player is not None:
            player.set_speed(min(MAX_SPEED, max(MIN_SPEED, player.speed * factor)), mono)
            self._did(f"speed {player.speed:g}×", mono, report)

    def go_to(self, mono: float, report: Report) -> None:
        """Ask for a time; the screen hands the answer to :meth:`go_to_typed`."""
        if self._playing(mono, report) is not None:
            report.ask_time()

    def go_to_typed(self, text: str, mono: float, report: Report) -> None:
        target = parse_time(text)
        if target is None:
            report.refuse(f"not a time: {text!r} (seconds or m:ss.s)")
        elif self.alive:
            self.seek_to(target, mono, report)

    def seek_to(self, target: float, mono: float, report: Report) -> None:
        assert self.player is not None
        self.player.seek(target, mono)
        self._did(f"playhead → {format_clock(self.player.position(mono))}", mono, report)

    def _did(self, message: str, mono: float, report: Report) -> None:
        report.log(message, self.position(mono))

    # --- mpv gone and back ----------------------------------------------------------

    def _lost(self) -> None:
        if self.on_lost is not None:
            self.on_lost()

    def reopen(self, mono: float, report: Report) -> None:
        if self.alive:
            report.say("the video is open")
            return
        if self._reopening is not None and not self._reopening.done():
            report.say("the video is reopening")
            return
        at = self.position(mono)

        async def run() -> None:
            from observer.media.mpv import MediaError

            try:
                await self.open(at)
            except (MediaError, OSError) as error:
                report.refuse(str(error))
                return
            report.say(f"video reopened at {format_clock(at)}")

        self._reopening = asyncio.get_running_loop().create_task(run())

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
