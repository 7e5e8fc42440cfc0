"""The end of a session: confirm, rate, summary.

``ConfirmEnd``: enter ends the session, escape goes back to coding (ctrl+q
also accepts: it is how an observer quits a running session); keys typed after
accepting wait for the ratings form (``observer.tui.forms``). ``RatingsForm``
(in ``observer.tui.coding.ratings``, re-exported here): every rating of the
codebook in one form; ctrl+s saves, a blank field is saved as null.
``Summary``: counts and durations per code of the file just written, and, when the
codebook has criteria, the file's evaluated criteria (``observer.tui.coding.tallies``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from observer.analysis.stats import session_stats
from observer.sessionfile import Session
from observer.tui import styles
from observer.tui.coding.ratings import Ratings, RatingsForm, parse_rating
from observer.tui.coding.tallies import COMPONENT_CLASSES, criteria_table
from observer.tui.coding.windowline import windows_table
from observer.tui.forms import hold_keys, passed_on
from observer.tui.plain import plain
from observer.tui.targets import TapsAsKeys, pressed, target
from observer.tui.widgets.clock import format_clock
from observer.tui.widgets.touchgrid import Cell, choice_lines

__all__ = ["ConfirmEnd", "Ratings", "RatingsForm", "Summary", "parse_rating", "summary_table"]


class ConfirmEnd(ModalScreen[str]):
    """Enter accepts ("end"), ctrl+q accepts and quits afterwards ("quit"), escape
    declines (""); any other key is refused with a reminder."""

    CSS_PATH = styles.CODING_SCREENS

    def __init__(
        self,
        t: float,
        events_count: int,
        quitting: bool,
        cells: Callable[[str], Style] | None = None,
    ) -> None:
        super().__init__()
        self.t = t
        self.events_count = events_count
        self.quitting = quitting
        self.cells = cells
        """The touch layout: the answers as large targets, in the grid's styles."""

    def compose(self) -> ComposeResult:
        then = " and quit" if self.quitting else ""
        with Vertical(id="confirm-box"):
            yield Static(
                f"End the session{then} at {format_clock(self.t)}?\n"
                f"{_count(self.events_count, 'event')}; running states stop at that time.",
                id="confirm-text",
            )
            if self.cells is None:
                yield Static(_confirm_keys(), id="confirm-keys")
            else:
                answers = [
                    Cell("end the session", "enter", "control", target("enter")),
                    Cell("keep coding", "esc", "choice", target("escape")),
                ]
                lines = choice_lines(answers, 54, 3, self.cells)
                yield Static(Text("\n").join(lines), id="confirm-keys")

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click or a tap on ``enter`` or ``escape`` answers as the key does."""
        press = pressed(event.style)
        if press is not None:
            event.stop()
            self.answer(press[0])

    def on_key(self, event: events.Key) -> None:
        if passed_on(self, event):  # typed after enter, in the same burst: for the form
            return
        event.stop()
        if not self.answer(event.key):
            self.query_one("#confirm-keys", Static).update(
                "[b]enter[/b] ends the session · [b]escape[/b] keeps coding"
                f" (the key {event.key!r} did nothing)"
            )

    def answer(self, key: str) -> bool:
        """Answer by ``key``; False when it is not an answer."""
        if key == "enter":
            self.accept("quit" if self.quitting else "end")
        elif key == "ctrl+q":
            self.accept("quit")
        elif key == "escape":
            self.dismiss("")
        else:
            return False
        return True

    def accept(self, answer: str) -> None:
        hold_keys(self)  # the keys typed from now on are for the ratings form
        self.dismiss(answer)


def _confirm_keys() -> Text:
    """The answers, each a target (a click or a tap answers as its key)."""
    text = Text()
    text.append("enter  end the session", style=target("enter"))
    text.append("    ")
    text.append("escape  keep coding", style=target("escape"))
    return text


def _closes(more: str = "") -> Text:
    """The summary's last line: what closes it, a target (a tap closes it too)."""
    return Text.assemble(more, (CLOSES, target("enter")))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary_table(session: Session) -> Table:
    """Counts and durations per code, in codebook order."""
    book = session.book
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name, justify in (
        ("key", "left"),
        ("code", "left"),
        ("actor", "left"),
        ("count", "right"),
        ("total", "right"),
        ("mean", "right"),
        ("% of session", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for code, stats in zip(book.codes, session_stats(session).codes, strict=True):
        if not stats.count:
            continue
        actor = book.actor_by_id[code.actor].label
        cells = ("", "", "")
        if stats.total_s is not None and stats.mean_s is not None:
            share = "–" if stats.proportion is None else f"{100 * stats.proportion:.1f}"
            cells = (f"{stats.total_s:.1f} s", f"{stats.mean_s:.1f} s", share)
        table.add_row(plain(code.key), plain(code.label), plain(actor), str(stats.count), *cells)
    return table


CLOSES = "enter, q or ctrl+q closes"
MORE_BELOW = "↓ / pgdn: more below · "


class Summary(TapsAsKeys, Screen[None]):
    """What was saved: the file, the duration, counts and durations per code. When the
    table is taller than the screen, the keys line says there is more below."""

    CSS_PATH = styles.CODING_SCREENS
    AUTO_FOCUS = "#summary"
    COMPONENT_CLASSES = COMPONENT_CLASSES
    BINDINGS = [  # noqa: RUF012
        Binding("enter,q,escape", "app.quit", "close"),
    ]

    def __init__(self, session: Session, path: Path) -> None:
        super().__init__()
        self.session = session
        self.path = path

    def compose(self) -> ComposeResult:
        s = self.session
        yield Static(
            Text.assemble(
                ("Session saved", "bold"),
                plain(f" · {self.path}"),
                "\n",
                plain(
                    f"{s.dyad} · {s.observer} · {format_clock(s.duration)} coded"
                    f" · {_count(len(s.events), 'event')} · {_count(len(s.notes), 'note')}"
                    f" · {_count(len(s.pauses), 'pause')}"
                ),
            ),
            id="summary-title",
        )
        with VerticalScroll(id="summary"):
            if s.criteria:
                yield Static(criteria_table(self, s.book, s.criteria), id="summary-criteria")
            if s.book.windows:
                yield Static(windows_table(s), id="summary-windows")
            yield Static(summary_table(s))
        yield Static(_closes(), id="summary-keys")

    def on_mount(self) -> None:
        scroll = self.query_one("#summary", VerticalScroll)
        self.watch(scroll, "scroll_y", self.show_more, init=False)
        self.call_after_refresh(self.show_more)

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_more)

    def show_more(self) -> None:
        scroll = self.query_one("#summary", VerticalScroll)
        more = scroll.scroll_y < scroll.max_scroll_y
        self.query_one("#summary-keys", Static).update(_closes(MORE_BELOW if more else ""))
