"""The coding screen's keys: one table for the handlers, the hints line, the command
palette and the help page.

Every key here goes through :meth:`CodingScreen.press` with the key event's own
arrival time (``event.time``), so a key that stamps something (space, a segment)
is stamped when it was pressed, whichever screen took it first (help, the
palette). A new key is one more :class:`~observer.tui.keys.Key` row and one more method
named by its ``action``: the screen's, or for a video key (``video=True``) the
:class:`~observer.tui.coding.video.VideoControl`'s. Nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from textual.binding import Binding

from observer.tui.keys import Key

CodingKey = Key
"""The coding screen's name for the one key record (:class:`observer.tui.keys.Key`)."""

UNLOGGED = "observer_unlogged"
"""The attribute the terminal and web drivers set (True) on a key event they read
before the key log existed; the coding screen logs such a key if it handles it after
the log was created (one that came before is among its early keys)."""


KEYS: tuple[CodingKey, ...] = (
    CodingKey(
        "space",
        "toggle_clock",
        "start the clock; then pause / resume it (with a video: play / pause it)",
        "Start, pause or resume the clock",
        "clock",
        video_hint="play",
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
    CodingKey(
        "escape",
        "escape",
        "cancel a dialog or the segment choice; skip the modifier asked;"
        " leave the command the window line names unanswered",
    ),
    CodingKey(
        "enter",
        "confirm_window",
        "response windows: give the command the window line names its 'otherwise' code",
    ),
    CodingKey("ctrl+c", "explain_quit", "does not quit: says how to end or quit"),
    *(
        CodingKey(key, action, what, f"Video: {what}", video=True, **hint)
        for key, action, what, hint in (
            ("left", "seek(-1.0)", "seek back 1 s", {"video_hint": "1s", "hint_as": "←→"}),
            ("right", "seek(1.0)", "seek forward 1 s", {"video_hint": "1s"}),
            ("shift+left", "seek(-5.0)", "seek back 5 s", {"video_hint": "5s", "hint_as": "⇧←→"}),
            ("shift+right", "seek(5.0)", "seek forward 5 s", {"video_hint": "5s"}),
        )
    ),
    CodingKey(
        "f5",
        "frame(True)",
        "one frame back (pauses)",
        "Video: one frame back",
        video=True,
        video_hint="frame",
    ),
    CodingKey(
        "f6",
        "frame(False)",
        "one frame forward (pauses)",
        "Video: one frame forward",
        video=True,
        video_hint="frame",
    ),
    CodingKey(
        "f7",
        "speed(0.5)",
        "slower (halves the speed, down to 0.25×)",
        "Video: slower",
        video=True,
        video_hint="speed",
    ),
    CodingKey(
        "f8",
        "speed(2.0)",
        "faster (doubles the speed, up to 4×)",
        "Video: faster",
        video=True,
        video_hint="speed",
    ),
    CodingKey(
        "ctrl+t",
        "go_to",
        "go to a typed time (seconds or m:ss.s), enter goes, escape cancels",
        "Video: go to a time",
        video=True,
        video_hint="go to",
    ),
    CodingKey(
        "ctrl+o",
        "reopen",
        "reopen the video if mpv was closed",
        "Video: reopen the video",
        video=True,
    ),
    CodingKey(
        "ctrl+k",
        "sync_mark",
        "sync mark at the press (a clap to find in a camera recording)",
        "Add a sync mark",
        video_hint="sync",
    ),
    CodingKey(
        "f1",
        "help",
        "this help (keys pressed in it are coded)",
        "Show every key (help)",
        "help",
        video_hint="help",
    ),
)
PALETTE = CodingKey("ctrl+p", "", "command palette: keys typed in it search, they are not coded")
"""Textual's own key, listed on the help page only."""

HANDLERS: dict[str, CodingKey] = {name: k for k in KEYS for name in k.names}
"""Key name -> its row."""


def key_for(action: str) -> CodingKey:
    """The row whose action is ``action`` (for naming its key in a message)."""
    return next(k for k in KEYS if k.action == action)


def key_names(display: Callable[[Binding], str]) -> Callable[[str], str]:
    """The shown name of a key name, from ``display`` (``App.get_key_display``)."""

    def name(key: str) -> str:
        return display(Binding(key, ""))

    return name


def listed(*, video: bool) -> tuple[CodingKey, ...]:
    """The table's keys for a screen with or without a video."""
    return tuple(k for k in KEYS if video or not k.video)


def hint_groups(
    name: Callable[[str], str], *, video: bool = False
) -> Iterator[tuple[list[tuple[str, str]], str, str | None]]:
    """([(shown key, key name)], word, shown instead) for the hints line, in table order;
    neighbouring keys sharing a word are one group. With a video the line is the
    video's (``video_hint``)."""
    shown: list[tuple[list[tuple[str, str]], str, str | None]] = []
    for key in listed(video=video):
        word = key.video_hint if video else key.hint
        if word is None:
            continue
        pair = (name(key.names[0]), key.names[0])
        if shown and shown[-1][1] == word:
            shown[-1][0].append(pair)
        else:
            shown.append(([pair], word, key.hint_as))
    yield from shown


def hints(name: Callable[[str], str], *, video: bool = False) -> Iterator[tuple[str, str]]:
    """(keys, word) for the hints line, in table order; keys sharing a word are joined.
    With a video the line is the video's (``video_hint``)."""
    for keys, word, hint_as in hint_groups(name, video=video):
        yield hint_as or " ".join(shown for shown, _ in keys), word


def help_rows(name: Callable[[str], str], *, video: bool = False) -> Iterator[tuple[str, str]]:
    """(keys, what) for the help page: every key of the table, then the palette's."""
    for key in (*listed(video=video), PALETTE):
        yield " or ".join(name(k) for k in key.names) + key.then, key.help


def palette(name: Callable[[str], str], *, video: bool = False) -> Iterator[tuple[str, str, str]]:
    """(title, shown key, key name) for every palette command."""
    for key in listed(video=video):
        if key.title is not None:
            yield key.title, name(key.names[0]), key.names[0]
