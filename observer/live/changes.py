"""The live session's mutable state and the reversible changes applied to it.

Every coding action becomes a short list of :class:`Change` objects; each knows
how to apply and revert itself in O(1), so undo and redo to any depth never
copy the event list (BORIS deep-copies the whole list on every action). Events
are only ever appended at, or removed from, the end of the list: undo runs in
reverse order, so the event an undo removes is always the last one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import attrs

from observer.sessionfile import Note


@attrs.define(eq=False)
class LiveEvent:
    """An event as it is being coded. ``end`` is None for a point event and for a
    state that is still running. ``index`` is its position in ``LiveState.events``
    (stable: events are only appended or removed at the end)."""

    index: int
    code: str
    start: float
    end: float | None = None
    modifiers: dict[str, str] = attrs.field(factory=dict)
    flags: list[str] = attrs.field(factory=list)
    responds_to: int | None = None
    """The index of the command this event answers (observer.live.windows)."""


@attrs.define(eq=False)
class LiveSegment:
    segment: str
    start: float
    end: float | None = None


@attrs.define(eq=False)
class LiveScan:
    """A time-sampling scan answered: at the sampling instant ``t``, ``code`` for ``stream``."""

    t: float
    stream: str
    code: str


@attrs.define(eq=False)
class LiveState:
    """What the coding has produced so far (read these, never mutate them)."""

    events: list[LiveEvent] = attrs.field(factory=list)
    running: dict[str, LiveEvent] = attrs.field(factory=dict)
    """Running state events by code id, oldest first."""
    counts: dict[str, int] = attrs.field(factory=dict)
    """Events per code id."""
    notes: list[Note] = attrs.field(factory=list)
    segments: list[LiveSegment] = attrs.field(factory=list)
    scans: list[LiveScan] = attrs.field(factory=list)
    """The scans answered, in the order they were (a missed one is in none)."""


class Change(ABC):
    """One reversible step of an action."""

    @abstractmethod
    def apply(self, state: LiveState) -> None: ...

    @abstractmethod
    def revert(self, state: LiveState) -> None: ...


@attrs.define
class AddEvent(Change):
    event: LiveEvent
    running: bool
    """A state event that starts running."""

    def apply(self, state: LiveState) -> None:
        state.events.append(self.event)
        code = self.event.code
        state.counts[code] = state.counts.get(code, 0) + 1
        if self.running:
            state.running[code] = self.event

    def revert(self, state: LiveState) -> None:
        removed = state.events.pop()
        assert removed is self.event, "undo out of order"
        code = self.event.code
        state.counts[code] -= 1
        if self.running:
            del state.running[code]


@attrs.define
class StopState(Change):
    event: LiveEvent
    at: float
    flag: str | None = None

    def apply(self, state: LiveState) -> None:
        self.event.end = max(self.at, self.event.start)
        if self.flag:
            self.event.flags.append(self.flag)
        del state.running[self.event.code]

    def revert(self, state: LiveState) -> None:
        self.event.end = None
        if self.flag:
            self.event.flags.pop()
        state.running[self.event.code] = self.event


@attrs.define
class SetModifier(Change):
    event: LiveEvent
    name: str
    value: str
    previous: str | None

    def apply(self, state: LiveState) -> None:
        self.event.modifiers[self.name] = self.value

    def revert(self, state: LiveState) -> None:
        if self.previous is None:
            del self.event.modifiers[self.name]
        else:
            self.event.modifiers[self.name] = self.previous


@attrs.define
class AddNote(Change):
    note: Note

    def apply(self, state: LiveState) -> None:
        state.notes.append(self.note)

    def revert(self, state: LiveState) -> None:
        state.notes.pop()


@attrs.define
class OpenSegment(Change):
    """Start a segment, ending the open one (if any) at the same instant."""

    segment: LiveSegment
    closes: LiveSegment | None

    def apply(self, state: LiveState) -> None:
        if self.closes is not None:
            self.closes.end = max(self.segment.start, self.closes.start)
        state.segments.append(self.segment)

    def revert(self, state: LiveState) -> None:
        state.segments.pop()
        if self.closes is not None:
            self.closes.end = None


@attrs.define
class CloseSegment(Change):
    segment: LiveSegment
    at: float

    def apply(self, state: LiveState) -> None:
        self.segment.end = max(self.at, self.segment.start)

    def revert(self, state: LiveState) -> None:
        self.segment.end = None


@attrs.define
class AddScan(Change):
    """Answer a scan (undone, the scan is unanswered again: missed once the next is due)."""

    scan: LiveScan

    def apply(self, state: LiveState) -> None:
        state.scans.append(self.scan)

    def revert(self, state: LiveState) -> None:
        state.scans.remove(self.scan)
