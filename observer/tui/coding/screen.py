"""The coding screen: clock, state, running states, key legend, prompt line, log.

Keys (codes, modifier values and the screen's keys of ``keys.KEYS``) are handled
in ``on_key`` and stamped with the key event's own ``event.time``. A click or a tap on a
target (``observer.tui.targets``: a code in the legend or the touch grid, a key on the
hints line, a modifier value) is that key, at the mouse press's own time, logged in the
raw key log as the key and handled as it (``on_tapped``); the screen
posts a message for what the app does (the end flow, help); the palette is
textual's binding. Nothing here
blocks coding: a refused key is acknowledged on the prompt line and in the log,
a modifier is chosen on the prompt line, a note is typed in an inline input.

The first frame comes before the journal exists (start-up stays fast): keys that
arrive before :meth:`CodingScreen.attach` gives the screen its recorder are kept,
with their arrival times, and handled then.

Held keys: terminals repeat a held key and report no release, so a second press
of the same *state* key within :data:`REPEAT_S` of the previous one is refused
as a repeat (it would otherwise stop the state just started). Point keys are
never filtered: each press is an event. A held space is one press: its first repeat,
which toggles the clock because it comes too late to be told from a press, is undone
at its own instant once the rapid repeats show it was part of the hold
(:mod:`observer.live.hold`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from observer.codebook import Codebook
from observer.live.hold import SpaceHold
from observer.tui.coding.feedback import (
    COMPONENT_CLASSES,
    LogRow,
    RowRenderer,
    Styles,
    modifier_prompt,
    running_text,
    segment_keys,
    segment_prompt,
)
from observer.tui.coding.keys import (
    HANDLERS,
    UNLOGGED,
    CodingKey,
    hint_groups,
    key_for,
    key_names,
)
from observer.tui.coding.sampling import ScanPrompt
from observer.tui.coding.tallies import Tallies
from observer.tui.coding.video import TimeField
from observer.tui.coding.windowline import WindowLine
from observer.tui.forms import FormField, keys_ready
from observer.tui.plain import plain
from observer.tui.targets import Tapped, char_target, pressed, target
from observer.tui.widgets.clock import ClockDisplay, format_clock
from observer.tui.widgets.event_log import EventLog
from observer.tui.widgets.legend import KeyLegend
from observer.tui.widgets.statusline import Part, fit, part, shortened
from observer.tui.widgets.touchgrid import Cell, TouchGrid, choice_lines

if TYPE_CHECKING:
    from textual.timer import Timer

    from observer.live.journal import JournalStatus
    from observer.live.keylog import KeyLog
    from observer.live.recorder import Outcome, Recorder
    from observer.tui.coding.video import VideoControl

TICK_S = 0.1
"""How often the clock, the status line and the running states are redrawn."""
REPEAT_S = 0.15
"""Same state key again within this many seconds: a held key's auto-repeat, refused."""
BARE_MODIFIERS = frozenset(
    f"{side}_{mod}"
    for side in ("left", "right")
    for mod in ("shift", "ctrl", "control", "alt", "super", "meta", "hyper")
) | {"caps_lock", "num_lock", "scroll_lock", "iso_level3_shift", "iso_level5_shift"}


def hints_text(name: Callable[[str], str], *, video: bool = False) -> Text:
    """The bottom line: the table's hinted keys (one leading space; 80 columns hold them);
    with a video, the video's line. Each key's name and word is a target: a click on
    it does what the key does."""
    text = Text()
    for keys, word, hint_as in hint_groups(name, video=video):
        text.append("  ")
        if hint_as is not None:  # several keys under one sign (the video's arrows)
            text.append(hint_as, style="bold")
            text.append(f" {word}")
            continue
        for i, (shown, key) in enumerate(keys):
            press = target(key)
            text.append(" " if i else "", style=press + Style(bold=True))
            text.append(shown, style=press + Style(bold=True))
        text.append(f" {word}", style=target(keys[0][1]))
    return text[1:]


def note_targets() -> Text:
    """Beside the note field: save and cancel as targets (a soft keyboard has no escape)."""
    text = Text()
    text.append(" ✓ save ", style=target("enter") + Style(bold=True))
    text.append(" ")
    text.append(" ✗ cancel ", style=target("escape") + Style(bold=True))
    return text


class Saved:
    """What the journal writer reports: set on its thread, read by the screen's tick."""

    def __init__(self) -> None:
        self.acked = 0
        """Sequence number of the last action known to be on disk."""
        self.error: str | None = None
        """The journal's current write failure, None while writing works."""
        self.warning: str | None = None
        """Kept once the journal had to be re-created (its folder was deleted)."""

    def on_ack(self, seq: int) -> None:
        self.acked = seq

    def on_status(self, status: JournalStatus) -> None:
        self.error = None if status.ok else (status.error or "cannot write the journal")
        self.warning = status.warning or self.warning


class CodingScreen(Screen[None]):
    """One live session. ``now`` gives monotonic time for the display only."""

    AUTO_FOCUS = "#log"
    COMPONENT_CLASSES = COMPONENT_CLASSES

    def __init__(
        self,
        book: Codebook,
        dyad: str,
        observer: str,
        now: Callable[[], float],
        saved: Saved,
        *,
        touch: bool = False,
    ) -> None:
        super().__init__()
        self.book = book
        self.touch = touch
        """The touch layout (``--touch``): the codes and the screen's keys as a grid of
        large targets (observer.tui.widgets.touchgrid) instead of the key legend."""
        self.who = f"{dyad} · {observer}"
        self.now = now
        self.saved = saved
        self._recorder: Recorder | None = None
        self._renderer: RowRenderer | None = None
        self._early: list[tuple[str, float, str | None]] = []
        self._early_clicks: set[int] = set()
        """Which early keys were targets pressed (clicks, taps), by index."""
        self._key_log: KeyLog | None = None
        """Keys that arrived before the recorder was attached, in order, with their times."""
        self.choosing_segment: float | None = None
        """Monotonic time of the ctrl+g press while the segment choice is open."""
        self.note_at: float | None = None
        """Session time of the ctrl+n press while a note is being typed."""
        self._last_key: tuple[str, float] = ("", float("-inf"))
        """The last printable key and its time (to recognise a held key's repeats)."""
        self._hold = SpaceHold()
        self.partner_toggled = float("-inf")
        """When the partner's last toggle of this clock reached this screen (paired
        coding): a space of this coder stamped before that was pressed without having
        seen it, so it is the same moment's press as the partner's, refused."""
        self._rows_by_event: dict[int, list[int]] = {}
        """Log rows showing each live event (by ``LiveEvent.index``), to redraw them when it
        changes (a row keeps its own event: redrawing one of an undone event is harmless)."""
        self.refused = 0
        self.video: VideoControl | None = None
        """Coding from a video: the video rows of the key table are its methods
        (observer.tui.coding.video)."""
        self.going_to = False
        """The go-to-time field is open (a video's ctrl+t)."""
        self.colour = Styles(self)
        self._planned_timer: Timer | None = None
        """Armed for the instant the open segment stops itself, when under a tick away."""
        self.pair_status: str | None = None
        """Coded in a pair (``--pair``): the partner is ``waiting``, ``connected`` or ``gone``."""

    @property
    def recorder(self) -> Recorder:
        assert self._recorder is not None, "the recorder is not attached yet"
        return self._recorder

    @property
    def attached(self) -> bool:
        return self._recorder is not None

    def early_keys(self) -> list[tuple[float, str, str | None, bool]]:
        """The keys that came before the recorder was attached, as the key log records
        them: (arrival stamp, key name, character, whether a target was pressed)."""
        return [
            (mono, key, character, i in self._early_clicks)
            for i, (key, mono, character) in enumerate(self._early)
        ]

    def attach(self, recorder: Recorder, key_log: KeyLog | None = None) -> None:
        """Start coding with ``recorder`` (its journal exists); handle keys that came
        early. ``key_log``: where a key read before it existed but handled from now on
        is logged (it waited in the app's queue while the journal opened)."""
        self._key_log = key_log
        self._recorder = recorder
        self._renderer = RowRenderer(recorder, self.colour)
        early, self._early = self._early, []
        self._early_clicks = set()
        for key, mono, character in early:
            self.press(key, mono, character)
        self.tally()
        self.tick()

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="top"):
            yield ClockDisplay(format_clock(0), id="clock")
            yield Static(id="running")
        if self.touch:
            yield TouchGrid(self.book, id="grid")
            yield Tallies(id="tallies")
        else:
            with Horizontal(id="legend-row"):
                yield KeyLegend(self.book, id="legend")
                yield Tallies(id="tallies")
        yield Static(id="prompt")
        if self.book.sampling is not None:  # time sampling: the scan prompt (hidden until due)
            yield ScanPrompt(self.book.sampling, id="scan")
        if self.book.windows:  # response windows: the countdown, the command waiting
            yield WindowLine(id="window")
        with Horizontal(id="note-row"):
            yield Static("note:", id="note-label")
            yield FormField(id="note", placeholder="note text · enter saves · escape cancels")
            yield Static(note_targets(), id="note-targets")
        yield EventLog(self._render_row, id="log")
        if not self.touch:  # the grid's control row holds these keys
            name = key_names(self.app.get_key_display)
            yield Static(hints_text(name, video=self.video is not None), id="hints")

    def _render_row(self, row: LogRow) -> Text:
        assert self._renderer is not None
        return self._renderer(row)

    def on_mount(self) -> None:
        self.set_class(self.touch, "-touch")
        self.set_interval(TICK_S, self.tick)
        self.say(Text("press space to start the clock", style=self.colour("info")))
        self.tick()
        keys_ready(self)  # keys typed right after the metadata form's start

    # --- periodic display -------------------------------------------------------

    def session_now(self) -> float:
        return self.recorder.time_at(self.now())

    def tick(self) -> None:
        rec = self._recorder
        if rec is None:
            self.query_one("#status", Static).update(self.status_text())
            return
        if self.touch:
            self.query_one(TouchGrid).set_running(frozenset(rec.running), rec.clock.state)
        self.stop_planned_segment()
        t = self.session_now()
        clock = self.query_one(ClockDisplay)
        clock.show(t)
        stopped = rec.clock.state != "running" or (self.video is not None and self.video.stopped)
        clock.set_class(stopped, "-stopped")
        self.query_one("#running", Static).update(running_text(rec, t))
        if self.book.windows:
            self.query_one(WindowLine).show(rec, t)
        if not self.touch:
            self.query_one(KeyLegend).set_running(frozenset(rec.running))
        self.query_one("#status", Static).update(self.status_text())

    def stop_planned_segment(self) -> None:
        """A segment that ends itself: stop it once its instant has come (stamped with the
        instant, not with now), and arm a timer for it when it is under a tick away."""
        rec = self.recorder
        due = rec.segment_due()
        if due is None or not rec.clock.started or rec.ended:
            return
        left = due - self.session_now()
        if left <= 0:
            self._planned_timer = None
            mono = self.now()
            self.acknowledge("segment", rec.end_segment(mono), mono)
        elif left < TICK_S and self._planned_timer is None and rec.clock.state == "running":
            self._planned_timer = self.set_timer(left, self._planned_due)

    def _planned_due(self) -> None:
        self._planned_timer = None
        self.stop_planned_segment()

    def status_text(self, width: int | None = None) -> Text:
        """The status line, fitted to ``width`` (the screen's): the other parts give way
        (the observer, the segment's name, the badge's hint, the event count...) so the
        ``saved N`` that says the data is safe is never cut."""
        rec = self._recorder
        state = rec.clock.state if rec is not None else "ready"
        label, hint, role = {
            "ready": ("WAITING", " · press space", "waiting"),
            "running": ("● RUNNING", "", "running"),
            "paused": ("❚❚ PAUSED", " · space resumes", "paused"),
            "ended": ("ENDED", "", "ended"),
        }[state]
        badge = self.colour(role)
        parts = [part(Text(f" {label}{hint} ", badge), (3, Text(f" {label} ", badge)))]
        if self.pair_status is not None:
            parts.append(self._pair_part(self.pair_status))
        if self.video is not None:
            video = self.video.status(self.now(), self.colour("not-saved"))
            video = video[len(video.plain) - len(video.plain.lstrip(" ")) :]
            parts.append(part(video, (8, Text())))
        who = part(Text(self.who, "dim"), (1, shortened(self.who, 10, "dim")), (5, Text()))
        if rec is None:
            parts.append(who)
        else:
            parts.extend(self._segment_parts(rec))
            parts.append(who)
            n = len(rec.events)
            parts.append(part(Text(f"events {n}"), (4, Text(f"ev {n}")), (7, Text())))
            parts.extend(self._saved_parts(rec))
        if width is None:
            width = self.size.width or self.app.size.width
        return fit(parts, width, "  ")

    def _pair_part(self, status: str) -> Part:
        """Paired: whether the partner is connected (the first to give way is the word)."""
        shown = {
            "waiting": "paired · waiting for partner",
            "connected": "paired · partner connected",
            "ended": "paired · partner ended: alone",
            "gone": "paired · partner gone: alone",
        }[status]
        alone = status in ("ended", "gone")
        style = self.colour("not-saved") if alone else self.colour("info")
        short = {"waiting": "pair wait", "connected": "paired"}.get(status, "ALONE")
        return part(Text(shown, style), (2, Text(short, style)))

    def pair_said(self, message: str, *, refused: bool = False) -> None:
        """A line about the pairing (the partner came, went, a third was refused)."""
        role = "not-saved" if refused else "info"
        self.say(Text(message, style=self.colour(role)), refused=refused)
        self.tick()

    def _segment_parts(self, rec: Recorder) -> list[Part]:
        """The open segment: its name, its time and planned length (the name gives way first)."""
        segments = rec.segments
        if not segments or segments[-1].end is not None:
            return []
        segment = rec.book.segment_by_id[segments[-1].segment]
        elapsed = format_clock(max(0.0, self.session_now() - segments[-1].start))
        planned = f"/{format_clock(segment.planned_s)[:5]}" if segment.planned_s else ""
        time = Text(f"{elapsed[:5]}{planned}", "bold")
        due = rec.segment_due()
        if due is not None:  # it stops itself: the time it has left, counted down
            left = format_clock(max(0.0, due - self.session_now()))
            time = Text(f"{left[:5]} left", "bold")
        elif segment.planned_s and self.session_now() - segments[-1].start > segment.planned_s:
            time.stylize(self.colour("overrun"))
            time.append(" OVER", self.colour("overrun"))  # past its planned length
        name = plain(segment.label, "bold")
        short = shortened(name.plain, 10, "bold")
        return [
            part(
                Text.assemble(name, " ", time),
                (2, Text.assemble(short, " ", time)),
                (6, time),
                (9, Text()),
            )
        ]

    def _saved_parts(self, rec: Recorder) -> list[Part]:
        """``saved N`` (never shortened), then what went wrong with saving."""
        acked = self.saved.acked
        style = self.colour("saved" if acked >= rec.seq else "saving")
        saved = Text(f"saved {acked}" + (f"/{rec.seq}" if acked < rec.seq else ""), style)
        parts = [part(saved)]
        alarm = self.colour("not-saved")
        error = self.saved.error
        if error:  # last and whole: what does not fit is cut at the end, after the count
            held = rec.seq - acked
            long = f"NOT SAVED: {error} · retrying · {held} actions held in memory"
            parts.append(part(plain(long, alarm)))
        elif self.saved.warning:
            parts.append(part(plain(f"WARNING: {self.saved.warning}", alarm)))
        return parts

    def say(self, text: Text, *, refused: bool = False) -> None:
        prompt = self.query_one("#prompt", Static)
        prompt.set_class(refused, "-refused")
        prompt.update(text)

    # --- keys -------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if getattr(event, UNLOGGED, False) and self._key_log is not None:
            setattr(event, UNLOGGED, False)  # read before the key log existed: log it now
            self._key_log.record([(event.time, event.key, event.character)])
        self.take_key(event)

    def _forward_event(self, event: events.Event) -> None:
        """A mouse press (a click, a tap) on a target is its key, at the press's own
        arrival time: posted where a key goes (the focused widget, whence it bubbles
        here as keys do), so taps and keys keep their order. Textual's own handling of
        the press (focus, selection) goes on as usual."""
        if isinstance(event, events.MouseDown) and not event.is_forwarded and event.button == 1:
            press = pressed(self.get_style_at(event.screen_x, event.screen_y))
            if press is not None:
                (self.focused or self).post_message(Tapped(*press, event.time))
        super()._forward_event(event)

    def on_tapped(self, message: Tapped) -> None:
        """A target pressed: logged in the raw key log as its key (marked as a click)
        before it is handled, then handled exactly as that key."""
        message.stop()
        key, char, mono = message.key, message.char, message.time
        if self._key_log is not None and getattr(self.app, "records_keys", False):
            self._key_log.record([(mono, key, char)], click=True)
        elif self._recorder is None:
            self._early_clicks.add(len(self._early))
        event = events.Key(key, char)
        event.time = mono
        if self.note_at is not None and key == "enter":
            self.close_note(save=True)
            return
        self.take_key(event)

    def take_key(self, event: events.Key) -> None:
        """A key (or a target's key) while coding, a note, or the go-to-time field."""
        if self.going_to:  # keys typed into the go-to-time field are not coded
            if event.key == "escape":
                event.stop()
                self.post_message(TimeField.Entered(None))
            return
        if self.note_at is not None:
            if event.key == "escape":
                event.stop()
                self.close_note(save=False)
            else:
                self.type_into_note(event)
            return
        if self.press(event.key, event.time, event.character):
            event.stop()

    def press(self, key: str, mono: float, character: str | None = None) -> bool:
        """Handle a key that arrived at monotonic time ``mono``; False if it is not ours
        (scrolling keys, bindings). Also used by the help screen and the palette."""
        if key in BARE_MODIFIERS:
            return True
        if self._recorder is None:
            self._early.append((key, mono, character))
            return True
        row = HANDLERS.get(key)
        if row is not None:
            self.run_key(row, key, mono)
        elif self.choosing_segment is not None and character:
            self.choose_segment(character, mono)
        elif character is not None and len(character) == 1 and character.isprintable():
            self.code_key(character, mono)
        else:
            return False
        return True

    def run_key(self, row: CodingKey, key: str, mono: float) -> None:
        """Call the row's method with its arguments and the key's time: the screen's, or
        a video row's :class:`VideoControl` method (refused when there is no video)."""
        name, arguments = row.call
        if not row.video:
            getattr(self, name)(*arguments, mono)
        elif self.video is None:
            shown = key_names(self.app.get_key_display)(key)
            self.refuse(shown, "no video: this key is for coding from one (code --video)", mono)
        else:
            getattr(self.video, name)(*arguments, mono, self.report_for(key))

    def shown(self, action: str) -> str:
        """The shown name of the key whose row's action is ``action`` (``^z``, ``F2``)."""
        return key_names(self.app.get_key_display)(key_for(action).names[0])

    def report_for(self, key: str) -> KeyReport:
        """What the video tells about ``key``, shown under the key's name."""
        return KeyReport(self, key_names(self.app.get_key_display)(key))

    def code_key(self, char: str, mono: float) -> Outcome | None:
        """A printable key at monotonic time ``mono``: a code or a modifier value."""
        rec = self.recorder
        code = rec.book.code_by_key.get(char)
        last_char, last_mono = self._last_key
        self._last_key = (char, mono)
        self._hold.other()
        repeat = last_char == char and 0 <= mono - last_mono < REPEAT_S
        if repeat and code is not None and code.kind == "state" and rec.pending is None:
            self.refuse(char, self.repeat_refusal(code.id), mono)
            return None
        outcome = rec.key(char, mono)
        self.acknowledge(char, outcome, mono)
        return outcome

    def repeat_refusal(self, code_id: str) -> str:
        """Why a held state key's repeat is refused, and where that leaves the state: a
        key held past the repeat delay sends its first repeat too late to be told from a
        second press, so that repeat stopped the state; the prompt says so (it used to
        say only that a repeat was ignored, and the last word seen was the repeat's)."""
        rec = self.recorder
        label = rec.book.code_by_id[code_id].label
        if code_id in rec.running:
            return f"{label}: held key repeat ignored"
        # Its latest bout, found from the end (a key held at 50,000 events costs no scan
        # of them all): not running, so it has ended, unless its start was undone.
        last = next((e for e in reversed(rec.events) if e.code == code_id), None)
        if last is None or last.end is None:
            return f"{label} is not running · held key repeat ignored"
        return f"{label} stopped at {format_clock(last.end)} · held key repeat ignored"

    def acknowledge(
        self, key: str, outcome: Outcome, mono: float | None = None, text: str | None = None
    ) -> None:
        """Show what a key did: the prompt line, the log, the modifier bar."""
        if not outcome.ok:
            self.refuse(key, outcome.message, mono)
            return
        log = self.query_one(EventLog)
        if outcome.kind in ("point", "start", "switch", "stop"):
            for event in outcome.events:
                stop = event.end is not None and outcome.kind != "point"
                row = LogRow(event.end if stop else event.start, key, "", event=event, stop=stop)
                self._rows_by_event.setdefault(event.index, []).append(log.row_count)
                log.append(row)
        else:
            if outcome.kind not in ("modifier", "skip"):
                t = outcome.t
                if t is None:
                    t = self.session_now() if mono is None else self.recorder.time_at(mono)
                log.append(LogRow(t, key, text or outcome.message, role="info"))
            for event in outcome.events:  # a modifier set, an undo or redo: redraw their rows
                for index in self._rows_by_event.get(event.index, ()):
                    log.update_row(index, log.rows[index])
        self.show_prompt(key, outcome)
        self.tally()
        self.tick()

    def tally(self) -> None:
        """Redraw the criteria's live tallies (on every key: a code, an undo, a segment)."""
        if self.book.criteria and self._recorder is not None:
            self.query_one(Tallies).show(self._recorder, self.session_now())

    def show_prompt(self, key: str, outcome: Outcome) -> None:
        pending = self.recorder.pending
        if pending is not None:
            values = [
                Cell(v.label or v.id, v.key, "choice", char_target(v.key))
                for v in pending.modifier.values
            ]
            self.say(self.choice(modifier_prompt(pending), values, "skip"))
            return
        text = Text()
        ok = self.colour("ok")
        text.append(f" {key} ", style=ok + Style(reverse=True))
        stamp = f"  {format_clock(outcome.t)}" if outcome.t is not None else ""
        text.append(f" ✓ {outcome.message}{stamp}", style=ok)
        self.say(text)

    def choice(self, prompt: Text, cells: list[Cell], escape: str) -> Text:
        """A choice on the prompt line; in the touch layout, below it, its answers as
        large targets, the last one ``escape`` (what the escape key does)."""
        if not self.touch:
            return prompt
        grid = self.query_one(TouchGrid)
        width = max(10, self.size.width - 2)
        cells = [*cells, Cell(escape, "esc", "control", target("escape"))]
        return Text("\n").join(
            [prompt, *choice_lines(cells, width, grid.cell_height(width), grid.style)]
        )

    def refuse(self, key: str, message: str, mono: float | None = None) -> None:
        """Acknowledge a refused key on the prompt line and in the log; nothing else moves."""
        self.refused += 1
        text = Text()
        refused = self.colour("refused")
        text.append(f" {key} ", style=refused + Style(reverse=True))
        text.append(f" ✗ {message}", style=refused)
        self.say(text, refused=True)
        t = self.session_now() if mono is None else self.recorder.time_at(mono)
        self.query_one(EventLog).append(LogRow(t, key, message, role="refused"))

    def on_paste(self, event: events.Paste) -> None:
        """Bracketed paste while coding: never codes; refused with a notice."""
        event.stop()
        if self.note_at is None:
            n = len(event.text)
            self.refuse("paste", f"pasted text ignored ({n} characters): codes come from keys")

    # --- timed reserved keys ----------------------------------------------------

    def toggle_clock(self, mono: float) -> None:
        last_char, last_mono = self._last_key
        self._last_key = (" ", mono)
        gap = mono - last_mono if last_char == " " else None
        if gap is not None and 0 <= gap < REPEAT_S:
            # A held space repeats every ~33 ms: without this the clock would flip
            # between paused and running as many times as the terminal repeated it.
            if self.video is None and self.undo_first_repeat(mono):
                return
            # Where the hold left the clock, or the video's playhead.
            stopped = self.video.stopped if self.video is not None else False
            running = self.recorder.clock.state == "running" and not stopped
            state = "running" if running else "paused"
            self.refuse(
                "space", f"held space is one press: repeat ignored · the clock is {state}", mono
            )
            return
        if mono < self.partner_toggled:
            # Both coders pressed space at once: the partner's reached this clock first.
            # Toggling again would undo what both meant (a start, or a pause) on both sides.
            state = self.recorder.clock.state
            self.refuse(
                "space", f"the partner's space came at the same moment · the clock is {state}", mono
            )
            return
        video = self.video
        if video is not None:  # the first space starts the session, then play / pause
            if not self.recorder.clock.started and video.alive:
                self.acknowledge("space", self.recorder.toggle_clock(mono), mono)
                video.start(mono)
            else:
                video.play_pause(mono, self.report_for("space"))
            return
        outcome = self.recorder.toggle_clock(mono)
        if outcome.changed:
            self._hold.toggled(gap, mono, self.recorder.seq)
        self.acknowledge("space", outcome, mono)

    def undo_first_repeat(self, mono: float) -> bool:
        """A rapid repeat shows that the space before it, which toggled the clock, was
        the hold's first repeat: toggle back at that space's own instant (the clock folds
        the two away). True when done."""
        rec = self.recorder
        at = self._hold.first_repeat(rec.seq)
        if at is None or rec.clock.state == "ended":
            return False
        outcome = rec.toggle_clock(at)
        message = (
            f"held space is one press: its first repeat was undone · the clock is {rec.clock.state}"
        )
        self.acknowledge("space", attrs.evolve(outcome, message=message), at)
        return True

    def undo(self, mono: float) -> None:
        self.acknowledge(self.shown("undo"), self.recorder.undo(mono), mono)

    def redo(self, mono: float) -> None:
        self.acknowledge(self.shown("redo"), self.recorder.redo(mono), mono)

    def open_note(self, mono: float) -> None:
        if self.recorder.ended:
            self.refuse(self.shown("open_note"), "the session has ended", mono)
            return
        if not self.recorder.clock.started:  # a note lives on the session clock
            self.refuse(
                self.shown("open_note"),
                f"the clock has not started: press {self.shown('toggle_clock')} first",
                mono,
            )
            return
        self.note_at = self.recorder.time_at(mono)
        note = self.query_one("#note", Input)
        note.value = ""
        self.add_class("-noting")
        note.focus()

    def type_into_note(self, event: events.Key) -> None:
        """A key typed right after ctrl+n that reached the screen, not the note field (a
        burst of keys is handed out before the focus moves): it goes into the field, in
        order, instead of being lost. The field itself takes every printable key it gets,
        so a printable key here never reached it."""
        note = self.query_one("#note", Input)
        if event.is_printable and event.character is not None:
            event.stop()
            note.insert_text_at_cursor(event.character)
        elif self.focused is not note and event.key == "backspace":
            event.stop()
            note.action_delete_left()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "note":
            event.stop()
            self.close_note(save=True)

    def close_note(self, *, save: bool) -> None:
        note = self.query_one("#note", Input)
        t, self.note_at = self.note_at, None
        self.remove_class("-noting")
        self.query_one(EventLog).focus()
        if save and t is not None:
            if note.value.strip():
                outcome = self.recorder.note(note.value, t)
                self.acknowledge(self.shown("open_note"), outcome, text=f"note: {note.value}")
            else:
                self.refuse(self.shown("open_note"), "empty note not saved")
        else:
            self.say(Text("note cancelled", style=self.colour("info")))

    def ask_time(self) -> None:
        """The video's ctrl+t: open the go-to-time field under the prompt line."""
        self.going_to = True
        field = TimeField()
        self.mount(field, after="#prompt")
        field.focus()

    def on_time_field_entered(self, message: TimeField.Entered) -> None:
        message.stop()
        if not self.going_to:
            return
        self.going_to = False
        for field in self.query(TimeField):
            field.remove()
        self.query_one(EventLog).focus()
        if message.text is None:
            self.say(Text("go to time cancelled", style=self.colour("info")))
        elif self.video is not None:
            self.video.go_to_typed(message.text, self.now(), self.report_for("ctrl+t"))

    def video_lost(self) -> None:
        """mpv went away: the playhead (the clock) stopped; nothing coded is lost."""
        at = format_clock(self.session_now()) if self.attached else "0"
        message = f"the video closed at {at}: every action is saved · ctrl+o reopens it"
        self.say(Text(message, style=self.colour("refused")), refused=True)
        self.tick()

    def sync_mark(self, mono: float) -> None:
        self.acknowledge(
            self.shown("sync_mark"), self.recorder.sync_mark(mono), mono, text="sync mark"
        )

    def next_segment(self, mono: float) -> None:
        book, rec = self.recorder.book, self.recorder
        if not book.segments:
            self.refuse(self.shown("next_segment"), "this codebook has no segments")
            return
        ids = [s.id for s in book.segments]
        current = rec.segments[-1].segment if rec.segments else None
        index = ids.index(current) + 1 if current in ids else 0
        if index >= len(ids):
            choose = self.shown("open_segment_choice")
            self.refuse(
                self.shown("next_segment"), f"no segment after the last one: {choose} chooses one"
            )
            return
        self.acknowledge(self.shown("next_segment"), rec.segment(ids[index], mono), mono)

    def open_segment_choice(self, mono: float) -> None:
        book = self.recorder.book
        if not book.segments:
            self.refuse(self.shown("open_segment_choice"), "this codebook has no segments")
            return
        self.choosing_segment = mono
        segments = self.recorder.segments
        current = segments[-1].segment if segments and segments[-1].end is None else None
        choices = [
            Cell(segment.label, key, "choice", char_target(key))
            for key, segment in segment_keys(book).items()
        ]
        self.say(self.choice(segment_prompt(book, current), choices, "cancel"))

    def choose_segment(self, char: str, mono: float) -> None:
        """The key after ctrl+g: a segment key starts that segment (at the ctrl+g's time);
        any other key closes the choice and is handled as usual, so no code is lost."""
        opened, self.choosing_segment = self.choosing_segment, None
        segment = segment_keys(self.recorder.book).get(char)
        if segment is None or opened is None:
            self.say(Text("segment choice closed", style=self.colour("info")))
            self.press(char, mono, char)
            return
        key = f"{self.shown('open_segment_choice')} {char}"
        self.acknowledge(key, self.recorder.segment(segment.id, opened), opened)

    def escape(self, mono: float) -> None:
        if self.choosing_segment is not None:
            self.choosing_segment = None
            self.say(Text("segment choice cancelled", style=self.colour("info")))
        elif self.recorder.pending is not None:
            # The choice is the recorder's state: closing it is journaled like a key.
            self.acknowledge(self.shown("escape"), self.recorder.skip(mono), mono)
        elif self.book.windows and self.recorder.window_waiting(self.recorder.time_at(mono)):
            outcome = self.recorder.answer_window(mono, take=False)
            self.acknowledge(self.shown("escape"), outcome, mono)

    def confirm_window(self, mono: float) -> None:
        """Enter: the waiting command gets its window's ``otherwise`` code. With none
        waiting it does nothing (an enter that started the coding form may come here)."""
        rec = self.recorder
        if not self.book.windows or rec.window_waiting(rec.time_at(mono)) is None:
            return
        outcome = rec.answer_window(mono, take=True)
        self.acknowledge(self.shown("confirm_window"), outcome, mono)

    def end(self, mono: float) -> None:
        self.post_message(self.EndRequested(mono, quitting=False))

    def quit(self, mono: float) -> None:
        self.post_message(self.EndRequested(mono, quitting=True))

    def help(self, mono: float) -> None:
        self.post_message(self.HelpRequested())

    def explain_quit(self, mono: float) -> None:
        name = key_names(self.app.get_key_display)
        self.say(
            Text(
                f"{name('ctrl+c')} does not quit: {name('ctrl+e')} ends the session ·"
                f" {name('ctrl+q')} quits (ending it first)",
                style=self.colour("info"),
            )
        )

    class EndRequested(Message):
        """ctrl+e or ctrl+q at monotonic time ``mono``: the app runs the end flow."""

        def __init__(self, mono: float, *, quitting: bool) -> None:
            super().__init__()
            self.mono = mono
            self.quitting = quitting

    class HelpRequested(Message):
        """F1: the app shows the help page."""


@attrs.frozen
class KeyReport:
    """A video key's report (:class:`observer.tui.coding.video.Report`): the screen
    shows what the video says, under the key's shown name."""

    screen: CodingScreen
    key: str

    def say(self, message: str) -> None:
        self.screen.say(Text(message, style=self.screen.colour("info")))
        self.screen.tick()

    def refuse(self, message: str, mono: float | None = None) -> None:
        self.screen.refuse(self.key, message, mono)

    def log(self, message: str, t: float) -> None:
        self.say(message)
        self.screen.query_one(EventLog).append(LogRow(t, "video", message, role="info"))

    def ask_time(self) -> None:
        self.screen.ask_time()
