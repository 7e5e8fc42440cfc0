"""The replay's view model: what the replay screen shows and where its playhead is.

Everything here is plain data and arithmetic, without widgets: the session (and in
compare mode the other coding and their comparison), the filter, the zoom and the
window, the rows of the event list with their times, the disagreement times, and
every navigation (step, jump, go to). The screen asks this model and draws what it
answers; its actions only forward keys here.

The playhead moves only through :meth:`ReplayView.seek` (every jump, step and go-to
ends there), so a player that has to follow it (video) needs one hook.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING

from observer.replay.clock import format_clock
from observer.replay.index import (
    EPSILON,
    Filter,
    SessionIndex,
    current_row,
    review_times,
    step_time,
)
from observer.replay.playhead import Playhead
from observer.replay.timeline import (
    INITIAL_SPAN,
    ZOOMS,
    Lane,
    center_window,
    interleave,
    place_window,
    zoom_index,
)

if TYPE_CHECKING:
    from observer.codebook import Codebook
    from observer.replay.compare import Comparison
    from observer.replay.loading import Opened
    from observer.sessionfile import Event, Review, Session

ListRow = tuple[str, int]
"""A row of the event list: ("event", index), ("pair", position) or ("note", index)."""
SHIFT_S = 5.0
"""shift+arrow moves the playhead this far."""
REVIEW_MARKS = {"comment": "●", "flag": "⚑", "correction": "✎"}
"""The mark of each kind of review entry (timeline, event list, reviews list)."""


def event_marks(reviews: tuple[Review, ...]) -> dict[int, str]:
    """Per event index, the marks of the flags and corrections attached to it."""
    out: dict[int, str] = {}
    for review in reviews:
        if review.event is not None:
            out[review.event] = out.get(review.event, "") + REVIEW_MARKS[review.kind]
    return out


def code_label(book: Codebook, code: str) -> str:
    """A code as people read it: its label, or its id if the codebook has no such code."""
    found = book.code_by_id.get(code)
    return found.label if found is not None else code


def event_name(book: Codebook, event: Event) -> str:
    """``Bids for attention at 0:03.0``: how a dialog names the event it acts on."""
    return f"{code_label(book, event.code)} at {format_clock(event.start)}"


class ReplayView:
    """One replay (or comparison) seen through a filter, with a playhead and a window."""

    def __init__(
        self,
        opened: Opened,
        *,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session: Session = opened.session
        self.other: Session | None = opened.other
        self.comparison: Comparison | None = opened.comparison
        self.book: Codebook = self.session.book
        self.playhead = Playhead(self.session.duration, speed=speed, clock=clock)
        self.filter = Filter()
        self.zoom = zoom_index(INITIAL_SPAN)
        self.t0 = 0.0
        self.code: str | None = None
        """The code ``e``/``E`` jump between (chosen with ``c``)."""
        self.marks: dict[int, str] = event_marks(self.session.reviews)
        self.rebuild()

    # --- what is shown -------------------------------------------------------------

    def rebuild(self) -> None:
        """Index the sessions through the filter: lanes, list rows and their times.

        The list holds the events shown (in compare mode the pairs) and the notes
        (A's), by time; a note at the same time as an event comes after it.
        """
        self.index = SessionIndex(self.session, self.filter, side="A" if self.other else "")
        self.index_b = (
            SessionIndex(self.other, self.filter, side="B", source=1) if self.other else None
        )
        comparison = self.comparison
        base: list[ListRow]
        if comparison is None:
            self.pair_rows: list[int] = []
            self.step_times: list[float] = self.index.starts
            base = [("event", i) for i in self.index.shown]
            self.mismatch_times: list[float] = []
        else:
            allowed = self.allowed
            a, b = self.session.events, comparison.b.events
            self.pair_rows = [
                k
                for k, p in enumerate(comparison.pairs)
                if allowed is None
                or (p.a is not None and a[p.a].code in allowed)
                or (p.b is not None and b[p.b].code in allowed)
            ]
            self.step_times = [comparison.times[k] for k in self.pair_rows]
            base = [("pair", k) for k in self.pair_rows]
            self.mismatch_times = [
                comparison.times[k]
                for k in self.pair_rows
                if comparison.pairs[k].kind != "agreement"
            ]
        notes = sorted(range(len(self.session.notes)), key=lambda j: self.session.notes[j].t)
        note_times = [self.session.notes[j].t for j in notes]
        self.rows: list[ListRow] = base
        self.row_times: list[float] = self.step_times
        if notes:
            merged = sorted(
                [(t, 0, row) for t, row in zip(self.step_times, base, strict=True)]
                + [(t, 1, ("note", j)) for t, j in zip(note_times, notes, strict=True)],
                key=lambda item: (item[0], item[1]),
            )
            self.rows = [row for _, _, row in merged]
            self.row_times = [t for t, _, _ in merged]
        self.note_times = note_times

    @property
    def allowed(self) -> frozenset[str] | None:
        """The codes the filter lets through (None: every code)."""
        return self.filter.allowed(self.book) if self.filter.active else None

    def set_filter(self, view: Filter) -> bool:
        """Show only what ``view`` lets through; whether anything changed."""
        if view == self.filter:
            return False
        self.filter = view
        self.rebuild()
        return True

    def replace_session(self, session: Session) -> None:
        """The same session with other review entries (just saved)."""
        self.session = session
        self.marks = event_marks(session.reviews)
        self.rebuild()

    # --- the playhead and the window ---------------------------------------------------

    def time(self) -> float:
        return self.playhead.time()

    def seek(self, t: float) -> float:
        """Move the playhead to ``t`` (clamped to the session): every jump ends here."""
        return self.playhead.seek(t)

    @property
    def span(self) -> float:
        return float(ZOOMS[self.zoom])

    def place(self, t: float) -> tuple[float, float]:
        """The window (start, span) showing ``t``: kept while ``t`` is inside, else paged."""
        self.t0 = place_window(t, self.t0, self.span, self.session.duration)
        return self.t0, self.span

    def change_zoom(self, direction: int) -> bool:
        """Zoom in (direction < 0) or out around the playhead; whether the span changed."""
        zoom = min(max(self.zoom + direction, 0), len(ZOOMS) - 1)
        if zoom == self.zoom:
            return False
        self.zoom = zoom
        self.t0 = center_window(self.time(), self.span, self.session.duration)
        return True

    def current_row(self, t: float | None = None) -> int | None:
        """The list row at the playhead (or at ``t``): the last starting at or before it."""
        return current_row(self.row_times, self.time() if t is None else t)

    def current_event(self) -> int | None:
        """Index into the session's events of the event at the playhead (A's in compare)."""
        row = self.current_row()
        while row is not None and row >= 0:
            kind, i = self.rows[row]
            if kind == "event":
                return i
            if kind == "pair":
                assert self.comparison is not None
                return self.comparison.pairs[i].a
            row -= 1  # a note: the event before it
        return None

    # --- navigation: each returns None when it moved, else why it could not ---------------

    def _jump(self, t: float | None, what: str) -> str | None:
        if t is None:
            return f"no {what}"
        self.seek(t)
        return None

    def step(self, direction: int) -> str | None:
        t = step_time(self.step_times, self.time(), direction)
        return self._jump(t, "next event" if direction > 0 else "previous event")

    def shift(self, direction: int) -> None:
        self.seek(self.time() + direction * SHIFT_S)

    def go_to(self, t: float) -> None:
        """Go to a typed time. The list shows times to a tenth of a second, so a row
        shown at exactly ``t`` (say 0:32.0 for an event at 32.000066 s) is where the
        playhead lands: its event is the one highlighted, and the one a flag acts on."""
        first = bisect_left(self.row_times, t - EPSILON)
        if first < len(self.row_times) and format_clock(self.row_times[first]) == format_clock(t):
            t = self.row_times[first]
        self.seek(t)

    def step_note(self, direction: int) -> str | None:
        t = self.index.step_note(self.time(), direction)
        return self._jump(t, "next note" if direction > 0 else "previous note")

    def step_code(self, direction: int) -> str | None:
        if self.code is None:
            return "no code chosen"
        t = self.index.step_code(self.code, self.time(), direction)
        label = code_label(self.book, self.code)
        return self._jump(t, f"{'next' if direction > 0 else 'previous'} {label}")

    def step_review(self, direction: int) -> str | None:
        t = step_time(review_times(self.session.reviews), self.time(), direction)
        return self._jump(t, "next review entry" if direction > 0 else "previous review entry")

    def step_mismatch(self, direction: int) -> str | None:
        if self.comparison is None:
            return "disagreements need compare mode: observer replay A.json --compare B.json"
        t = step_time(self.mismatch_times, self.time(), direction)
        return self._jump(t, "next disagreement" if direction > 0 else "previous disagreement")

    def lanes(self, *, skip_empty: bool = False) -> list[Lane]:
        """The timeline's lanes (compare mode: A's above B's, stream by stream);
        ``skip_empty``: without the streams nothing was coded in (short terminals)."""
        lanes = self.index.lanes
        if self.index_b is not None:
            lanes = interleave(lanes, self.index_b.lanes)
        if not skip_empty:
            return lanes
        coded = {lane.stream.id for lane in lanes if lane.events}
        return [lane for lane in lanes if lane.stream.id in coded]

    def sides(self) -> str:
        """Compare mode's header: each side's observer and session (else "")."""
        if self.other is None:
            return ""
        a, b = self.session, self.other
        return f"A {a.observer} · {a.id}   vs   B {b.observer} · {b.id}"

    def code_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.session.events:
            counts[e.code] = counts.get(e.code, 0) + 1
        return counts
