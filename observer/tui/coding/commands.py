"""Command palette entries (ctrl+p) for the coding screen's commands.

The palette is for discovery and for the mouse; observers use the keys, which
stamp the key's own arrival time. A command chosen here is stamped when chosen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from observer.tui.coding.screen import CodingScreen

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Start, pause or resume the clock", "space", "space"),
    ("Undo the last action", "ctrl+z", "ctrl+z"),
    ("Redo", "ctrl+y", "ctrl+y"),
    ("Add a note", "ctrl+n", "ctrl+n"),
    ("Add a sync mark", "ctrl+k", "ctrl+k"),
    ("Start the next segment", "F2", "f2"),
    ("Choose a segment to start", "ctrl+g", "ctrl+g"),
    ("End the session", "ctrl+e", "ctrl+e"),
    ("Quit (ends a running session first)", "ctrl+q", "ctrl+q"),
)


class CodingCommands(Provider):
    """The coding screen's reserved keys as palette commands."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        screen = self.screen
        if not isinstance(screen, CodingScreen):
            return []
        out: list[tuple[str, str, Callable[[], None]]] = []
        commands = list(COMMANDS)
        if screen.video is not None:
            from observer.tui.coding.video import VIDEO_KEYS

            commands += [(f"Video: {what}", shown, key) for key, shown, what in VIDEO_KEYS]
        for title, keys, key in commands:

            def run(key: str = key, screen: CodingScreen = screen) -> None:
                screen.press(key, time.monotonic())

            out.append((title, keys, run))
        out.append(("Show every key (help)", "F1", self.app.action_help))  # type: ignore[attr-defined]
        return out

    async def discover(self) -> Hits:
        for title, keys, run in self._commands():
            yield DiscoveryHit(title, run, help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, keys, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=f"key: {keys}")
