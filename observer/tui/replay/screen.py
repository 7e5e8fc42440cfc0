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
from textual.binding import BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.events import Click, Key, Resize
from textual.timer import Timer
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from observer.errors import InputError
from observer.replay.clock import format_clock, parse_clock
from observer.replay.index import Filter
from observer.replay.loading import Opened
from observer.replay.playhead import Playhead
from observer.replay.reviewing import ReviewDesk
from observer.replay.view import ListRow, ReplayView
from observer.startup import release_collection
from observer.textsafe import safe
from observer.tui.plain import notice, plain
from observer.tui.replay import panels
from observer.tui.replay.dialogs import FilterPrompt, HelpPrompt
from observer.tui.replay.keys import HINTS, HINTS_NARROW, HINTS_VIDEO, KEYS, help_text
from observer.tui.replay.review_actions import ReviewActions
from observer.tui.replay.timeline import (
    MAX_LABEL_WIDTH,
    Row,
    Timeline,
    lane_row,
    marks_row,
    notes_row,
    reviews_row,
)
from observer.tui.widgets.dialogs import ChoicePrompt, TextPrompt
from observer.tui.widgets.event_log import EventLog
from observer.tui.widgets.statusline import fit, part, shortened

if TYPE_CHECKING:
    from observer.replay.timeline import Lane
    from observer.sessionfile import Session


TYPED_AHEAD = {name: k.action for k in KEYS if k.action not in ("quit", "help") for name in k.names}
"""Commands typed while the session is still loading: kept, then run in order."""
MAX_TYPED_AHEAD = 20
NARROW, SHORT = 100, 32
"""Below this many columns the side panel opens on request; below this many rows
the lanes of streams with nothing coded are left out."""
MORE_BELOW = "↓ more below"
TICK_S = 1 / 20
"""How often the screen asks the playhead where it is while playing."""

FRAME_GRACE_S = 0.02
"""The load waits this long after the first frame went to textual's output thread,
so that thread can write it before the parse holds the GIL (orjson does not let go
of it): without the pause, the first frame reached the terminal ~0.15 s later."""


class EventList(EventLog, can_focus=False):
    """The event log of the coding screen, kept in step with the playhead (it takes no
    focus: the arrows move the playhead); a click seeks to the row clicked."""

    def __init__(self, render_row: Callable[[ListRow], object], on_row: Callable[[int], None]):
        super().__init__(render_row, follow=False, id="replay-events")  # type: ignore[arg-type]
        self.on_row = on_row

    def on_click(self, event: Click) -> None:
        row = int(self.scroll_offset.y) + event.y
        if 0 <= row < self.row_count:
            self.on_row(row)


class ReplayScreen(ReviewActions):
    """Draws a :class:`ReplayView` and forwards keys to it."""

    BINDINGS: ClassVar[list[BindingType]] = [k.binding() for k in KEYS]

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
        self.speed, self.clock = speed, clock
        self.desk = ReviewDesk(path, None, config)
        self.ready = False
        self._loading = False
        self._typed: list[str] = []
        self.timer: Timer | None = None
        self._shown_status = ""
        self._shown_running: tuple[int, ...] | None = None
        self._row: int | None = None
        self._panel_stale = {"summary": True, "agreement": True}
        self.show_ids = False
        self._lanes_stale = False
        """Codes and lanes by id (``l``) rather than by label."""
        self.make_playhead: Callable[..., Playhead] = Playhead
        """Makes the playhead (``--video``: one that drives mpv, observer.tui.replay.video)."""

    def _install(self, opened: Opened, *, complete: bool) -> None:
        old = getattr(self, "model", None)
        self.model = ReplayView(opened, speed=self.speed, clock=self.clock)
        if old is not None:  # the preview's filter, zoom and window carry over
            self.model.filter, self.model.zoom, self.model.t0 = old.filter, old.zoom, old.t0
            self.model.code = old.code
            self.model.rebuild()
        self.palette = self.query_one(Timeline).palette()
        self.colours = self.palette.code_styles(self.model.book)
        self.actor_of = {c.id: c.actor for c in self.model.book.codes}
        sessions = [self.model.session, *([self.model.other] if self.model.other else [])]
        self._used = {e.code for s in sessions for e in s.events}
        self.columns = self._columns()
        if self.make_playhead is not Playhead:  # --video: a playhead that drives mpv
            duration = self.model.session.duration
            self.model.playhead = self.make_playhead(duration, speed=self.speed, clock=self.clock)
        self.ready = complete

    # --- what tests and the app read -------------------------------------------------

    @property
    def playhead(self) -> Playhead:
        return self.model.playhead

    @property
    def session(self) -> Session:
        return self.model.session

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="replay-status")
        yield Static(id="replay-sides")
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
                yield Static(MORE_BELOW, id="replay-more")
        yield Static(HINTS, id="replay-hints")

    def on_mount(self) -> None:
        self.query_one(Timeline).focus()
        for panel in ("#replay-summary", "#replay-agreement", "#replay-reviews"):
            self.watch(self.query_one(panel), "scroll_y", self._show_more, init=False)
            self.watch(self.query_one(panel), "scroll_x", self._show_more, init=False)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.opened is not None:
            self._start(self.opened)
            return
        if self.preview is not None:
            # The first events, drawn at once; the whole file replaces them when loaded.
            self._start(Opened(self.preview), complete=False)
        else:
            status = f"loading {self.path.name}…"
            self.query_one("#replay-status", Static).update(plain(status))

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
                kept = self.model.time()
            self.opened, self.preview = opened, None
            self.desk.sha256 = opened.sha256
            release_collection()  # start-up is over once the session is whole
        self._install(opened, complete=complete)
        sides = self.query_one("#replay-sides", Static)
        sides.update(plain(self.model.sides()))
        sides.display = self.model.other is not None
        self.set_class(self.model.other is not None, "-compare")
        if kept is not None:
            self.model.seek(kept)
        for warning in opened.warnings:
            notice(self, warning, severity="warning", timeout=8)
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

    # --- data --------------------------------------------------------------------------

    # --- names: labels as coding shows them; ids on request (l) or where space is short ---

    def _columns(self) -> panels.Columns:
        """The event list's columns, naming codes by label where a row fits the list."""
        book, duration = self.model.book, self.model.session.duration
        used = self._used
        labels = panels.Columns.of(book, duration, panels.code_names(book, ids=False), used)
        compare = self.model.comparison is not None
        if not self.show_ids and labels.width(compare=compare) <= self._list_width():
            return labels
        return panels.Columns.of(book, duration, used=used)

    def _names(self) -> dict[str, str]:
        """How the running states and the review list name codes: by label (their panels
        have room), by id on request."""
        return panels.code_names(self.model.book, ids=self.show_ids)

    def _list_width(self) -> int:
        width = self.query_one(EventList).size.width
        if width:
            return width
        total = self.app.size.width  # before the first layout: as the stylesheet will lay it
        if total < NARROW:
            return total - 1
        side = min(64, max(30, int(total * (0.32 if self.model.other is not None else 0.47))))
        return total - side - 2

    def _lane_label(self, lane: Lane) -> str:
        """``Group · Actor`` by their labels (shortened with … to the label column), or
        the stream id: on request, and on a narrow terminal (ids are shorter)."""
        if self.show_ids or self.has_class("-narrow"):
            return lane.label
        stream = lane.stream
        name = safe(f"{stream.group.label} · {stream.actor.label}")
        named = f"{lane.side} {name}" if lane.side else name
        return shortened(named, MAX_LABEL_WIDTH - 1).plain

    def _rename(self) -> None:
        """After a resize or ``l``: the names that fit now, everything redrawn if they changed."""
        if getattr(self, "model", None) is None:
            return
        columns = self._columns()
        if (columns.code, list(columns.names.values())) == (
            self.columns.code,
            list(self.columns.names.values()),
        ) and not self._lanes_stale:
            return
        self.columns = columns
        self._lanes_stale = False
        self._refill()
        self._fill_reviews()
        self.sync()

    def action_toggle_ids(self) -> None:
        self.show_ids = not self.show_ids
        self._lanes_stale = True
        self._rename()
        notice(self, "codes shown by id" if self.show_ids else "codes shown by label", timeout=2)

    def _timeline_rows(self) -> list[Row]:
        """Notes and reviews first (always in view), then the lanes; on a short
        terminal the streams nothing was coded in are left out."""
        model = self.model
        roles = self.palette.roles
        rows = [notes_row(model.session.notes, roles["note"])] if model.session.notes else []
        rows.append(reviews_row(lambda: self.model.session.reviews, roles["review"]))
        for lane in model.lanes(skip_empty=self.has_class("-short")):
            events = (
                model.other.events if lane.source == 1 and model.other else model.session.events
            )
            label = self._lane_label(lane)
            rows.append(lane_row(lane, events, model.book, self.colours, roles["on-bar"], label))
            if lane.side == "B" and model.comparison is not None:
                rows.append(marks_row(model.comparison, lane.stream.id, self.palette))
        return rows

    def on_resize(self, event: Resize) -> None:
        """Lay out for the terminal's size: a narrow one (< 100 columns) opens the side
        panel only on request (s, v, i; escape closes it); a short one (< 32 rows)
        leaves out the lanes of streams with nothing coded."""
        narrow, short = event.size.width < NARROW, event.size.height < SHORT
        self.set_class(narrow, "-narrow")
        self.show_hints(event.size.width)
        if getattr(self, "model", None) is not None:
            self._lanes_stale = True
            self.call_after_refresh(self._rename)
            self.call_after_refresh(lambda: self._update_status(self.model.time()))
        if short != self.has_class("-short"):
            self.set_class(short, "-short")
            if getattr(self, "model", None) is not None:
                self.query_one(Timeline).set_rows(self._timeline_rows())

    def _refill(self) -> None:
        """After a filter change or a save: lanes, list rows, panels."""
        self.query_one(Timeline).set_rows(self._timeline_rows())
        self.query_one(EventList).set_rows(self.model.rows)
        self._row = None
        self._shown_running = None
        self._panel_stale["summary"] = True

    def _theme_changed(self, _theme: object) -> None:
        """Another theme: read the colours again and redraw everything coloured."""
        if getattr(self, "model", None) is None:
            return
        self.palette = self.query_one(Timeline).palette()
        self.colours = self.palette.code_styles(self.model.book)
        self._refill()
        self._fill_reviews()
        self.sync()

    def after_save(self) -> None:
        self._fill_reviews()
        self._refill()
        self.sync()

    def _render_row(self, row: ListRow) -> object:
        model = self.model
        kind, i = row
        if kind == "pair":
            assert model.comparison is not None
            return panels.pair_row(model.comparison, i, self.columns, self.palette)
        if kind == "note":
            return panels.note_row(model.session.notes[i], self.columns)
        events = model.session.events
        return panels.event_row(
            events, i, self.colours, self.actor_of, model.marks, self.columns, self.palette
        )

    def _go_to_row(self, row: int) -> None:
        self.seek(self.model.row_times[row])

    # --- the playhead ----------------------------------------------------------------

    def seek(self, t: float) -> None:
        self.model.seek(t)
        self.sync()

    def sync(self) -> None:
        """Bring every part of the screen in step with the playhead."""
        model = self.model
        t = model.time()
        timeline = self.query_one(Timeline)
        timeline.set_window(*model.place(t))
        timeline.set_playhead(t)
        self._update_status(t)
        self._update_row(t)
        self._update_running(t)
        if not model.playhead.playing and self.timer is not None:
            self.timer.stop()
            self.timer = None

    def _update_status(self, t: float) -> None:
        """The status line, fitted to its width: the filter, window, speed and state
        words give way, never the times or the session id (no part is cut midway)."""
        model = self.model
        head = model.playhead
        times = f"{format_clock(t)} / {format_clock(model.session.duration)}"
        state = "▶ playing" if head.playing else "⏸ paused"
        symbol = state.split()[0]
        described = model.filter.describe()
        parts = [
            part(plain(f"{state} {times}"), (6, plain(f"{symbol} {times}"))),
            part(plain(f"{head.speed:g}×"), (3, Text())),
            part(plain(f"window {format_clock(model.span, decimals=0)}"), (2, Text())),
            part(plain(described), (1, shortened(described, 16)), (5, Text())),
        ]
        frame = getattr(head, "frame", None)
        number = frame() if frame is not None else None
        if number is not None:  # --video with a known frame rate
            parts.insert(1, part(plain(f"frame {number}"), (3, Text())))
        if model.code:
            code = f"e/E: {model.code}"
            parts.append(part(plain(code), (4, shortened(code, 16)), (8, Text())))
        if model.other is None:
            parts.append(part(plain(model.session.id)))
        if not self.ready:
            parts.append(part(plain("loading the rest…"), (7, plain("loading…"))))
        widget = self.query_one("#replay-status", Static)
        width = widget.size.width or self.app.size.width - 2
        status = fit(parts, width, " · ")
        if status.plain != self._shown_status:
            self._shown_status = status.plain
            widget.update(status)

    def _update_row(self, t: float) -> None:
        row = self.model.current_row(t)
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
        model = self.model
        running = model.index.running(t)
        running_b = model.index_b.running(t) if model.index_b else []
        key = (*running, -1, *running_b)
        if key == self._shown_running:
            return
        self._shown_running = key
        sides: list[tuple[str, Session, list[int]]] = [
            ("A" if model.other else "", model.session, running)
        ]
        if model.other is not None:
            sides.append(("B", model.other, running_b))
        shown = panels.running_text(sides, self._names())
        self.query_one("#replay-running", Static).update(shown)

    # --- playback and navigation: the model moves, the screen follows -------------------

    def _tick(self) -> None:
        self.sync()

    def _moved(self, refused: str | None) -> None:
        if refused is not None:
            notice(self, refused, timeout=2)
            self.app.bell()
        self.sync()

    def action_play_pause(self) -> None:
        if self.model.playhead.toggle() and self.timer is None:
            self.timer = self.set_interval(TICK_S, self._tick)
        self.sync()

    def action_step(self, direction: int) -> None:
        self._moved(self.model.step(direction))

    def show_hints(self, width: int | None = None) -> None:
        """The hints line for the terminal's width; with the video, its keys first."""
        width = self.size.width if width is None else width
        wide = HINTS_VIDEO if self.make_playhead is not Playhead else HINTS
        fits = width >= len(wide) + 2
        self.query_one("#replay-hints", Static).update(wide if fits else HINTS_NARROW)

    async def action_frame(self, direction: int) -> None:
        """F5 / F6: one frame back / forward of the video (``--video``, paused)."""
        from observer.media.follow import VideoPlayhead

        playhead = self.model.playhead
        if not isinstance(playhead, VideoPlayhead):
            self._moved("frame steps need the video: observer replay SESSION --video FILE")
            return
        self._moved(await playhead.step_frame(back=direction < 0))

    def action_shift(self, direction: int) -> None:
        self.model.shift(direction)
        self.sync()

    def action_seek_start(self) -> None:
        self.seek(0.0)

    def action_seek_end(self) -> None:
        self.seek(self.model.session.duration)

    def action_speed(self, direction: int) -> None:
        self.model.playhead.change_speed(direction)
        self.sync()

    def action_zoom(self, direction: int) -> None:
        if self.model.change_zoom(direction):
            self.sync()

    def action_goto(self) -> None:
        duration = self.model.session.duration

        def check(text: str) -> str | None:
            try:
                t = parse_clock(text)
            except ValueError as error:
                return str(error)
            if t > duration:
                return f"the session lasts {format_clock(duration)}"
            return None

        def done(text: str | None) -> None:
            if text is not None:
                self.model.go_to(parse_clock(text))
                self.sync()

        prompt = TextPrompt(
            "Go to time (m:ss, h:mm:ss or seconds)",
            value=format_clock(self.model.time()),
            check=check,
        )
        self.app.push_screen(prompt, done)

    def action_note(self, direction: int) -> None:
        self._moved(self.model.step_note(direction))

    def action_choose_code(self) -> None:
        counts = self.model.code_counts()
        book = self.model.book
        options = [(c.id, f"{c.key}  {c.label} ({counts.get(c.id, 0)})") for c in book.codes]

        def done(code: str | None) -> None:
            if code is not None:
                self.model.code = code
                self.action_code(1)

        self.app.push_screen(ChoicePrompt("Jump between events of which code?", options), done)

    def action_code(self, direction: int) -> None:
        if self.model.code is None:
            self.action_choose_code()
            return
        self._moved(self.model.step_code(direction))

    def action_review(self, direction: int) -> None:
        self._moved(self.model.step_review(direction))

    def action_mismatch(self, direction: int) -> None:
        if self.model.comparison is None:
            notice(self, self.model.step_mismatch(direction) or "")
            return
        self._moved(self.model.step_mismatch(direction))

    def action_filter(self) -> None:
        def done(view: Filter | None) -> None:
            if view is not None and self.model.set_filter(view):
                self._refill()
                self.sync()
                self._fill_panel()

        self.app.push_screen(FilterPrompt(self.model.book, self.model.filter), done)

    def action_focus_timeline(self) -> None:
        self.remove_class("-side-open")
        self.query_one(Timeline).focus()

    def action_help(self) -> None:
        self.app.push_screen(HelpPrompt(help_text()))

    def action_quit(self) -> None:
        self.app.exit()

    def on_timeline_seek(self, message: Timeline.Seek) -> None:
        self.seek(message.t)

    # --- side panels -------------------------------------------------------------------

    def action_panel(self, name: str) -> None:
        if name == "agreement" and self.model.comparison is None:
            notice(self, "the agreement summary needs compare mode (--compare B.json)")
            return
        self.query_one(ContentSwitcher).current = f"replay-{name}"
        self.add_class("-side-open")
        self._fill_panel()
        if name == "reviews":
            self.query_one("#replay-reviews", OptionList).focus()
        elif self.has_class("-narrow"):  # the panel is the whole body: the arrows scroll it
            self.query_one(f"#replay-{name}").focus()
        self.call_after_refresh(self._show_more)

    def _show_more(self, _: object = None) -> None:
        """Under the side panel, a line saying there is more below, while there is."""
        current = self.query_one(ContentSwitcher).current or ""
        panel = self.query_one(f"#{current}") if current else None
        below = panel is not None and panel.scroll_y < panel.max_scroll_y
        wider = panel is not None and panel.scroll_x < panel.max_scroll_x
        said = [MORE_BELOW] if below else []
        if wider:
            said.append("→ wider")
        if said and self.has_class("-narrow"):  # the panel has the focus and the arrows
            said.append("arrows or pgdn scroll · esc closes")
        elif said:
            said.append("wheel scrolls")
        more = self.query_one("#replay-more", Static)
        more.update(" · ".join(said))
        more.set_class(bool(said), "-shown")

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
            text = panels.summary_text(self.model.session, self.model.allowed)
            self.query_one("#replay-summary-text", Static).update(text)
        if name in ("summary", "agreement"):
            self.call_after_refresh(self._show_more)
        if name == "agreement" and self.opened is not None:
            text = plain("\n".join(self.opened.agreement), lines=True)
            text.no_wrap = True  # a table's rows kept whole: wider ones scroll sideways
            self.query_one("#replay-agreement-text", Static).update(text)

    def _fill_reviews(self) -> None:
        reviews = self.query_one("#replay-reviews", OptionList)
        highlighted = reviews.highlighted
        reviews.clear_options()
        ordered = sorted(self.model.session.reviews, key=lambda r: (r.t, r.created_at))
        events = self.model.session.events
        reviews.add_options(
            Option(panels.review_label(r, events, self.palette, self._names()), id=r.id)
            for r in ordered
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
