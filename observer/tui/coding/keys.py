"""The coding screen's keys: one table for the handlers, the hints line, the command
palette and the help page.

Every key here goes through :meth:`CodingScreen.press` with the key event's own
arrival time (``event.time``), so a key that stamps something (space, a segment)
is stamped when it was pressed, whichever screen took it first (help, the
palette). A new key is one more :class:`CodingKey` row and one more screen method
named by its ``action``: nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs
from textual.binding import Binding


@attrs.frozen
class CodingKey:
    keys: str
    """Textual key names, comma-separated as in a ``Binding`` (the first is shown)."""
    action: str
    """The :class:`~observer.tui.coding.screen.CodingScreen` method taking the key's
    monotonic time: ``screen.<action>(mono)``."""
    help: str
    """What the key does, for the help page."""
    title: str | None = None
    """The command palette's entry; None: not in the palette."""
    hint: str | None = None
    """The word on the hints line; neighbouring keys with the same word share it."""
    then: str = ""
    """Shown after the key's name on the help page (", then a key")."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in self.keys.split(","))


KEYS: tuple[CodingKey, ...] = (
    CodingKey(
        "space",
        "toggle_clock",
        "start the clock; then pause / resume it",
        "Start, pause or resume the clock",
        "clock",
    ),
    CodingKey("ctrl+z", "undo", "undo the last action (any depth)", "Undo the last action", "undo"),
    CodingKey("ctrl+y", "redo", "redo the last undone action", "Redo", "redo"),
    CodingKey(
        "ctrl+n",
        "open_note",
        "note, stamped at the press: type it, enter saves, escape cancels",
        "Add a note",
        "note",
    ),
    CodingKey(
        "f2",
        "next_segment",
        "start the next segment (ends the open one)",
        "Start the next segment",
        "segment",
    ),
    CodingKey(
        "ctrl+g",
        "open_segment_choice",
        "start a chosen segment",
        "Choose a segment to start",
        "segment",
        then=", then a key",
    ),
    CodingKey(
        "ctrl+e",
        "end",
        "end the session: confirm, ratings (ctrl+s saves), file written",
        "End the session",
        "end",
    ),
    CodingKey(
        "ctrl+q",
        "quit",
        "quit; a running session is ended and saved first",
        "Quit (ends a running session first)",
        "quit",
    ),
    CodingKey("escape", "escape", "cancel a dialog or the segment choice; skip the modifier asked"),
    CodingKey("ctrl+c", "explain_quit", "does not quit: says how to end or quit"),
    CodingKey(
        "f1", "help", "this help (keys pressed in it are coded)", "Show every key (help)", "help"
    ),
)
PALETTE = CodingKey("ctrl+p", "", "command palette: keys typed in it search, they are not coded")
"""Textual's own key, listed on the help page only."""

HANDLERS: dict[str, str] = {name: k.action for k in KEYS for name in k.names}
"""Key name -> screen method."""


def key_names(display: Callable[[Binding], str]) -> Callable[[str], str]:
    """The shown name of a key name, from ``display`` (``App.get_key_display``)."""

    def name(key: str) -> str:
        return display(Binding(key, ""))

    return name


def hints(name: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    """(keys, word) for the hints line, in table order; keys sharing a word are joined."""
    shown: list[tuple[list[str], str]] = []
    for key in KEYS:
        if key.hint is None:
            continue
        if shown and shown[-1][1] == key.hint:
            shown[-1][0].append(name(key.names[0]))
        else:
            shown.append(([name(key.names[0])], key.hint))
    for keys, word in shown:
        yield " ".join(keys), word


def help_rows(name: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    """(keys, what) for the help page: every key of the table, then the palette's."""
    for key in (*KEYS, PALETTE):
        yield " or ".join(name(k) for k in key.names) + key.then, key.help


def palette(name: Callable[[str], str]) -> Iterator[tuple[str, str, str]]:
    """(title, shown key, key name) for every palette command."""
    for key in KEYS:
        if key.title is not None:
            yield key.title, name(key.names[0]), key.names[0]
