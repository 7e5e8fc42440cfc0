"""F1: every key of the coding screen and of the codebook, on one scrollable page.

Help never costs a code: a key that is not for the help page closes it and is
returned to the coding screen, which handles it with its own arrival time. The
clock and the status line stay in sight above the page.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from observer.codebook import Codebook
from observer.tui import styles
from observer.tui.coding.feedback import COMPONENT_CLASSES, Styles, segment_keys
from observer.tui.coding.keys import help_rows
from observer.tui.plain import plain

PressedKey = tuple[str, float, str | None]
"""A key as the coding screen takes it: (key, monotonic time, character)."""

SCROLL_KEYS = frozenset({"up", "down", "pageup", "pagedown", "home", "end"})


def help_table(
    book: Codebook,
    name: Callable[[str], str],
    styles: Styles | None = None,
    *,
    video: bool = False,
) -> Table:
    """Every key: the screen's (``keys.KEYS``, named by ``name``), then the codebook's."""
    table = Table(box=None, pad_edge=False, show_header=False, expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    table.add_row(Text("SCREEN KEYS", style="bold underline"), Text())
    if video:
        table.add_row(Text(), Text("the clock is the video position"))
    for key, what in help_rows(name, video=video):
        table.add_row(Text(key), Text(what))
    for actor in book.actors:
        streams = [s for s in book.streams if s.actor.id == actor.id]
        if not streams:
            continue
        table.add_row(Text(), Text())
        table.add_row(plain(actor.label.upper(), "bold underline"), Text())
        for stream in streams:
            one = " (one at a time: starting one stops the other)" if stream.group.exclusive else ""
            table.add_row(Text(), plain(stream.group.label + one, "italic"))
            for code in stream.codes:
                cell = plain(code.label, "bold")
                kind = "state: key starts, same key stops" if code.kind == "state" else "point"
                cell.append(f"  {kind}", style="dim")
                if code.modifiers:
                    cell.append(
                        f"  then {', '.join(code.modifiers)}",
                        style=(styles or Styles())("modifier"),
                    )
                if code.definition:
                    cell.append_text(plain(f"\n{code.definition}", "dim", lines=True))
                table.add_row(plain(code.key), cell)
    if book.modifiers:
        table.add_row(Text(), Text())
        table.add_row(
            Text("MODIFIERS", style="bold underline"), Text("after the code; other keys skip")
        )
        for modifier in book.modifiers:
            values = "  ".join(f"{v.key} {v.label or v.id}" for v in modifier.values)
            table.add_row(plain(modifier.label), plain(values))
    if book.segments:
        table.add_row(Text(), Text())
        table.add_row(Text("SEGMENTS", style="bold underline"), Text("ctrl+g then:"))
        for key, segment in segment_keys(book).items():
            planned = f"  ({segment.planned_s:g} s planned)" if segment.planned_s else ""
            if segment.ends == "planned":
                planned = f"  (stops itself after {segment.planned_s:g} s)"
            table.add_row(Text(key), plain(segment.label + planned))
    if book.criteria:
        table.add_row(Text(), Text())
        table.add_row(
            Text("CRITERIA", style="bold underline"),
            Text(
                "the tallies beside the legend, while a segment that has criteria is open"
                " (criteria of the whole session: always): each rule's count / its target"
                " (≥10 at least 10, ≤3 at most 3), ✓ met, ✗ not met yet; counted as the"
                " session file counts them (points and state onsets inside the segment),"
                " on every key and undo"
            ),
        )
        for criterion in book.criteria:
            where = (
                "the whole session"
                if criterion.segment is None
                else book.segment_by_id[criterion.segment].label
            )
            table.add_row(Text(), plain(f"{criterion.label} · in {where}"))
    if book.windows:
        table.add_row(Text(), Text())
        table.add_row(
            Text("WINDOWS", style="bold underline"),
            Text(
                "after a command the window line counts down its seconds: a response"
                " coded in time is linked to it; broken (another parent code first) or"
                " with no response, the line offers the 'otherwise' code: enter adds it,"
                " escape leaves the command unanswered"
            ),
        )
        for window in book.windows:
            command = book.code_by_id[window.after].label
            answers = " · ".join(
                f"{book.code_by_id[c].key} {book.code_by_id[c].label}" for c in window.responses
            )
            table.add_row(Text(), plain(f"{command} · {window.within_s:g} s · {answers}"))
    return table


class HelpScreen(ModalScreen[PressedKey | None]):
    """Dismisses with the key that closed it (None for F1 / escape), for the coding
    screen to handle at that key's own time."""

    CSS_PATH = styles.CODING_SCREENS
    COMPONENT_CLASSES = COMPONENT_CLASSES

    def __init__(self, book: Codebook, name: Callable[[str], str], *, video: bool = False) -> None:
        super().__init__()
        self.book = book
        self.key_name = name
        self.video = video

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_table(self.book, self.key_name, Styles(self), video=self.video))
        yield Static(
            f"{self.key_name('f1')} / {self.key_name('escape')} closes"
            " · any coding key closes help and is coded",
            id="help-keys",
        )

    def on_key(self, event: events.Key) -> None:
        if event.key in SCROLL_KEYS:
            return
        event.stop()
        closing = event.key in ("f1", "escape")
        self.dismiss(None if closing else (event.key, event.time, event.character))
