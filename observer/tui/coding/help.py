"""F1: every key of the coding screen and of the codebook, on one scrollable page.

Help never costs a code: a key that is not for the help page closes it and is
handled by the coding screen with its own arrival time.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from observer.codebook import Codebook
from observer.tui.coding.feedback import segment_keys

RESERVED = (
    ("space", "start the clock; then pause / resume it"),
    ("ctrl+z", "undo the last action (any depth)"),
    ("ctrl+y", "redo"),
    ("ctrl+n", "note, stamped at the press: type it, enter saves, escape cancels"),
    ("ctrl+k", "sync mark at the press (a clap to find in a camera recording)"),
    ("F2", "start the next segment (ends the open one)"),
    ("ctrl+g, then a key", "start a chosen segment"),
    ("ctrl+e", "end the session: confirm, ratings (ctrl+s saves), file written"),
    ("ctrl+q", "quit; a running session is ended and saved first"),
    ("escape", "cancel a dialog or the segment choice; skip the modifier asked"),
    ("F1", "this help"),
    ("ctrl+p", "command palette"),
)
SCROLL_KEYS = frozenset({"up", "down", "pageup", "pagedown", "home", "end"})


def help_table(book: Codebook, *, video: bool = False) -> Table:
    table = Table(box=None, pad_edge=False, show_header=False, expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    table.add_row(Text("SCREEN KEYS", style="bold underline"), "")
    for key, what in RESERVED:
        table.add_row(key, what)
    if video:
        from observer.tui.coding.video import VIDEO_KEYS

        table.add_row("", "")
        table.add_row(Text("VIDEO", style="bold underline"), "the clock is the video position")
        for _, shown, what in VIDEO_KEYS:
            table.add_row(shown, what)
    for actor in book.actors:
        streams = [s for s in book.streams if s.actor.id == actor.id]
        if not streams:
            continue
        table.add_row("", "")
        table.add_row(Text(actor.label.upper(), style="bold underline"), "")
        for stream in streams:
            one = " (one at a time: starting one stops the other)" if stream.group.exclusive else ""
            table.add_row("", Text(stream.group.label + one, style="italic"))
            for code in stream.codes:
                cell = Text(code.label, style="bold")
                kind = "state: key starts, same key stops" if code.kind == "state" else "point"
                cell.append(f"  {kind}", style="dim")
                if code.modifiers:
                    cell.append(f"  then {', '.join(code.modifiers)}", style="magenta")
                if code.definition:
                    cell.append(f"\n{code.definition}", style="dim")
                table.add_row(code.key, cell)
    if book.modifiers:
        table.add_row("", "")
        table.add_row(Text("MODIFIERS", style="bold underline"), "after the code; other keys skip")
        for modifier in book.modifiers:
            values = "  ".join(f"{v.key} {v.label or v.id}" for v in modifier.values)
            table.add_row(modifier.label, values)
    if book.segments:
        table.add_row("", "")
        table.add_row(Text("SEGMENTS", style="bold underline"), "ctrl+g then:")
        for key, segment in segment_keys(book).items():
            planned = f"  ({segment.planned_s:g} s planned)" if segment.planned_s else ""
            table.add_row(key, segment.label + planned)
    return table


class HelpScreen(ModalScreen[None]):
    def __init__(self, book: Codebook, *, video: bool = False) -> None:
        super().__init__()
        self.book = book
        self.video = video

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_table(self.book, video=self.video))
        yield Static("F1 / escape closes · any coding key closes help and is coded", id="help-keys")

    def on_key(self, event: events.Key) -> None:
        if event.key in SCROLL_KEYS:
            return
        event.stop()
        self.dismiss()
        if event.key in ("f1", "escape"):
            return
        coding = self.app.coding_screen  # type: ignore[attr-defined]
        if coding is not None:
            coding.press(event.key, event.time, event.character)
