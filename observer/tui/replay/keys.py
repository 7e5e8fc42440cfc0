"""The replay screen's keys: one table for the bindings, the help screen and the palette."""

from __future__ import annotations

from itertools import zip_longest

# (key, action, description): the bindings, the help screen and the command palette
KEYS: tuple[tuple[str, str, str], ...] = (
    ("space", "play_pause", "play/pause"),
    ("right,down", "step(1)", "next event"),
    ("left,up", "step(-1)", "previous event"),
    ("shift+right", "shift(1)", "forward 5 s"),
    ("shift+left", "shift(-1)", "back 5 s"),
    ("home", "seek_start", "to the start"),
    ("end", "seek_end", "to the end"),
    ("greater_than_sign", "speed(1)", "faster"),
    ("less_than_sign", "speed(-1)", "slower"),
    ("plus,equals_sign", "zoom(-1)", "zoom in"),
    ("minus", "zoom(1)", "zoom out"),
    ("g", "goto", "go to time"),
    ("n", "note(1)", "next note"),
    ("N", "note(-1)", "previous note"),
    ("c", "choose_code", "choose code"),
    ("e", "code(1)", "next of code"),
    ("E", "code(-1)", "previous of code"),
    ("r", "review(1)", "next review"),
    ("R", "review(-1)", "previous review"),
    ("d", "mismatch(1)", "next disagreement"),
    ("D", "mismatch(-1)", "previous disagreement"),
    ("f", "filter", "filter"),
    ("s", "panel('summary')", "summary"),
    ("v", "panel('reviews')", "reviews"),
    ("i", "panel('agreement')", "agreement"),
    ("a", "comment", "comment"),
    ("m", "flag", "flag event"),
    ("x", "correct", "correction"),
    ("delete", "delete_review", "delete review entry"),
    ("escape", "focus_timeline", "back to the timeline"),
    ("question_mark", "help", "help"),
    ("q", "quit", "quit"),
)


HINTS = (
    "space play · ←→ events · g go to · +/- zoom · f filter · a comment · m flag · "
    "x correction · v reviews · ? keys · q quit"
)


HINTS_NARROW = "space play · ←→ events · g go to · s/v/i panels · esc close · ? keys · q quit"
"""The hints on a terminal narrower than 100 columns (the side panel opens on request)."""


def help_text() -> str:
    names = {
        "greater_than_sign": ">",
        "less_than_sign": "<",
        "plus,equals_sign": "+ or =",
        "right,down": "→ or ↓",
        "left,up": "← or ↑",
        "minus": "-",
        "question_mark": "?",
    }
    entries = [f"{names.get(key, key):<12} {description}" for key, _, description in KEYS]
    half = (len(entries) + 1) // 2
    lines = ["Replay keys (also in the command palette, ctrl+p)", ""]
    for left, right in zip_longest(entries[:half], entries[half:], fillvalue=""):
        lines.append(f"  {left:<36}{right}".rstrip())
    lines += [
        "",
        "  click        on the timeline: seek there; on the list: go to that row",
        "  enter        in the reviews list (v): edit your entry",
        "  tab          move between the timeline and the reviews list",
        "  escape       in a dialog: cancel; narrow terminal: close the side panel",
    ]
    return "\n".join(lines)
