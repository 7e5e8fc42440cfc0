"""Response windows on the live session (the codebook's ``windows``).

After a command (a code of a window's ``after``), its window is open for ``within_s``
seconds of session time: a code of the window's ``responses`` coded inside it answers
the command (the new event's ``responds_to`` is the command's index); a code of
``broken_by``, or another command, coded first breaks it; with neither, it expires.
A command whose window closed unanswered waits for the observer: the screen offers
the window's ``otherwise`` code (one key adds it, linked to the command, at the
instant the window closed; another leaves the command unanswered). Nothing is ever
added unasked.

Everything here is read off the recorder's events, so undo and redo need nothing of
their own: :class:`WindowTracker` keeps, as the events list grows and shrinks at its
end, the commands coded and which event answers each, so a key costs the events
since the last command, not the session.
"""

from __future__ import annotations

from typing import Literal

import attrs

from observer.codebook import Codebook, Window
from observer.live.changes import LiveEvent

Status = Literal["open", "answered", "broken", "expired"]


@attrs.frozen
class WindowState:
    """One command's window as it stands at a session time."""

    window: Window
    command: LiveEvent
    status: Status
    closes: float
    """When it closes or closed: the command's time + ``within_s``, or the breaking event's."""
    answer: LiveEvent | None = None
    """The event linked to the command (a response, or the ``otherwise`` code)."""


class WindowTracker:
    """The commands among a recorder's events and the events linked to them."""

    def __init__(self, book: Codebook) -> None:
        self.book = book
        self.windows = book.window_by_after
        self.breakers = {
            w.after: frozenset(w.broken_by) | frozenset(self.windows) for w in book.windows
        }
        self.commands: list[LiveEvent] = []
        self.answers: dict[int, LiveEvent] = {}
        """Command index -> the event linked to it."""
        self._seen: list[LiveEvent] = []
        self.dismissed: list[LiveEvent] = []
        """Commands the observer chose to leave unanswered."""

    def sync(self, events: list[LiveEvent]) -> None:
        """Follow ``events`` (append-only, removed at the end by undo)."""
        seen = self._seen
        keep = min(len(seen), len(events))
        while keep and seen[keep - 1] is not events[keep - 1]:
            keep -= 1
        for event in seen[keep:]:
            if self.commands and self.commands[-1] is event:
                self.commands.pop()
            if event.responds_to is not None and self.answers.get(event.responds_to) is event:
                del self.answers[event.responds_to]
        del seen[keep:]
        for event in events[keep:]:
            seen.append(event)
            if event.code in self.windows:
                self.commands.append(event)
            if event.responds_to is not None:
                self.answers[event.responds_to] = event

    def state(self, command: LiveEvent, events: list[LiveEvent], t: float) -> WindowState:
        """``command``'s window at session time ``t``."""
        window = self.windows[command.code]
        answer = self.answers.get(command.index)
        expires = command.start + float(window.within_s)
        if answer is not None:
            return WindowState(window, command, "answered", answer.start, answer)
        breakers = self.breakers[command.code]
        for i in range(command.index + 1, len(events)):
            event = events[i]
            if event.start > expires:
                break
            if event.code in breakers and event.start >= command.start:
                return WindowState(window, command, "broken", event.start)
        if t <= expires:
            return WindowState(window, command, "open", expires)
        return WindowState(window, command, "expired", expires)

    def open_for(self, code: str, events: list[LiveEvent], t: float) -> LiveEvent | None:
        """The command whose open window ``code`` answers at ``t`` (None: none)."""
        if not self.commands:
            return None
        command = self.commands[-1]
        if code not in self.windows[command.code].responses or t < command.start:
            return None
        return command if self.state(command, events, t).status == "open" else None

    def current(self, events: list[LiveEvent], t: float) -> WindowState | None:
        """The last command's window while it is open (the screen counts it down)."""
        if not self.commands:
            return None
        state = self.state(self.commands[-1], events, t)
        return state if state.status == "open" else None

    def waiting(self, events: list[LiveEvent], t: float) -> WindowState | None:
        """The command that waits for the observer: the latest whose window closed
        unanswered (broken or expired) and that was not left so already, when its
        window names an ``otherwise`` code; an open window is passed over."""
        for command in reversed(self.commands):
            state = self.state(command, events, t)
            if state.status == "open":
                continue
            if state.status == "answered" or state.window.otherwise is None:
                return None
            if any(command is d for d in self.dismissed):
                return None
            return state
        return None
