"""The consensus screen's keys: one table, from which its bindings and hints come."""

from __future__ import annotations

from textual.binding import Binding

KEYS: tuple[tuple[str, str, str], ...] = (
    ("a", "take('a')", "take A"),
    ("b", "take('b')", "take B"),
    ("t", "take('both')", "both"),
    ("n", "take('neither')", "neither"),
    ("e", "edit", "edit"),
    ("left", "move(-1)", "previous"),
    ("right", "move(1)", "next"),
    ("ctrl+z", "undo", "undo"),
    ("ctrl+s", "write", "write the session"),
    ("q", "quit_consensus", "quit (decisions kept)"),
)

BINDINGS = [Binding(key, action, label, show=False) for key, action, label in KEYS]
HINT = " · ".join(f"{key} {label}" for key, _, label in KEYS)
