"""The consensus screen's keys: one table, from which its bindings and hints come."""

from __future__ import annotations

from observer.tui.keys import Key

KEYS: tuple[Key, ...] = (
    Key("a", "take('a')", "take A"),
    Key("b", "take('b')", "take B"),
    Key("t", "take('both')", "both"),
    Key("n", "take('neither')", "neither"),
    Key("e", "edit", "edit"),
    Key("left", "move(-1)", "previous"),
    Key("right", "move(1)", "next"),
    Key("ctrl+z", "undo", "undo"),
    Key("ctrl+s", "write", "write the session"),
    Key("q", "quit_consensus", "quit (decisions kept)"),
)

BINDINGS = [k.binding() for k in KEYS]
HINT = " · ".join(f"{k.keys} {k.help}" for k in KEYS)
