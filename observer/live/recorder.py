"""The live coding session: keys in, events out, every action journaled.

A :class:`Recorder` holds one session being coded. The screen calls one method
per observer action, passing the key event's own monotonic time (``event.time``),
never the handler's time::

    rec = Recorder(book, SessionMeta(id, dyad, observer, label), sink=journal.append)
    rec.toggle_clock(mono)             # space: start / pause / resume
    out = rec.key("a", mono)           # a code key, or a modifier value key
    out.ok, out.kind, out.message      # acknowledge it (refusals have ok=False)
    rec.pending                        # the inline modifier choice, if one is open
    rec.undo(mono); rec.redo(mono)     # ctrl+z / ctrl+y, any depth
    rec.note(text, rec.clock.session_time(mono_at_ctrl_n))
    rec.segment("free-play", mono)     # starts a segment, ends the open one
    rec.end_segment(mono)              # a segment that ends itself has reached its length
    rec.end(mono)                      # stops every running state at the end time
    rec.prompt(due, mono)              # time sampling: the scan at session time ``due`` is asked
    rec.answer_window(mono, take=True) # a command's window closed unanswered: add ``otherwise``
    rec.rate("cg-sensitivity", 5)      # ratings (None = blank); per segment: segment=
    session = rec.session()            # the final observer.sessionfile.Session

Each method returns an :class:`Outcome`. Every action that changed anything is
passed to ``sink`` as a JSON-able dict (the journal line) carrying ``seq``
(1, 2, 3, ...; also ``Outcome.seq``) before the method returns. Journal lines are
the *inputs* (``{"a": "key", "key": "a", "mono": ...}``), and ``apply`` is the
one code path that turns an input into state, live and on replay, so replaying a
journal (``Recorder.replay``) rebuilds exactly the same events.

Keys: a code key makes a point event, starts a state, or stops it when it is
running; starting a state of an exclusive group stops the running one of the
same (group, actor) at the same instant. After a code with modifiers the
next key, if it is a value key of the pending modifier, sets it on that event
(which keeps its code key's time); several modifiers are asked in order; any
other key closes the choice and is then processed normally, and ``skip``
(escape) closes it alone; closing a choice is journaled, so replay opens and
closes it at the same points. Code keys are
refused (``ok=False`` with the reason) before the clock starts, while paused,
after the end, and for keys the codebook does not define.

Cheap views for the screen (no copies): ``events`` (append-only list of
:class:`LiveEvent`; undo removes from the end; ``LiveEvent.index`` is stable),
``running`` (code id -> running event), ``running_by_actor()``, ``counts``,
``notes``, ``segments``, ``pending``, ``last``, ``clock``.

Time sampling (a codebook with ``sampling``): the screen calls ``prompt(due, mono)``
when the session clock reaches each multiple ``due`` of ``every_s`` (journaled, so
replay asks the same scans). While a scan is open, the key of a sampled code whose
stream it has not answered yet answers it: a scan stamped at ``due``, not at the
key (it starts or stops nothing); once every sampled stream is answered the keys
code as usual again. A stream not answered by the time the next scan is due (or the
session ends) is a missed scan (``code`` null in the session file).

Segments that end themselves (``"ends": "planned"``): the open one stops at exactly its
start + ``planned_s`` of session time (pauses excluded). The screen calls
``end_segment(mono)`` once that instant has come (journaled, as a prompt is); a segment
started or a session ended later than that instant closes it at the instant, so the
segment never runs past its length whatever the timer did.

Response windows (a codebook with ``windows``; observer.live.windows): a response coded
inside a command's open window is linked to it (``LiveEvent.responds_to``); a command
whose window closed unanswered waits (``window_waiting``) until ``answer_window`` adds
the window's ``otherwise`` code at the instant it closed (undoable, as any code) or
leaves it unanswered (journaled, not undone).

Undo covers code events, modifier choices, notes, segments and scan answers; clock
toggles, prompts, a segment's planned stop, ratings and the end are not undone. A new undoable action clears the redo
stack.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import attrs

from observer.codebook import Code, Codebook, Modifier, RatingScalar
from observer.live.changes import (
    AddEvent,
    AddNote,
    AddScan,
    Change,
    CloseSegment,
    LiveEvent,
    LiveScan,
    LiveSegment,
    LiveState,
    OpenSegment,
    SetModifier,
    StopState,
)
from observer.live.clock import SessionClock
from observer.live.windows import WindowState, WindowTracker
from observer.sessionfile import (
    MAX_PARTNER,
    SCHEMA,
    CodebookRef,
    Event,
    Media,
    Note,
    PairInfo,
    Pause,
    RatingValue,
    Scan,
    SegmentSpan,
    Session,
    Stamper,
    Via,
    evaluated_criteria,
    round_time,
    valid_session_id,
)
from observer.structure import MAX_SECONDS
from observer.textsafe import control_problem

Kind = Literal[
    "point",
    "start",
    "stop",
    "switch",
    "modifier",
    "skip",
    "clock",
    "undo",
    "redo",
    "note",
    "segment",
    "rating",
    "end",
    "prompt",
    "scan",
    "pair",
    "window",
    "refused",
]
CLOSED_AT_RECOVERY = "closed-at-recovery"


@attrs.frozen
class SessionMeta:
    id: str
    dyad: str
    observer: str
    label: str = ""
    media: Media | None = None
    """The video the session is coded from (``observer code --video``)."""
    via: Via = "terminal"
    """``browser`` when coded through ``observer serve``."""
    stamper: Stamper | None = None
    """What stamps the keys (``observer.sessionfile.Stamper``)."""


@attrs.frozen
class Outcome:
    """What one action did, for the screen's acknowledgement."""

    ok: bool
    kind: Kind
    message: str
    t: float | None = None
    """Session time the action was stamped with."""
    code: Code | None = None
    events: tuple[LiveEvent, ...] = ()
    """Events created or changed (to refresh their log rows)."""
    changed: bool = False
    """Whether anything changed (then it was journaled)."""
    seq: int | None = None
    """Journal sequence number of the action, when journaled."""


@attrs.define(eq=False)
class PendingChoice:
    """An open inline modifier choice: the next key may pick one of ``modifier``'s values."""

    event: LiveEvent
    code: Code
    position: int
    """Index into ``code.modifiers`` of the modifier being asked."""
    modifier: Modifier


class ReplayError(Exception):
    """A journal action that cannot be applied (malformed, or refused on replay)."""


@attrs.define
class _Step:
    label: str
    changes: list[Change]
    touched: tuple[LiveEvent, ...] = ()


class Recorder:
    """One session being coded; see the module docstring."""

    def __init__(
        self,
        book: Codebook,
        meta: SessionMeta,
        sink: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.book = book
        self.meta = meta
        self.clock = SessionClock()
        self.state = LiveState()
        self.pending: PendingChoice | None = None
        self.last: Outcome | None = None
        self.seq = 0
        """Sequence number of the last journaled action."""
        self.ended_wall: datetime | None = None
        self.last_mono: float | None = None
        self.last_t = 0.0
        """Latest session time any action was stamped with."""
        self.ratings: dict[str, RatingScalar] = {}
        self.segment_ratings: dict[tuple[str, str], RatingScalar] = {}
        self.pair: PairInfo | None = None
        """Coded live in a pair (``observer code --pair``): set by the ``pair`` action."""
        self._sink = sink
        self.position: Callable[[float], float] | None = None
        """Coding from a video: the media position at a monotonic time (observer.media).
        Set, every timed action is journaled with ``vt``, its media time, and stamped
        with it; replay reads ``vt`` back, so a recovered session has the same times."""
        self.media_timed = False
        """True once an action was stamped with a media time (``vt``)."""
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self.prompts: list[float] = []
        """The sampling instants asked so far (session times), in order."""
        sampled = (
            {} if book.sampling is None else {c: book.code_by_id[c] for c in book.sampling.codes}
        )
        self.sampled: dict[str, str] = {c.key: c.stream for c in sampled.values()}
        """Sampled code key -> its stream."""
        self.sampled_streams: tuple[str, ...] = tuple(
            s.id for s in book.streams if s.id in set(self.sampled.values())
        )
        self._windows = WindowTracker(book) if book.windows else None

    # --- views ------------------------------------------------------------------

    @property
    def events(self) -> Sequence[LiveEvent]:
        """Every event coded, in order (append-only; undo removes from the end)."""
        return self.state.events

    @property
    def running(self) -> dict[str, LiveEvent]:
        """The running states: code id -> its open event."""
        return self.state.running

    @property
    def counts(self) -> dict[str, int]:
        """Events per code id."""
        return self.state.counts

    @property
    def notes(self) -> Sequence[Note]:
        """The notes and sync marks, in order."""
        return self.state.notes

    @property
    def segments(self) -> Sequence[LiveSegment]:
        """The segments started, in order (the last may be open)."""
        return self.state.segments

    @property
    def ended(self) -> bool:
        """The session has ended (nothing more is coded)."""
        return self.clock.state == "ended"

    @property
    def scans(self) -> Sequence[LiveScan]:
        """The scans answered so far."""
        return self.state.scans

    def answered(self, due: float) -> dict[str, str]:
        """The scan at ``due``: stream -> the code answered."""
        return {s.stream: s.code for s in self.state.scans if s.t == due}

    @property
    def open_scan(self) -> float | None:
        """The instant of the scan being asked (a stream still unanswered), or None."""
        if not self.prompts or self.ended:
            return None
        due = self.prompts[-1]
        return due if len(self.answered(due)) < len(self.sampled_streams) else None

    def next_due(self) -> float | None:
        """The next sampling instant to ask (None: the codebook does not sample)."""
        if self.book.sampling is None:
            return None
        every = float(self.book.sampling.every_s)
        done = round(self.prompts[-1] / every) if self.prompts else 0
        return round_time((done + 1) * every)

    def segment_due(self) -> float | None:
        """The session time at which the open segment stops itself (one whose codebook
        entry ``ends`` ``planned``), or None."""
        segments = self.state.segments
        if not segments or segments[-1].end is not None:
            return None
        segment = self.book.segment_by_id[segments[-1].segment]
        if segment.ends != "planned" or segment.planned_s is None:
            return None
        return round_time(round_time(segments[-1].start) + float(segment.planned_s))

    def window_open(self, t: float) -> WindowState | None:
        """The last command's response window, while it is open at session time ``t``."""
        tracker = self._tracker()
        return None if tracker is None else tracker.current(self.state.events, t)

    def window_waiting(self, t: float) -> WindowState | None:
        """The command whose window closed unanswered and waits for the observer (the
        screen offers its ``otherwise`` code), at session time ``t``."""
        tracker = self._tracker()
        return None if tracker is None else tracker.waiting(self.state.events, t)

    def _tracker(self) -> WindowTracker | None:
        if self._windows is not None:
            self._windows.sync(self.state.events)
        return self._windows

    def running_by_actor(self) -> dict[str, list[LiveEvent]]:
        """Running states per actor id (every actor present), oldest first."""
        out: dict[str, list[LiveEvent]] = {a.id: [] for a in self.book.actors}
        for event in self.state.running.values():
            out[self.book.code_by_id[event.code].actor].append(event)
        return out

    # --- live actions (each journaled when it changes anything) -------------------

    def key(self, char: str, mono: float) -> Outcome:
        """A printable key at monotonic ``mono``: a code, or the value of the modifier
        asked (refused, with the reason in the outcome, when it is neither)."""
        return self._run({"a": "key", "key": _clean(char), "mono": mono})

    def toggle_clock(self, mono: float, wall: datetime | None = None) -> Outcome:
        """Space: start the clock (``wall``: the UTC start, now if None), then pause or
        resume it."""
        return self._run({"a": "clock", "mono": mono, "wall": _iso(wall)})

    def skip(self, mono: float) -> Outcome:
        """Close the open modifier choice, leaving its modifiers unset (escape)."""
        return self._run({"a": "skip", "mono": mono})

    def undo(self, mono: float) -> Outcome:
        """Undo the last undoable action (events, modifiers, notes, segments)."""
        return self._run({"a": "undo", "mono": mono})

    def redo(self, mono: float) -> Outcome:
        """Redo the last undone action (a new undoable action clears what redo holds)."""
        return self._run({"a": "redo", "mono": mono})

    def note(self, text: str, t: float) -> Outcome:
        """A note at session time ``t`` (the screen takes it at the ctrl+n press)."""
        return self._run({"a": "note", "t": t, "text": _clean(text)})

    def sync_mark(self, mono: float) -> Outcome:
        """A sync mark (a note of kind ``sync``) at the key's time: a moment to find in
        a camera recording, to line this session up with it (``replay --offset``)."""
        return self._run({"a": "sync", "mono": mono})

    def time_at(self, mono: float) -> float:
        """Session time at monotonic ``mono``: the media position when coding from a video."""
        if self.position is not None and self.clock.started:
            return self.position(mono)
        return self.clock.session_time(mono)

    def segment(self, segment_id: str, mono: float) -> Outcome:
        """Start segment ``segment_id`` at ``mono`` (ending the open one)."""
        return self._run({"a": "segment", "segment": segment_id, "mono": mono})

    def answer_window(self, mono: float, *, take: bool) -> Outcome:
        """The waiting command: ``take`` adds its window's ``otherwise`` code (linked to
        it, at the instant the window closed); otherwise it is left unanswered."""
        answer = "otherwise" if take else "leave"
        return self._run({"a": "window", "answer": answer, "mono": mono})

    def end_segment(self, mono: float) -> Outcome:
        """The open segment has reached its planned length (the screen sees it at
        ``mono``): it stops at exactly that instant; refused before it."""
        return self._run({"a": "segment-end", "mono": mono})

    def rate(self, rating_id: str, value: RatingScalar, segment: str | None = None) -> Outcome:
        """Give rating ``rating_id`` its value (for ``segment``, if it is rated per
        segment); refused when the value is not one the codebook allows."""
        return self._run({"a": "rating", "rating": rating_id, "value": value, "segment": segment})

    def prompt(self, due: float, mono: float) -> Outcome:
        """Time sampling: the scan at session time ``due`` is asked (the screen shows
        the prompt at ``mono``); the streams the last one left unanswered are missed."""
        return self._run({"a": "prompt", "due": due, "mono": mono})

    def due_by(self, mono: float) -> list[Outcome]:
        """Ask every scan and stop every planned segment due by ``mono``, each at its own
        instant and in time order: what the screen's timers did while keys that never
        reached the journal were typed (recovery from the key log replays them; a scan's
        answer is a key, its prompt is not)."""
        out: list[Outcome] = []
        while self.clock.state == "running" and self.position is None:
            t = self.clock.session_time(mono)
            scan, stop = self.next_due(), self.segment_due()
            if stop is not None and stop <= t and (scan is None or stop <= scan):
                outcome = self.end_segment(mono - (t - stop))
            elif scan is not None and scan <= t:
                outcome = self.prompt(scan, mono - (t - scan))
            else:
                break
            if not outcome.ok:
                break
            out.append(outcome)
        return out

    def paired(self, pair_id: str, role: str, partner: str) -> Outcome:
        """Coded in pair ``pair_id`` as ``role`` (primary or reliability) alongside the
        observer ``partner``; journaled when the partner is known (it may join late)."""
        return self._run({"a": "pair", "id": pair_id, "role": role, "partner": _clean(partner)})

    def end(self, mono: float, wall: datetime | None = None) -> Outcome:
        """End the session at ``mono`` (``wall``: the UTC end, now if None): running
        states and the open segment end then."""
        return self._run({"a": "end", "mono": mono, "wall": _iso(wall)})

    def _run(self, action: dict[str, Any]) -> Outcome:
        if self.position is not None and "mono" in action:
            action["vt"] = self.position(action["mono"])
        outcome = self.apply(action)
        if outcome.changed:
            self.seq += 1
            line = {"seq": self.seq, **action}
            if outcome.t is not None:
                line["t"] = outcome.t
            if self._sink is not None:
                self._sink(line)
            outcome = attrs.evolve(outcome, seq=self.seq)
        self.last = outcome
        return outcome

    # --- the one path from an action to state, live and on replay -----------------

    def apply(self, action: dict[str, Any]) -> Outcome:
        """Apply one journal action; raise ReplayError if it is malformed."""
        kind = action.get("a")
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            raise ReplayError(f"unknown action {kind!r}")
        return handler(self, action)

    def replay_one(self, action: dict[str, Any]) -> Outcome:
        """Apply one journaled action; ReplayError if it is malformed or now refused."""
        outcome = self.apply(action)
        if not outcome.changed:
            raise ReplayError(f"action refused on replay: {outcome.message}")
        seq = action.get("seq")
        self.seq = seq if isinstance(seq, int) else self.seq + 1
        self.last = outcome
        return outcome

    @classmethod
    def replay(
        cls, book: Codebook, meta: SessionMeta, actions: Iterable[dict[str, Any]]
    ) -> Recorder:
        """Rebuild a recorder from journal actions (ReplayError on a bad one)."""
        recorder = cls(book, meta)
        for action in actions:
            recorder.replay_one(action)
        return recorder

    def _idle(self) -> Outcome | None:
        """The refusal of an action that needs a clock that started and has not ended."""
        if self.clock.state not in ("ready", "ended"):
            return None
        reason = "the clock has not started" if not self.clock.started else "it has ended"
        return Outcome(False, "refused", f"refused: {reason}")

    def _mono(self, action: dict[str, Any]) -> float:
        mono = _number(action, "mono")
        self.last_mono = mono
        return mono

    def _stamp(self, mono: float, action: dict[str, Any]) -> float:
        if "vt" in action:
            t = max(0.0, _number(action, "vt"))
            self.media_timed = True
        else:
            t = self.clock.session_time(mono)
        if t > MAX_SECONDS:
            raise ReplayError(f"session time {t:g} s is beyond one week ({MAX_SECONDS} s)")
        self.last_t = max(self.last_t, t)
        return t

    def _by_media(self, action: dict[str, Any]) -> bool:
        """A media-timed action: the video's own pause, not the clock's, stops time."""
        return "vt" in action

    def _do_key(self, action: dict[str, Any]) -> Outcome:
        char = _string(action, "key")
        mono = self._mono(action)
        closed = False
        pending = self.pending
        if pending is not None:
            value = pending.modifier.value_by_key(char)
            if value is not None:
                return self._choose(pending, value.id)
            self.pending = None
            closed = True
        scan = self._scan(char)
        if scan is not None:
            return scan
        code = self.book.code_by_key.get(char)
        reason = None
        if code is None:
            reason = f"{char!r} is not a key of this codebook"
        elif self.clock.state == "ready":
            reason = "the clock has not started: press space"
        elif self.clock.state == "paused" and not self._by_media(action):
            reason = "paused: press space to resume"
        elif self.clock.state == "ended":
            reason = "the session has ended"
        if reason is not None:
            return Outcome(False, "refused", f"refused: {reason}", code=code, changed=closed)
        assert code is not None
        t = self._stamp(mono, action)
        running = self.state.running.get(code.id)
        if running is not None and t < running.start:
            reason = f"{code.label} started at {running.start:.2f} s, after the playhead"
            return Outcome(False, "refused", f"refused: {reason}", code=code, changed=closed)
        return self._code(code, t)

    def _scan(self, char: str) -> Outcome | None:
        """The open scan's answer for the stream of a sampled code's key (None: the
        key is not one, or its stream is answered: it codes as usual)."""
        due = self.open_scan
        stream = self.sampled.get(char)
        if due is None or stream is None or stream in self.answered(due):
            return None
        code = self.book.code_by_key[char]
        scan = LiveScan(due, stream, code.id)
        message = f"scan at {due:g} s: {code.label}"
        self._commit(message, [AddScan(scan)])
        return Outcome(True, "scan", message, due, code, (), True)

    def _do_prompt(self, action: dict[str, Any]) -> Outcome:
        mono = self._mono(action)
        due = _number(action, "due")
        expected = self.next_due()
        if expected is None:
            return Outcome(False, "refused", "refused: the codebook does not sample")
        if (idle := self._idle()) is not None:
            return idle
        every = float(self.book.sampling.every_s) if self.book.sampling else 0.0
        steps = due / every
        if not math.isclose(steps, round(steps), abs_tol=1e-6) or abs(due - expected) > 1e-6:
            return Outcome(False, "refused", f"refused: {due:g} s is not the next sampling instant")
        if self._stamp(mono, action) + PROMPT_EARLY_S < due:
            return Outcome(False, "refused", f"refused: the scan at {due:g} s is not due yet")
        missed = self._missed()
        self.prompts.append(round_time(due))
        prompt = self.book.sampling.prompt if self.book.sampling else ""
        message = f"scan at {due:g} s: {prompt}" + (f" (missed: {missed})" if missed else "")
        return Outcome(True, "prompt", message, due, changed=True)

    def _missed(self) -> str:
        """What the open scan leaves unanswered, as words (empty: nothing)."""
        due = self.open_scan
        if due is None:
            return ""
        answered = self.answered(due)
        streams = {s.id: s for s in self.book.streams}
        left = [
            f"{streams[s].group.label} ({streams[s].actor.label})"
            for s in self.sampled_streams
            if s not in answered
        ]
        return f"the scan at {due:g} s of " + ", ".join(left)

    def _code(self, code: Code, t: float) -> Outcome:
        state = self.state
        if code.kind == "state" and code.id in state.running:
            event = state.running[code.id]
            changes: list[Change] = [StopState(event, t)]
            self._commit(f"{code.label} stopped", changes, (event,))
            return Outcome(True, "stop", f"{code.label} stopped", t, code, (event,), True)
        event = LiveEvent(len(state.events), code.id, t)
        tracker = self._tracker()
        command = None if tracker is None else tracker.open_for(code.id, state.events, t)
        if command is not None:
            event.responds_to = command.index
        changes = []
        touched = [event]
        kind: Kind = "point"
        if code.kind == "state":
            kind = "start"
            if self.book.group_by_id[code.group].exclusive:
                for other in list(state.running.values()):
                    other_code = self.book.code_by_id[other.code]
                    if other_code.group == code.group and other_code.actor == code.actor:
                        changes.append(StopState(other, t))
                        touched.insert(0, other)
                        kind = "switch"
        changes.append(AddEvent(event, running=code.kind == "state"))
        verb = {"point": "", "start": " started", "switch": " started"}[kind]
        message = f"{code.label}{verb}"
        if kind == "switch":
            stopped = ", ".join(self.book.code_by_id[e.code].label for e in touched[:-1])
            message += f" (stopped {stopped})"
        self._commit(message, changes, tuple(touched))  # "undone: <message>"
        if code.modifiers:
            self.pending = self._ask(event, code, 0)
        return Outcome(True, kind, message, t, code, tuple(touched), True)

    def _ask(self, event: LiveEvent, code: Code, position: int) -> PendingChoice | None:
        if position >= len(code.modifiers):
            return None
        modifier = self.book.modifier_by_id[code.modifiers[position]]
        return PendingChoice(event, code, position, modifier)

    def _choose(self, pending: PendingChoice, value: str) -> Outcome:
        event, name = pending.event, pending.modifier.id
        change = SetModifier(event, name, value, event.modifiers.get(name))
        self._commit(
            f"{pending.code.label}: {pending.modifier.label} = {value}", [change], (event,)
        )
        self.pending = self._ask(event, pending.code, pending.position + 1)
        message = f"{pending.code.label}: {pending.modifier.label} = {value}"
        return Outcome(True, "modifier", message, event.start, pending.code, (event,), True)

    def _do_skip(self, action: dict[str, Any]) -> Outcome:
        self._mono(action)
        pending = self.pending
        if pending is None:
            return Outcome(False, "refused", "refused: no modifier is being asked")
        self.pending = None
        message = f"{pending.code.label}: {pending.modifier.label} skipped"
        return Outcome(True, "skip", message, None, pending.code, (pending.event,), True)

    def _commit(
        self, label: str, changes: list[Change], touched: tuple[LiveEvent, ...] = ()
    ) -> None:
        for change in changes:
            change.apply(self.state)
        self._undo.append(_Step(label, changes, touched))
        self._redo.clear()

    def _do_clock(self, action: dict[str, Any]) -> Outcome:
        mono = self._mono(action)
        wall = _wall(action)
        if self.clock.state == "ended":
            return Outcome(False, "refused", "refused: the session has ended")
        new = self.clock.toggle(mono, wall)
        t = self._stamp(mono, action)
        message = {"running": "clock running", "paused": "clock paused"}[new]
        if new == "running" and self.clock.pauses:
            message = f"clock resumed after {self.clock.pauses[-1].wall_s:.1f} s"
        return Outcome(True, "clock", message, t, changed=True)

    def _do_undo(self, action: dict[str, Any]) -> Outcome:
        return self._history(action, undo=True)

    def _do_redo(self, action: dict[str, Any]) -> Outcome:
        return self._history(action, undo=False)

    def _history(self, action: dict[str, Any], *, undo: bool) -> Outcome:
        self._mono(action)
        kind: Kind = "undo" if undo else "redo"
        source, target = (self._undo, self._redo) if undo else (self._redo, self._undo)
        if self.ended:
            return Outcome(False, "refused", "refused: the session has ended")
        closed = self._close_pending()
        if not source:
            return Outcome(False, "refused", f"nothing to {kind}", changed=closed)
        step = source.pop()
        if undo:
            for change in reversed(step.changes):
                change.revert(self.state)
        else:
            for change in step.changes:
                change.apply(self.state)
        target.append(step)
        verb = "undone" if undo else "redone"
        return Outcome(True, kind, f"{verb}: {step.label}", None, None, step.touched, True)

    def _close_pending(self) -> bool:
        was = self.pending is not None
        self.pending = None
        return was

    def _do_note(self, action: dict[str, Any]) -> Outcome:
        t = max(0.0, _number(action, "t"))
        text = _string(action, "text")
        if self.ended:
            return Outcome(False, "refused", "refused: the session has ended")
        if not text.strip():
            return Outcome(False, "refused", "refused: an empty note")
        self.last_t = max(self.last_t, t)
        self._commit("note", [AddNote(Note(t, text))])
        return Outcome(True, "note", "note added", t, changed=True)

    def _do_sync(self, action: dict[str, Any]) -> Outcome:
        mono = self._mono(action)
        if self.ended:
            return Outcome(False, "refused", "refused: the session has ended")
        if not self.clock.started:
            return Outcome(False, "refused", "refused: the clock has not started: press space")
        t = self._stamp(mono, action)
        self._commit("sync mark", [AddNote(Note(t, "sync mark", "sync"))])
        return Outcome(True, "note", "sync mark", t, changed=True)

    def _do_segment(self, action: dict[str, Any]) -> Outcome:
        segment_id = _string(action, "segment")
        mono = self._mono(action)
        segment = self.book.segment_by_id.get(segment_id)
        if segment is None:
            return Outcome(False, "refused", f"refused: unknown segment {segment_id!r}")
        if (idle := self._idle()) is not None:
            return idle
        t = self._stamp(mono, action)
        segments = self.state.segments
        open_span = segments[-1] if segments and segments[-1].end is None else None
        if open_span is not None and t < open_span.start:
            return Outcome(False, "refused", "refused: the open segment starts after the playhead")
        due = self.segment_due()
        if due is not None and t > due:  # its timer had not fired yet: it stopped at its length
            self._stop_planned(due)
            open_span = None
        self._commit(
            f"segment {segment.label}", [OpenSegment(LiveSegment(segment_id, t), open_span)]
        )
        return Outcome(True, "segment", f"segment: {segment.label}", t, changed=True)

    def _do_window(self, action: dict[str, Any]) -> Outcome:
        mono = self._mono(action)
        answer = _string(action, "answer")
        if answer not in ("otherwise", "leave"):
            raise ReplayError(f"window answer {answer!r} is neither 'otherwise' nor 'leave'")
        if (idle := self._idle()) is not None:
            return idle
        waiting = self.window_waiting(self._stamp(mono, action))
        if waiting is None:
            return Outcome(False, "refused", "refused: no command waits for an answer")
        command = self.book.code_by_id[waiting.command.code]
        when = f"{command.label} at {waiting.command.start:g} s"
        if answer == "leave":
            assert self._windows is not None
            self._windows.dismissed.append(waiting.command)
            return Outcome(True, "window", f"{when} left unanswered", changed=True)
        assert waiting.window.otherwise is not None
        code = self.book.code_by_id[waiting.window.otherwise]
        event = LiveEvent(len(self.state.events), code.id, waiting.closes)
        event.responds_to = waiting.command.index
        message = f"{code.label} (for {when})"
        self._commit(message, [AddEvent(event, running=False)], (event,))
        self.last_t = max(self.last_t, waiting.closes)
        return Outcome(True, "point", message, waiting.closes, code, (event,), True)

    def _do_segment_end(self, action: dict[str, Any]) -> Outcome:
        mono = self._mono(action)
        due = self.segment_due()
        if due is None:
            return Outcome(False, "refused", "refused: no open segment ends itself")
        if (idle := self._idle()) is not None:
            return idle
        if self._stamp(mono, action) + PROMPT_EARLY_S < due:
            return Outcome(False, "refused", f"refused: the segment ends at {due:g} s, not yet")
        return self._stop_planned(due)

    def _stop_planned(self, due: float) -> Outcome:
        """Stop the open segment at ``due``, its planned length (not undone: the clock's
        doing, as a pause is; undoing the segment's start still removes it)."""
        span = self.state.segments[-1]
        CloseSegment(span, due).apply(self.state)
        self.last_t = max(self.last_t, due)
        label = self.book.segment_by_id[span.segment].label
        message = f"segment {label} ended at its planned length"
        return Outcome(True, "segment", message, due, changed=True)

    def _do_rating(self, action: dict[str, Any]) -> Outcome:
        rating_id = _string(action, "rating")
        value = action.get("value")
        segment = action.get("segment")
        rating = self.book.rating_by_id.get(rating_id)
        if value is not None and not isinstance(value, bool | int | float | str | dict):
            raise ReplayError(
                f"rating value {value!r} is not a number, a value id, true/false or an allocation"
            )
        if segment is not None and not isinstance(segment, str):
            raise ReplayError(f"rating segment {segment!r} is not a string")
        reason = None
        if rating is None:
            reason = f"unknown rating {rating_id!r}"
        elif (problem := rating.problem(value)) is not None:
            reason = problem
        elif rating.scope == "segment" and segment not in {
            s.id for s in self.book.rating_segments(rating)
        }:
            reason = f"{rating.label} is rated per segment: name a segment it is asked in"
        elif rating.scope == "session" and segment is not None:
            reason = f"{rating.label} is rated once per session, not per segment"
        if reason is not None:
            return Outcome(False, "refused", f"refused: {reason}")
        if segment is None:
            self.ratings[rating_id] = value
        else:
            self.segment_ratings[(rating_id, segment)] = value
        return Outcome(True, "rating", f"{rating_id} = {value}", changed=True)

    def _do_pair(self, action: dict[str, Any]) -> Outcome:
        pair_id, role, partner = (_string(action, k) for k in ("id", "role", "partner"))
        if role not in ("primary", "reliability"):
            raise ReplayError(f"pair role {role!r} is neither 'primary' nor 'reliability'")
        if not valid_session_id(pair_id):
            raise ReplayError(f"pair id {pair_id!r} is not a safe id")
        if not partner or len(partner) > MAX_PARTNER or control_problem(partner) is not None:
            raise ReplayError(f"pair partner {partner!r} is not an observer id")
        if self.ended:
            return Outcome(False, "refused", "refused: the session has ended")
        pair = PairInfo(pair_id, "primary" if role == "primary" else "reliability", partner)
        if pair == self.pair:
            return Outcome(False, "refused", "refused: already paired so")
        self.pair = pair
        return Outcome(True, "pair", f"paired with {partner} ({role})", changed=True)

    def _do_end(self, action: dict[str, Any]) -> Outcome:
        mono = self._mono(action)
        wall = _wall(action)
        if not self.clock.started:
            return Outcome(False, "refused", "refused: the clock never started")
        if self.ended:
            return Outcome(False, "refused", "refused: the session has already ended")
        t = self.clock.stop(mono)
        if self._by_media(action):
            t = self._stamp(mono, action)
        self.last_t = max(self.last_t, t)
        self.ended_wall = wall or datetime.now(UTC)
        touched = self._close_all(t, flag=None)
        self.pending = None
        self._undo.clear()
        self._redo.clear()
        return Outcome(True, "end", f"session ended at {t:.1f} s", t, None, touched, True)

    def _close_all(self, t: float, flag: str | None) -> tuple[LiveEvent, ...]:
        touched = tuple(self.state.running.values())
        for event in touched:
            StopState(event, max(t, event.start), flag).apply(self.state)
        segments = self.state.segments
        due = self.segment_due()
        if segments and segments[-1].end is None:
            at = t if due is None else min(t, due)  # one that ends itself: never past its length
            CloseSegment(segments[-1], max(at, segments[-1].start)).apply(self.state)
        return touched

    # --- the session file ---------------------------------------------------------

    def session(self) -> Session:
        """The finished session (status complete); the session must have ended."""
        if not self.ended:
            raise ValueError("the session has not ended")
        assert self.ended_wall is not None
        return self._build("complete", self.ended_wall)

    def recovered_session(self) -> Session:
        """After replaying a crashed session's journal: close what was left open at the
        last action's time (running states flagged ``closed-at-recovery``) and build
        the session with status recovered. The clock must have started."""
        if not self.clock.started:
            raise ValueError("the clock never started: nothing was coded")
        if not self.ended:
            assert self.last_mono is not None
            end_t = max(self.clock.stop(self.last_mono), self.last_t)
            self._close_all(end_t, CLOSED_AT_RECOVERY)
            self.pending = None
            assert self.clock.started_wall is not None and self.clock.started_mono is not None
            elapsed = self.last_mono - self.clock.started_mono
            self.ended_wall = self.clock.started_wall + timedelta(seconds=max(0.0, elapsed))
        assert self.ended_wall is not None
        return self._build("recovered", self.ended_wall)

    def _build(self, status: Literal["complete", "recovered"], ended: datetime) -> Session:
        book, meta = self.book, self.meta
        final = self.last_t if self.media_timed else self.clock.final_time
        duration = round_time(
            max(final, self.last_t, *(e.end or e.start for e in self.state.events))
        )
        assert self.clock.started_wall is not None
        events = sorted(self.state.events, key=lambda e: e.start)
        position = {e.index: i for i, e in enumerate(events)} if self._windows else {}
        stored = tuple(
            Event(
                e.code,
                round_time(e.start),
                _round(e.end),
                dict(e.modifiers),
                tuple(e.flags),
                None if e.responds_to is None else position[e.responds_to],
            )
            for e in events
        )
        segments = tuple(
            SegmentSpan(s.segment, round_time(s.start), _round(s.end)) for s in self.state.segments
        )
        return Session(
            schema=SCHEMA,
            id=meta.id,
            status=status,
            codebook=CodebookRef(book.id, book.version, book.sha256, book.document),
            dyad=meta.dyad,
            observer=meta.observer,
            label=meta.label,
            started_at=self.clock.started_wall.isoformat(),
            ended_at=ended.isoformat(),
            duration=duration,
            pauses=()
            if self.media_timed
            else tuple(Pause(round_time(p.at), round_time(p.wall_s)) for p in self.clock.pauses),
            segments=segments,
            events=stored,
            notes=tuple(
                Note(min(round_time(n.t), duration), n.text, n.kind)
                for n in sorted(self.state.notes, key=lambda n: n.t)
            ),
            scans=self._scans(duration),
            ratings=self._ratings(),
            media=meta.media,
            via=meta.via,
            stamper=meta.stamper,
            pair=self.pair,
            criteria=evaluated_criteria(book, stored, segments, duration),
        )

    def _scans(self, duration: float) -> tuple[Scan, ...]:
        """Every scan asked, each sampled stream's answer or null (missed)."""
        out = []
        for due in self.prompts:
            if due > duration:
                continue
            answered = self.answered(due)
            out += [Scan(due, stream, answered.get(stream)) for stream in self.sampled_streams]
        return tuple(out)

    def _ratings(self) -> dict[str, RatingValue]:
        out: dict[str, RatingValue] = {}
        for rating in self.book.ratings:
            if rating.scope == "segment":
                out[rating.id] = {
                    s.id: self.segment_ratings.get((rating.id, s.id))
                    for s in self.book.rating_segments(rating)
                }
            else:
                out[rating.id] = self.ratings.get(rating.id)
        return out


_HANDLERS: dict[str, Callable[[Recorder, dict[str, Any]], Outcome]] = {
    "key": Recorder._do_key,
    "skip": Recorder._do_skip,
    "clock": Recorder._do_clock,
    "undo": Recorder._do_undo,
    "redo": Recorder._do_redo,
    "note": Recorder._do_note,
    "segment": Recorder._do_segment,
    "segment-end": Recorder._do_segment_end,
    "window": Recorder._do_window,
    "sync": Recorder._do_sync,
    "rating": Recorder._do_rating,
    "prompt": Recorder._do_prompt,
    "end": Recorder._do_end,
    "pair": Recorder._do_pair,
}
ACTIONS = frozenset(_HANDLERS)
"""The journal's action names."""


PROMPT_EARLY_S = 0.01
"""A prompt is refused when asked more than this long before its instant."""
MAX_MONO = 1e10
"""Largest monotonic clock reading accepted in a journal (over 300 years of uptime)."""


def _number(action: dict[str, Any], name: str) -> float:
    value = action.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReplayError(f"{name!r} must be a number (got {value!r})")
    limit = MAX_MONO if name == "mono" else MAX_SECONDS
    if not -limit <= value <= limit:  # also refuses NaN
        raise ReplayError(f"{name!r} is out of range (got {value!r}; at most {limit:g})")
    return float(value)


def _string(action: dict[str, Any], name: str) -> str:
    value = action.get(name)
    if not isinstance(value, str):
        raise ReplayError(f"{name!r} must be a string (got {value!r})")
    return value


def _wall(action: dict[str, Any]) -> datetime | None:
    value = action.get("wall")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReplayError(f"'wall' must be an ISO time (got {value!r})")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ReplayError(f"'wall' must be an ISO time (got {value!r})") from None


def _clean(text: str) -> str:
    """Text as valid UTF-8 (a lone surrogate from a terminal becomes "?")."""
    return text.encode("utf-8", "replace").decode("utf-8", "replace")


def _iso(wall: datetime | None) -> str:
    return (wall or datetime.now(UTC)).isoformat()


def _round(t: float | None) -> float | None:
    return None if t is None else round_time(t)
