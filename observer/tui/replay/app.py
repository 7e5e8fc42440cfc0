"""The ``observer replay`` application: one replay screen over one (or two) sessions."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from observer.replay.compare import Comparison
from observer.sessionfile import Session
from observer.tui.replay.screen import KEYS, ReplayScreen

CSS_PATH = Path(__file__).resolve().parent.parent / "observer.tcss"


class ReplayApp(App[None]):
    CSS_PATH = CSS_PATH
    TITLE = "observer replay"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "quit", show=False),
    ]

    def __init__(
        self,
        path: Path,
        session: Session,
        *,
        other: Session | None = None,
        speed: float = 1.0,
        tolerance: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        config: Path | None = None,
    ) -> None:
        super().__init__()
        self.tolerance = tolerance
        comparison = None
        if other is not None:
            from observer.analysis.align import align_sessions

            comparison = Comparison(session, other, align_sessions(session, other, tolerance))
        self.replay = ReplayScreen(
            path,
            session,
            other=other,
            comparison=comparison,
            speed=speed,
            clock=clock,
            config=config,
        )
        self.sub_title = session.id

    def on_mount(self) -> None:
        self.push_screen(self.replay)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.replay:
            return
        for _, action, description, _ in KEYS:
            yield SystemCommand(
                f"Replay: {description}",
                f"({action})",
                lambda action=action: self.replay.run_action(action),
            )
