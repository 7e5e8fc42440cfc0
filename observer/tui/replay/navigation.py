"""The replay screen's playback and navigation actions (play, step, jump, zoom, go to).

Every jump asks the core for a time (``observer.replay.index``: bisection over
sorted times) and seeks there; nothing here walks the events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from observer.replay.clock import format_clock, parse_clock
from observer.replay.index import review_times, step_time
from observer.replay.timeline import ZOOMS, center_window
from observer.tui.replay.dialogs import ChoicePrompt, TextPrompt

TICK_S = 1 / 20
"""How often the screen asks the playhead where it is while playing."""
SHIFT_S = 5.0


class NavigationActions:
    """Mixed into ReplayScreen (which provides the attributes declared below)."""

    if TYPE_CHECKING:
        app: Any
        book: Any
        code: str | None
        comparison: Any
        index: Any
        mismatch_times: list[float]
        playhead: Any
        row_times: list[float]
        session: Any
        t0: float
        timer: Any
        zoom: int
        set_interval: Any

        @property
        def span(self) -> float: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def seek(self, t: float) -> None: ...
        def sync(self) -> None: ...

    def _tick(self) -> None:
        self.sync()

    def action_play_pause(self) -> None:
        if self.playhead.toggle() and self.timer is None:
            self.timer = self.set_interval(TICK_S, self._tick)
        self.sync()

    def _jump(self, t: float | None, what: str) -> None:
        if t is None:
            self.notify(f"no {what}", timeout=2)
            self.app.bell()
            return
        self.seek(t)

    def action_step(self, direction: int) -> None:
        t = step_time(self.row_times, self.playhead.time(), direction)
        self._jump(t, "next event" if direction > 0 else "previous event")

    def action_shift(self, direction: int) -> None:
        self.seek(self.playhead.time() + direction * SHIFT_S)

    def action_seek_start(self) -> None:
        self.seek(0.0)

    def action_seek_end(self) -> None:
        self.seek(self.session.duration)

    def action_speed(self, direction: int) -> None:
        self.playhead.change_speed(direction)
        self.sync()

    def action_zoom(self, direction: int) -> None:
        zoom = min(max(self.zoom + direction, 0), len(ZOOMS) - 1)
        if zoom == self.zoom:
            return
        self.zoom = zoom
        self.t0 = center_window(self.playhead.time(), self.span, self.session.duration)
        self.sync()

    def action_goto(self) -> None:
        def check(text: str) -> str | None:
            try:
                t = parse_clock(text)
            except ValueError as error:
                return str(error)
            if t > self.session.duration:
                return f"the session lasts {format_clock(self.session.duration)}"
            return None

        def done(text: str | None) -> None:
            if text is not None:
                self.seek(parse_clock(text))

        prompt = TextPrompt(
            "Go to time (m:ss, h:mm:ss or seconds)",
            value=format_clock(self.playhead.time()),
            check=check,
        )
        self.app.push_screen(prompt, done)

    def action_note(self, direction: int) -> None:
        t = self.index.step_note(self.playhead.time(), direction)
        self._jump(t, "next note" if direction > 0 else "previous note")

    def action_choose_code(self) -> None:
        counts: dict[str, int] = {}
        for e in self.session.events:
            counts[e.code] = counts.get(e.code, 0) + 1
        options = [(c.id, f"{c.key}  {c.id} ({counts.get(c.id, 0)})") for c in self.book.codes]

        def done(code: str | None) -> None:
            if code is not None:
                self.code = code
                self.action_code(1)

        self.app.push_screen(ChoicePrompt("Jump between events of which code?", options), done)

    def action_code(self, direction: int) -> None:
        if self.code is None:
            self.action_choose_code()
            return
        t = self.index.step_code(self.code, self.playhead.time(), direction)
        self._jump(t, f"{'next' if direction > 0 else 'previous'} {self.code}")

    def action_review(self, direction: int) -> None:
        t = step_time(review_times(self.session.reviews), self.playhead.time(), direction)
        self._jump(t, "next review entry" if direction > 0 else "previous review entry")

    def action_mismatch(self, direction: int) -> None:
        if self.comparison is None:
            self.notify("disagreements need compare mode: observer replay A.json --compare B.json")
            return
        t = step_time(self.mismatch_times, self.playhead.time(), direction)
        self._jump(t, "next disagreement" if direction > 0 else "previous disagreement")
