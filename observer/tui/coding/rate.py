"""``observer recover --ratings``: the ratings of recovered sessions, asked afterwards.

For each session: a line naming it (enter rates it, escape skips it), then the
coding's own ratings form, unchanged (ctrl+s saves, ctrl+q saves and stops); the
values go into the session file at once (``observer.live.late_ratings``).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from observer.errors import InputError
from observer.sessionfile import Session
from observer.tui import styles
from observer.tui.plain import plain
from observer.tui.widgets.clock import format_clock
from observer.wording import plural


def session_line(session: Session) -> str:
    n = len(session.events)
    return (
        f"{session.dyad} · {session.observer} · {session.id} · {plural(n, 'event')}"
        f" · {format_clock(session.duration)[:5]} coded"
    )


class RateWhich(Screen[bool]):
    """Names the session about to be rated: enter rates it (True), escape skips it."""

    CSS_PATH = styles.CODING_SCREENS

    def __init__(self, session: Session, index: int, total: int) -> None:
        super().__init__()
        self.session = session
        self.where = f"{index} of {total}"

    def compose(self) -> ComposeResult:
        with Vertical(id="rate-box"):
            yield Static(
                Text.assemble(
                    (f"Ratings of a recovered session ({self.where})\n", "bold"),
                    plain(session_line(self.session)),  # text from the file: shown, never obeyed
                ),
                id="rate-title",
            )
            yield Static(
                "its coding stopped before the ratings were given: every rating is blank",
                id="rate-why",
            )
            yield Static("enter rates it · escape skips it", id="rate-keys")

    def on_key(self, event: events.Key) -> None:
        if event.key in ("enter", "escape"):
            event.stop()
            self.dismiss(event.key == "enter")


class RateApp(App[list[str]]):
    """Asks for the ratings of ``sessions`` one after the other; the result is one
    line per session (what became of it)."""

    CSS_PATH = styles.CODING
    TITLE = "observer recover --ratings"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "quit", show=False)]

    def __init__(self, sessions: list[tuple[Path, Session]]) -> None:
        super().__init__()
        self.sessions = sessions
        self.lines: list[str] = []

    def on_mount(self) -> None:
        self.ask_all()

    @work(exclusive=True)
    async def ask_all(self) -> None:
        from observer.live.late_ratings import add_ratings, coded_segments
        from observer.tui.coding.end import RatingsForm

        total = len(self.sessions)
        for index, (path, session) in enumerate(self.sessions, 1):
            if not await self.push_screen_wait(RateWhich(session, index, total)):
                self.lines.append(f"{path.name}: skipped, its ratings stay blank")
                continue
            form = RatingsForm(session.book, coded_segments(session))
            values, then_quit = await self.push_screen_wait(form)
            try:
                add_ratings(path, session, values)
            except (InputError, OSError) as error:
                self.lines.append(f"{path.name}: not saved ({error})")
            else:
                given = sum(v is not None for v in values.values())
                self.lines.append(f"{path.name}: {given} of {len(values)} ratings saved")
            if then_quit:
                break
        self.exit(self.lines)
