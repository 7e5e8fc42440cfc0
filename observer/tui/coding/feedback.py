"""What the coding screen says back: log rows, the prompt line, running states.

Pure functions from the recorder's state to Rich ``Text``; the screen decides
when to call them. A log row that shows an event keeps a reference to the live
event, so a modifier chosen later, or an undo, shows on the row that was
already written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from rich.style import Style
from rich.text import Text

from observer.codebook import Codebook, Segment
from observer.tui.targets import char_target, target
from observer.tui.widgets.clock import format_clock

if TYPE_CHECKING:
    from textual.widget import Widget

    from observer.live.changes import LiveEvent
    from observer.live.recorder import PendingChoice, Recorder

ROLES = (
    "ok",
    "refused",
    "info",
    "modifier",
    "undone",
    "waiting",
    "running",
    "paused",
    "ended",
    "saved",
    "saving",
    "not-saved",
    "overrun",
)
"""What the coding screens colour, each a component class ``coding--<role>`` whose
colour is in ``styles/coding.tcss`` (from the theme's variables), never in Python."""
COMPONENT_CLASSES = {f"coding--{role}" for role in ROLES}


class Styles:
    """A role's Rich style, from ``widget``'s component classes (it must declare
    :data:`COMPONENT_CLASSES`); without a widget (pure tests) roles have no colour."""

    def __init__(self, widget: Widget | None = None) -> None:
        self.widget = widget

    def __call__(self, role: str) -> Style:
        if self.widget is None:
            return Style()
        return self.widget.get_component_rich_style(f"coding--{role}", partial=True)


@attrs.define(eq=False)
class LogRow:
    """One line of the coding log. ``event`` links it to the live event it shows."""

    t: float | None
    key: str
    text: str
    role: str = ""
    """Its colour: a role of :class:`Styles`, or none."""
    event: LiveEvent | None = None
    stop: bool = False
    """The row reports a state's stop (its end), not its start."""


class RowRenderer:
    """Renders :class:`LogRow` objects for :class:`~observer.tui.widgets.event_log.EventLog`."""

    def __init__(self, recorder: Recorder, styles: Styles | None = None) -> None:
        self.recorder = recorder
        self.book: Codebook = recorder.book
        self.styles = styles or Styles()

    def __call__(self, row: LogRow) -> Text:
        text = Text()
        text.append(format_clock(row.t) if row.t is not None else "       ", style="dim")
        text.append(f"  {row.key:>6}  ", style="bold")
        event = row.event
        if event is None:
            text.append(row.text, style=self.styles(row.role) if row.role else "")
            return text
        if row.stop:
            undone = event.end is None or event.end != row.t or not self._present(event)
        else:
            undone = not self._present(event)
        code = self.book.code_by_id[event.code]
        actor = self.book.actor_by_id[code.actor].label
        if row.stop:
            took = f" ({row.t - event.start:.1f} s)" if row.t is not None else ""
            text.append(f"■ {code.label} stopped{took}", style="")
        else:
            mark = "▶ " if code.kind == "state" else "• "
            text.append(mark + code.label, style="bold")
            text.append(f"  {actor}", style="dim")
            for name, value in event.modifiers.items():
                text.append(f"  {name}={value}", style=self.styles("modifier"))
        if undone:
            text.append("  (undone)", style=self.styles("undone"))
            text.stylize("strike", 15)
        return text

    def _present(self, event: LiveEvent) -> bool:
        events = self.recorder.events
        return event.index < len(events) and events[event.index] is event


def modifier_prompt(pending: PendingChoice) -> Text:
    """The inline modifier bar: the pending modifier's value keys; any other key skips."""
    text = Text()
    text.append(f" {pending.code.key} ", style="reverse bold")
    text.append(f" {pending.code.label} → {pending.modifier.label}:", style="bold")
    for value in pending.modifier.values:
        text.append(" ")
        press = char_target(value.key)  # a click on a value chooses it
        text.append(value.key, style=press + Style(reverse=True, bold=True))
        text.append(f" {value.label or value.id}", style=press)
    required = ", required" if pending.modifier.required else ""
    text.append("  · ", style="dim")
    text.append(f"esc skips{required}", style=target("escape") + Style(dim=True))
    return text


def segment_prompt(book: Codebook, current: str | None) -> Text:
    """The segment choice: a key per segment (the open one underlined); escape cancels."""
    text = Text()
    text.append("segment:", style="bold")
    for key, segment in segment_keys(book).items():
        style = Style(bold=True, underline=True) if segment.id == current else Style()
        text.append(" ")
        text.append(key, style=char_target(key) + Style(reverse=True, bold=True))
        text.append(f" {segment.label}", style=char_target(key) + style)
    text.append("  · ", style="dim")
    text.append("escape cancels", style=target("escape") + Style(dim=True))
    return text


def segment_keys(book: Codebook) -> dict[str, Segment]:
    """Segment choices by key: 1-9, then 0, then a-z (a codebook rarely has ten)."""
    keys = "1234567890abcdefghijklmnopqrstuvwxyz"
    return dict(zip(keys, book.segments, strict=False))


def running_text(recorder: Recorder, now_t: float) -> Text:
    """Running states per actor with their elapsed time, one line per actor."""
    book = recorder.book
    lines = []
    for actor_id, events in recorder.running_by_actor().items():
        if not any(c.actor == actor_id and c.kind == "state" for c in book.codes):
            continue
        line = Text()
        line.append(f"{book.actor_by_id[actor_id].label:<10.10} ", style="bold")
        if not events:
            line.append("—", style="dim")
        for event in events:
            code = book.code_by_id[event.code]
            line.append(f" {code.key} ", style="reverse")
            line.append(f" {code.label} ")
            line.append(format_clock(max(0.0, now_t - event.start)), style="bold")
            line.append("  ")
        lines.append(line)
    return Text("\n").join(lines)
