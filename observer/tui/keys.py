"""The one record of a screen's key table (coding, replay and consensus).

Each screen keeps its keys in one table of :class:`Key` rows, from which its bindings,
hints line, command palette and help page come: a new key is one row and one method.
"""

from __future__ import annotations

import attrs
from textual.actions import parse
from textual.binding import Binding


@attrs.frozen
class Key:
    """One key of a screen: its bindings, hints, palette entry and help line come from it."""

    keys: str
    """Textual key names, comma-separated as in a ``Binding`` (the first is shown)."""
    action: str
    """A method and its arguments in Textual's action syntax, such as ``step(1)`` or
    ``frame(True)`` (replay, consensus: the screen's ``action_`` method; coding: the
    :class:`~observer.tui.coding.screen.CodingScreen` method, or for a ``video`` row the
    :class:`~observer.tui.coding.video.VideoControl` method, called with the arguments and
    the key's monotonic time)."""
    help: str
    """What the key does, for the help page (replay, consensus: also the palette and hints)."""
    title: str | None = None
    """The command palette's entry; None: not in the palette."""
    hint: str | None = None
    """The word on the hints line; neighbouring keys with the same word share it."""
    then: str = ""
    """Shown after the key's name on the help page (", then a key")."""
    video: bool = False
    """Only for coding from a video (``--video``): listed only then; without a video
    the screen refuses the key with a message."""
    video_hint: str | None = None
    """The word on the hints line when coding from a video (that line is its own)."""
    hint_as: str | None = None
    """Shown on the hints line instead of the joined key names of its group."""

    @property
    def call(self) -> tuple[str, tuple[object, ...]]:
        """The action's method name and its arguments."""
        _, name, arguments = parse(self.action)
        return name, arguments

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in self.keys.split(","))

    def binding(self) -> Binding:
        """A hidden Textual binding running the action."""
        return Binding(self.keys, self.action, self.help, show=False)
