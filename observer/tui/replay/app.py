"""The ``observer replay`` application: one replay screen over one (or two) sessions.

Given the sessions (tests), the screen starts with them. Given only the files'
bytes (the command), it shows its first frame at once, with the session's first
minute when the file is large enough to be worth it (``observer.replay.preview``),
and loads the whole file in a thread once that frame is out; a file that does not
validate ends the app with its problems as the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from observer.errors import Problem
from observer.replay.loading import Opened, compare, open_replay
from observer.replay.preview import read_beginning
from observer.replay.timeline import INITIAL_SPAN
from observer.tui import styles
from observer.tui.plain import notice
from observer.tui.replay.keys import KEYS
from observer.tui.replay.screen import ReplayScreen

if TYPE_CHECKING:
    from observer.sessionfile import Session
    from observer.tui.replay.video import ReplayVideo

PREVIEW_ROWS = 300
"""A preview holds at least this many events: more than any terminal shows at once."""


class ReplayApp(App[tuple[Problem, ...]]):
    CSS_PATH = styles.REPLAY
    TITLE = "observer replay"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "quit", show=False),
    ]

    def __init__(
        self,
        path: Path,
        session: Session | None = None,
        *,
        other: Session | None = None,
        opened: Opened | None = None,
        data: bytes | None = None,
        other_path: Path | None = None,
        other_data: bytes | None = None,
        speed: float = 1.0,
        tolerance: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        config: Path | None = None,
        video: ReplayVideo | None = None,
    ) -> None:
        super().__init__()
        self.video = video
        """``--video``: the recording played with the replay (observer.tui.replay.video)."""
        self.media_error: str | None = None
        """mpv could not play the video (one line saying what to do): exit status 2."""
        load = preview = None
        if opened is None and session is not None:
            opened = Opened(session)
            if other is not None:
                comparison, report = compare(session, other, tolerance)
                opened = Opened(session, other, comparison, agreement=report)
        elif opened is None:
            if other_path is None and data is not None:
                preview = read_beginning(data, str(path), until=INITIAL_SPAN, rows=PREVIEW_ROWS)
            load = partial(
                open_replay,
                path,
                data,
                other_path=other_path,
                other_data=other_data,
                tolerance=tolerance,
            )
        self.replay = ReplayScreen(
            path, opened, load=load, preview=preview, speed=speed, clock=clock, config=config
        )
        self.crash: Exception | None = None
        """The unhandled exception that stopped the app, if one did."""

    def _handle_exception(self, error: Exception) -> None:
        """As the coding app: keep the exception for the command (one line, the traceback
        logged, exit status 1), never textual's full-screen traceback with local
        variables (they may hold the session)."""
        self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()

    def get_default_screen(self) -> Screen[None]:
        # The replay screen is the app's first screen: no blank default screen is
        # drawn before it.
        return self.replay

    def on_ready(self) -> None:
        # The first frame is on its way to the terminal: only now start the load,
        # whose parsing would otherwise hold the GIL while that frame is drawn.
        self.replay.start_loading()
        if self.video is not None:
            self.run_worker(self._open_video(), group="video", exclusive=True)

    async def _open_video(self) -> None:
        from observer.media.mpv import MediaError

        assert self.video is not None
        try:
            await self.video.open(self.replay)
        except MediaError as error:
            self.media_error = str(error)
            self.exit(None, 2)
            return
        if self.replay.ready:
            self.warn_if_other_file()

    def warn_if_other_file(self) -> None:
        if self.video is not None:
            warning = self.video.mismatch(self.replay)
            if warning:
                notice(self, warning, severity="warning", timeout=8)

    async def on_unmount(self) -> None:
        if self.video is not None:
            await self.video.close()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.replay or not self.replay.ready:
            return
        for k in KEYS:
            yield SystemCommand(
                f"Replay: {k.help}",
                f"({k.action})",
                lambda action=k.action: self.replay.run_action(action),
            )
