"""Targets: text that a click or a tap presses like a key.

A target is a span of a widget's text whose style carries, in its meta (never in
markup), the key it stands for: the key's Textual name and its character. The
screen that shows targets finds the one under a mouse press from the style at that
cell (:func:`pressed`) and handles it as that key, at the press's own arrival time
(the driver stamps mouse reports as it stamps keys: ``observer.tui.driver``), by
posting :class:`Tapped` where the key would have gone (the focused widget), so a
burst of taps and keys keeps its order. Only the press (mouse down) counts: a
finger or a button held down is one press, however long it is held; the release
does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.keys import _character_to_key
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

PRESS = "observer_press"
"""The meta key holding the key name a target presses."""
CHAR = "observer_char"
"""The meta key holding that key's character (None for ctrl+z, F2 ...)."""
CHARACTERS = {"space": " "}
"""The character of the named keys that type one."""


def target(key: str, char: str | None = None) -> Style:
    """The style that makes text a target for ``key`` (a Textual key name)."""
    return Style(meta={PRESS: key, CHAR: CHARACTERS.get(key, char)})


def char_target(char: str) -> Style:
    """The style of a target for the printable key typing ``char`` (a code key)."""
    return target(_character_to_key(char), char)


def pressed(style: Style | None) -> tuple[str, str | None] | None:
    """The (key name, character) of the target with ``style``, None if it is none."""
    if style is None:
        return None
    meta = style.meta
    key = meta.get(PRESS)
    if not isinstance(key, str):
        return None
    char = meta.get(CHAR)
    return key, char if isinstance(char, str) else None


def as_target(text: Text, key: str, char: str | None = None) -> Text:
    """``text`` made a target for ``key`` as a whole."""
    text.stylize(target(key, char))
    return text


class Tapped(Message, bubble=True):
    """A target pressed (a click, a tap) at monotonic ``time``: handle it as its key."""

    def __init__(self, key: str, char: str | None, time: float) -> None:
        super().__init__()
        self.key = key
        self.char = char
        self.time = time


class TapsAsKeys:
    """For a screen whose answers need no time stamp (the ratings form, the summary): a
    press on a target is its key, as if typed (its bindings run)."""

    app: App[Any]

    def on_mouse_down(self, event: events.MouseDown) -> None:
        press = pressed(event.style)
        if press is not None:
            event.stop()
            key = events.Key(*press)
            key.set_sender(self.app)  # as the driver sends it (from the app, not this screen)
            self.app.post_message(key)
