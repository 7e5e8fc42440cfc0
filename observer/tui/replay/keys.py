"""The replay screen's keys: one table for the bindings, the help screen and the palette."""

from __future__ import annotations

from itertools import zip_longest

from observer.tui.keys import Key

KEYS: tuple[Key, ...] = (
    Key("space", "play_pause", "play/pause"),
    Key("right,down", "step(1)", "next event"),
    Key("left,up", "step(-1)", "previous event"),
    Key("shift+right", "shift(1)", "forward 5 s"),
    Key("shift+left", "shift(-1)", "back 5 s"),
    Key("f5", "frame(-1)", "frame back (video)"),
    Key("f6", "frame(1)", "frame forward (video)"),
    Key("home", "seek_start", "to the start"),
    Key("end", "seek_end", "to the end"),
    Key("greater_than_sign", "speed(1)", "faster"),
    Key("less_than_sign", "speed(-1)", "slower"),
    Key("plus,equals_sign", "zoom(-1)", "zoom in"),
    Key("minus", "zoom(1)", "zoom out"),
    Key("g", "goto", "go to time"),
    Key("n", "note(1)", "next note"),
    Key("N", "note(-1)", "previous note"),
    Key("c", "choose_code", "choose code"),
    Key("e", "code(1)", "next of code"),
    Key("E", "code(-1)", "previous of code"),
    Key("r", "review(1)", "next review"),
    Key("R", "review(-1)", "previous review"),
    Key("d", "mismatch(1)", "next disagreement"),
    Key("D", "mismatch(-1)", "previous disagreement"),
    Key("f", "filter", "filter"),
    Key("l", "toggle_ids", "codes by label or id"),
    Key("s", "panel('summary')", "summary"),
    Key("v", "panel('reviews')", "reviews"),
    Key("i", "panel('agreement')", "agreement"),
    Key("a", "comment", "comment"),
    Key("m", "flag", "flag event"),
    Key("x", "correct", "correction"),
    Key("delete", "delete_review", "delete review entry"),
    Key("escape", "focus_timeline", "back to the timeline"),
    Key("question_mark", "help", "help"),
    Key("q", "quit", "quit"),
)


HINTS = (
    "space play · ←→ events · g go to · +/- zoom · f filter · a comment · m flag · "
    "x correction · v reviews · ? keys · q quit"
)


HINTS_VIDEO = (
    "space play · ←→ events · F5 F6 frame · < > speed · g go to · f filter · a comment · "
    "x correction · ? keys · q quit"
)
"""The hints with ``--video``: the video's own keys first."""


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
        "f5": "F5",
        "f6": "F6",
    }
    entries = [
        f"{names.get(key, key):<12} {description}"
        for key, description in ((k.keys, k.help) for k in KEYS)
    ]
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
