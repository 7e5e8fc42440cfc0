"""The replay screen: timeline, event list, running states, side panels, playback.

Playback is driven by a timer that only asks the :class:`Playhead` for the time
(monotonic clock − anchor, never counted ticks) and updates what changed: the
playhead's two timeline columns, the status line when its text changes, the
event list's highlight when the current event changes, the running states when
they change. The window pages when the playhead leaves it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.events import Click, Key
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from observer.errors import InputError
from observer.replay.clock import format_clock
from observer.replay.index import Filter, SessionIndex, current_row
from observer.replay.loading import Opened
from observer.replay.playhead import Playhead
from observer.replay.timeline import (
    INITIAL_SPAN,
    ZOOMS,
    interleave,
    place_window,
    zoom_index,
)
from observer.startup import release_collection
from observer.textsafe import safe
from observer.tui.replay import panels
from observer.tui.replay.dialogs import FilterPrompt, HelpPrompt
from observer.tui.replay.keys import HINTS, KEYS, help_text
from observer.tui.replay.navigation import NavigationActions
from observer.tui.replay.reviewing import ReviewActions
from observer.tui.replay.timeline import (
    Row,
    Timeline,
    code_styles,
    lane_row,
    marks_row,
    reviews_row,
)
from observer.tui.widgets.event_log import EventLog

if TYPE_CHECKING:
    from observer.replay.compare import Comparison
    from observer.sessionfile import Session


TYPED_AHEAD = {
    key: action
    for keys, action, _ in KEYS
    if action not in ("quit", "help")
    for key in keys.split(",")
}
"""Commands typed while the session is still loading: kept, then run in order."""
MAX_TYPED_AHEAD = 20

FRAME_GRACE_S = 0.02
"""The load waits this long after the first frame went to textual's output thread,
so that thread can write it before the parse holds the GIL (orjson does not let go
of it): without the pause, the first frame reached the terminal ~0.15 s later."""


class EventList(EventLog, can_focus=False):
    """The event log of the coding screen, kept in step with the playhead (it takes no
    focus: the arrows move the playhead); a click seeks to the row clicked."""

    def __init__(self, render_row: Callable[[int], object], on_row: Callable[[int], None]):
        super().__init__(render_row, follow=False, id="replay-events")  # type: ignore[arg-type]
        self.on_row = on_row

    def on_click(self, event: Click) -> None:
        row = int(self.scroll_offset.y) + event.y
        if 0 <= row < self.row_count:
            self.on_row(row)


class ReplayScreen(NavigationActions, ReviewActions, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, action, description, show=False) for key, action, description in KEYS
    ]

    def __init__(
        self,
        path: Path,
        opened: Opened | None,
        *,
        load: Callable[[], Opened] | None = None,
        preview: Session | None = None,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        config: Path | None = None,
    ) -> None:
        super().__init__()
        self.path, self.opened, self.load, self.preview = path, opened, load, preview
        self.speed, self.clock, self.config = speed, clock, config
        self.ready = False
        self._loading = False
        self._typed: list[str] = []
        self.file_sha256: str | None = None
        """Digest of the session file's bytes as last read or written (reviews)."""
        self.other: Session | None = None
        self.comparison: Comparison | None = None
        self.view = Filter()
        self.zoom = zoom_index(INITIAL_SPAN)
        self.t0 = 0.0
        self.code: str | None = None
        self.timer: Timer | None = None
        self._shown_status = ""
        self._shown_running: tuple[int, ...] | None = None
        self._row: int | None = None
        self._panel_stale = {"summary": True, "agreement": True}

    def _install(self, opened: Opened, *, complete: bool) -> None:
        self.session, self.other = opened.session, opened.other
        self.comparison = opened.comparison
        self.book = self.session.book
        self.playhead = Playhead(self.session.duration, speed=self.speed, clock=self.clock)
        self.colours = code_styles(self.book)
        self.actor_of = {c.id: c.actor for c in self.book.codes}
        self.marks = panels.event_marks(self.session.reviews)
        self._build_index()
        self.ready = complete

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="replay-status")
        yield Timeline(id="replay-timeline")
        with Horizontal(id="replay-body"):
            yield EventList(self._render_row, self._go_to_row)
            with Vertical(id="replay-side"):
                yield Static(id="replay-running")
                with ContentSwitcher(initial="replay-summary", id="replay-panels"):
                    with ScrollableContainer(id="replay-summary"):
                        yield Static(id="replay-summary-text")
                    yield OptionList(id="replay-reviews")
                    with ScrollableContainer(id="replay-agreement"):
                        yield Static(id="replay-agreement-text")
        yield Static(HINTS, id="replay-hints")

    def on_mount(self) -> None:
        self.query_one(Timeline).focus()
        if self.opened is not None:
            self._start(self.opened)
            return
        if self.preview is not None:
            # The first events, drawn at once; the whole file replaces them when loaded.
            self._start(Opened(self.preview), complete=False)
        else:
            status = f"loading {self.path.name}…"
            self.query_one("#replay-status", Static).update(status)

    def start_loading(self) -> None:
        """Load the whole file in a thread (the app calls this once its first frame is out)."""
        if self.load is not None and self.opened is None and not self._loading:
            self._loading = True
            self.run_worker(self._load_in_thread, thread=True)

    def _load_in_thread(self) -> None:
        """Parse, validate (and align) off the event loop, after the first frame."""
        assert self.load is not None
        time.sleep(FRAME_GRACE_S)
        try:
            opened = self.load()
        except InputError as error:
            self.app.call_from_thread(self.app.exit, error.problems, 2)
            return
        self.app.call_from_thread(self._start, opened)

    def _start(self, opened: Opened, *, complete: bool = True) -> None:
        """Show ``opened``; ``complete=False``: a preview of the session's beginning
        (drawn, but the commands wait for the whole session)."""
        kept = None
        if complete:
            if self.preview is not None:  # a click on the preview moved the playhead
                kept = self.playhead.time()
            self.opened, self.preview = opened, None
            self.file_sha256 = opened.sha256
            release_collection()  # start-up is over once the session is whole
        self._install(opened, complete=complete)
        if kept is not None:
            self.playhead.seek(kept)
        for warning in opened.warnings:
            self.notify(safe(warning), severity="warning", timeout=8, markup=False)
        self._refill()
        self._fill_reviews()
        self.sync()
        self._fill_panel()
        if complete and self._typed:
            self.call_after_refresh(self._run_typed_ahead)

    def on_key(self, event: Key) -> None:
        """Type-ahead: a command key pressed before the whole session is loaded (the
        preview is up, or ``loading FILE…``) is kept and run once it is."""
        if self.ready or self.load is None:
            return
        action = TYPED_AHEAD.get(event.key)
        if action is not None and len(self._typed) < MAX_TYPED_AHEAD:
            event.stop()
            event.prevent_default()
            self._typed.append(action)

    async def _run_typed_ahead(self) -> None:
        typed, self._typed = self._typed, []
        for action in typed:
            await self.run_action(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.ready or action in ("quit", "help")

    @property
    def span(self) -> float:
        return float(ZOOMS[self.zoom])

    # --- data --------------------------------------------------------------------------

    def _build_index(self) -> None:
        self.index = SessionIndex(self.session, self.view, side="A" if self.other else "")
        self.index_b = (
            SessionIndex(self.other, self.view, side="B", source=1) if self.other else None
        )
        if self.comparison is not None:
            allowed = self.view.allowed(self.book) if self.view.active else None
            a, b = self.session.events, self.comparison.b.events
            self.pair_rows = [
                k
                for k, p in enumerate(self.comparison.pairs)
                if allowed is None
                or (p.a is not None and a[p.a].code in allowed)
                or (p.b is not None and b[p.b].code in allowed)
            ]
            times = self.comparison.times
            self.row_times = [times[k] for k in self.pair_rows]
            self.mismatch_times = [
                times[k] for k in self.pair_rows if self.comparison.pairs[k].kind != "agreement"
            ]
        else:
            self.pair_rows = []
            self.row_times = self.index.starts
            self.mismatch_times = []

    def _timeline_rows(self) -> list[Row]:
        events = self.session.events
        if self.index_b is None or self.comparison is None or self.other is None:
            rows = [lane_row(lane, events, self.book, self.colours) for lane in self.index.lanes]
        else:
            rows = []
            for lane in interleave(self.index.lanes, self.index_b.lanes):
                lane_events = events if lane.source == 0 else self.other.events
                rows.append(lane_row(lane, lane_events, self.book, self.colours))
                if lane.side == "B":
                    rows.append(marks_row(self.comparison, lane.stream.id))
        rows.append(reviews_row(lambda: self.session.reviews))
        return rows

    def _refill(self) -> None:
        """After a filter change: lanes, list rows, panels."""
        self.query_one(Timeline).set_rows(self._timeline_rows())
        rows = self.pair_rows if self.comparison is not None else self.index.shown
        self.query_one(EventList).set_rows(rows)
        self._row = None
        self._shown_running = None
        self._panel_stale["summary"] = True

    def _render_row(self, row: int) -> object:
        if self.comparison is not None:
            return panels.pair_row(self.comparison, row)
        return panels.event_row(self.session.events, row, self.colours, self.actor_of, self.marks)

    def _go_to_row(self, row: int) -> None:
        self.seek(self.row_times[row])

    # --- the playhead ----------------------------------------------------------------

    def seek(self, t: float) -> None:
        self.playhead.seek(t)
        self.sync()

    def sync(self) -> None:
        """Bring every part of the screen in step with the playhead."""
        t = self.playhead.time()
        timeline = self.query_one(Timeline)
        self.t0 = place_window(t, self.t0, self.span, self.session.duration)
        timeline.set_window(self.t0, self.span)
        timeline.set_playhead(t)
        self._update_status(t)
        self._update_row(t)
        self._update_running(t)
        if not self.playhead.playing and self.timer is not None:
            self.timer.stop()
            self.timer = None

    def _update_status(self, t: float) -> None:
        head = self.playhead
        state = "▶ playing" if head.playing else "⏸ paused"
        parts = [
            f"{state} {format_clock(t)} / {format_clock(self.session.duration)}",
            f"{head.speed:g}×",
            f"window {format_clock(self.span, decimals=0)}",
            self.view.describe(),
        ]
        if self.code:
            parts.append(f"e/E: {self.code}")
        if self.other is not None:
            parts.append(f"A {self.session.id}  B {self.other.id}")
        else:
            parts.append(self.session.id)
        if not self.ready:
            parts.append("loading the rest…")
        status = " · ".join(parts)
        if status != self._shown_status:
            self._shown_status = status
            self.query_one("#replay-status", Static).update(status)

    def _current_row(self, t: float) -> int | None:
        return current_row(self.row_times, t)

    def _update_row(self, t: float) -> None:
        row = self._current_row(t)
        if row != self._row:
            self._row = row
            log = self.query_one(EventList)
            log.highlighted = row
            if row is not None:
                top = int(log.scroll_offset.y)
                height = log.scrollable_content_region.height
                if not top <= row < top + height:
                    log.scroll_to_row(row)

    def _update_running(self, t: float) -> None:
        running = self.index.running(t)
        running_b = self.index_b.running(t) if self.index_b else []
        key = (*running, -1, *running_b)
        if key == self._shown_running:
            return
        self._shown_running = key
        sides: list[tuple[str, Session, list[int]]] = [
            ("A" if self.other else "", self.session, running)
        ]
        if self.other is not None:
            sides.append(("B", self.other, running_b))
        self.query_one("#replay-running", Static).update(panels.running_text(sides))

    def action_filter(self) -> None:
        def done(view: Filter | None) -> None:
            if view is not None and view != self.view:
                self.view = view
                self._build_index()
                self._refill()
                self.sync()
                self._fill_panel()

        self.app.push_screen(FilterPrompt(self.book, self.view), done)

    def action_focus_timeline(self) -> None:
        self.query_one(Timeline).focus()

    def action_help(self) -> None:
        self.app.push_screen(HelpPrompt(help_text()))

    def action_quit(self) -> None:
        self.app.exit()

    def on_timeline_seek(self, message: Timeline.Seek) -> None:
        self.seek(message.t)

    # --- side panels -------------------------------------------------------------------

    def action_panel(self, name: str) -> None:
        if name == "agreement" and self.comparison is None:
            self.notify("the agreement summary needs compare mode (--compare B.json)")
            return
        self.query_one(ContentSwitcher).current = f"replay-{name}"
        self._fill_panel()
        if name == "reviews":
            self.query_one("#replay-reviews", OptionList).focus()

    def _fill_panel(self) -> None:
        current = self.query_one(ContentSwitcher).current or ""
        name = current.removeprefix("replay-")
        if not self._panel_stale.get(name):
            return
        self._panel_stale[name] = False
        if name == "summary" and not self.ready:
            self._panel_stale[name] = True
            self.query_one("#replay-summary-text", Static).update("counting… (still loading)")
        elif name == "summary":
            allowed = self.view.allowed(self.book) if self.view.active else None
            text = panels.summary_text(self.session, allowed)
            self.query_one("#replay-summary-text", Static).update(text)
        elif name == "agreement" and self.opened is not None:
            text = Text("\n".join(self.opened.agreement), no_wrap=True)
            self.query_one("#replay-agreement-text", Static).update(text)

    def _fill_reviews(self) -> None:
        reviews = self.query_one("#replay-reviews", OptionList)
        highlighted = reviews.highlighted
        reviews.clear_options()
        ordered = sorted(self.session.reviews, key=lambda r: (r.t, r.created_at))
        reviews.add_options(
            Option(panels.review_label(r, self.session.events), id=r.id) for r in ordered
        )
        if not ordered:
            reviews.add_option(
                Option("No review entries yet: a comment, m flag, x correction", disabled=True)
            )
        else:
            reviews.highlighted = min(highlighted or 0, len(ordered) - 1)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        review = self.review_by_id(event.option.id)
        if review is not None and event.option_list.has_focus:
            self.seek(review.t)
