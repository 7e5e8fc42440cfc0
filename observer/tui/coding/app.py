"""The ``observer code`` application: form → recovery offer → coding → end.

Start-up is ordered for a fast first frame: the metadata form (or, when flags
give everything, the coding screen) is drawn first; then unfinished journals in
the folder are offered for recovery; then the journal writer is created (a
folder that cannot be written is reported then, before the clock can start) and
the coding screen gets its recorder. Keys that arrive before that are kept with
their arrival times and handled in order. The end flow finishes the writer by
writing the session file. If the app stops any other way (an exception, a
signal), ``CodingApp.writer`` is still open: the command drains and closes it,
and the journal stays for ``observer recover``. SIGINT, SIGTERM and SIGHUP, and a terminal that is gone, stop the
app the ordinary way (``CodingApp.signalled``), so the terminal is given back as it
was (normal screen, mouse reporting off, the cursor shown); the command installs
the handlers before the app starts (``install_stop_signals``), and
:mod:`observer.tui.stopping` ends the process at once if that way does not finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
from textual import events, work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from observer.codebook import Codebook
from observer.collector import freeze_survivors, thaw
from observer.errors import InputError, Problem
from observer.startup import release_collection
from observer.stopsignals import on_stop
from observer.tui import styles
from observer.tui.coding.keys import key_names, palette
from observer.tui.coding.screen import CodingScreen, Saved
from observer.tui.forms import KeyHold

if TYPE_CHECKING:
    from textual.filter import LineFilter

    from observer.live.ids import IdStyle
    from observer.live.journal import JournalWriter
    from observer.live.keylog import KeyLog
    from observer.live.pairing import Link, PairEvent
    from observer.live.recorder import Recorder
    from observer.sessionfile import Media as MediaInfo
    from observer.sessionfile import Session, Stamper, Via
    from observer.tui.coding.metadata import Metadata
    from observer.tui.coding.recover import Unfinished
    from observer.tui.coding.video import VideoControl
    from observer.tui.stopping import Stopper

PALETTE_PAUSED = "coding is paused while this is open: keys search here · escape goes back"
"""The palette's placeholder over the coding screen: keys typed here are not coded."""
FUNCTION_KEY = re.compile(r"f\d+")
HANGUP: signal.Signals = getattr(signal, "SIGHUP", signal.SIGTERM)
"""What a lost terminal counts as: SIGHUP (SIGTERM where there is none)."""


SWITCH_INTERVAL_S = 0.0001
"""How long the screen's thread may hold the GIL while another thread waits. Python's
default, 5 ms, let a redraw keep the input thread (which stamps each key's time)
and the journal writer (write, fsync, acknowledge) waiting up to 5 ms each; measured
(python -m benchmarks), 0.1 ms keeps a key's recorded time within 1 ms of its arrival
while the screen redraws (median 0.6 ms; 1.4-2.2 ms at 0.5 ms)."""


@attrs.define
class CodeResult:
    """What the run produced, for the command to report after the screen is gone."""

    session: Session | None = None
    path: Path | None = None
    problems: list[Problem] = attrs.field(factory=list)
    """Bad input (an unusable session folder): exit status 2."""
    failure: str | None = None
    """The session file could not be written (the journal is kept): exit status 1."""
    media_error: str | None = None
    """``--video``: mpv could not play the file (one line saying what to do): exit status 2."""
    elsewhere: str = ""
    """Why the session file was written outside the session folder, if it was."""


class CodingApp(KeyHold[None]):
    CSS_PATH = styles.CODING  # its other screens bring their own (styles.CODING_SCREENS)
    TITLE = "observer"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "request_quit", "quit", show=False),
        Binding("f1", "help", "help", show=False),
    ]

    def __init__(
        self,
        folder: Path,
        *,
        book: Codebook | None = None,
        dyad: str | None = None,
        observer: str | None = None,
        label: str | None = None,
        journals: list[Path] | None = None,
        now: Callable[[], float] = time.monotonic,
        config: Path | None = None,
        ascii_only: bool = False,
        video: VideoControl | None = None,
        ids: IdStyle = "dated",
        ask_passphrase: bool = False,
        touch: bool = False,
        pair: Link | None = None,
    ) -> None:
        super().__init__()
        self.ids: IdStyle = ids
        """The style of the new session's id (observer.live.ids): dated or random."""
        self.ask_passphrase = ask_passphrase
        """``--passphrase``: the form asks for it (even when the flags gave everything
        else) and unfinished journals are offered once it is known, so it opens them."""
        self.touch = touch
        """The touch layout (``--touch``): large targets for a finger, no key needed."""
        self.pair = pair
        """``--pair``: the link to the other coder of this live session (observer.live.pairing)."""
        self.partner: str | None = None
        """The partner's observer id, once they said it."""
        self._clock_sent: list[dict[str, Any]] = []
        """Every clock toggle of this coder, as sent (sent again to a partner who joins)."""
        self._partner_clock: list[dict[str, Any]] = []
        """The partner's toggles that came before this screen had its recorder."""
        self._from_partner = False
        self._partner_left = "gone"
        """What the partner's link closing means: "ended" once they said they ended their
        session, "gone" (their process died, or the link broke) otherwise."""
        self.config = config
        """The settings file (the observer id is remembered there); None: the user's."""
        self.ascii_only = ascii_only
        """Draw ASCII only (``observer.tui.ascii``: a Linux console, a C locale)."""
        self.video = video
        """``--video``: the recording being coded (observer.tui.coding.video)."""
        self.folder = folder
        self.book = book
        self.dyad, self.observer, self.label = dyad, observer, label
        self.journals = journals
        """Unfinished journals to offer for recovery (None: look in ``folder``)."""
        self.now = now
        self.recorder: Recorder | None = None
        self.writer: JournalWriter | None = None
        self.key_log: KeyLog | None = None
        """The raw key log; the terminal driver (observer.tui.driver) writes it."""
        self.coding_screen: CodingScreen | None = None
        self.metadata: Metadata | None = None
        self.saved = Saved()
        self.result = CodeResult()
        self.quitting = False
        self.recovery_checked = False
        self.froze = False
        self.crash: Exception | None = None
        """The unhandled exception that stopped the app, if one did."""
        self.signalled: signal.Signals | None = None
        """The signal that stopped the app, if one did (``observer.stopsignals``); SIGHUP for a
        terminal that is gone."""
        self.stopper: Stopper | None = None
        self.text_wanted = False
        """A text field has the focus (a note, a form's field): the soft keyboard's cue."""
        self._close_lock = threading.Lock()

    def get_driver_class(self) -> Any:
        """Textual's terminal and web drivers with the key recorder; any other as it is."""
        driver = super().get_driver_class()
        if driver.__name__ == "WebDriver":  # observer serve
            from observer.tui.webdriver import WebRecordingDriver

            return WebRecordingDriver
        if driver.__name__ != "LinuxDriver":  # headless, Windows
            return driver
        from observer.tui.driver import RecordingDriver

        return RecordingDriver

    @property
    def records_keys(self) -> bool:
        """The driver writes the raw key log (a terminal, a browser; not headless): the
        coding screen then logs the targets pressed (clicks, taps) itself."""
        return bool(getattr(self._driver, "records_keys", False))

    @property
    def stamper(self) -> Stamper:
        """What stamps this session's keys: the recording drivers say; any other driver
        (headless, Windows) stamps them itself (Textual's event times)."""
        stamper: Stamper = getattr(self._driver, "stamper", "driver")
        return stamper

    def stamper_changed(self, stamper: Stamper) -> None:
        """The helper died and its thread took over: the session file will say so."""
        if self.recorder is not None:
            self.recorder.meta = attrs.evolve(self.recorder.meta, stamper=stamper)

    @property
    def via(self) -> Via:
        """How this session is coded: ``browser`` under ``observer serve``."""
        return "browser" if self.is_web else "terminal"

    # --- start: first frame, then recovery offer, then the journal ----------------

    def get_default_screen(self) -> Screen[Any]:
        # With everything given on the command line the coding screen is the app's
        # first screen (no blank default screen is drawn before it).
        book, dyad, observer = self.book, self.dyad, self.observer
        if self.coding_screen is None and book and dyad and observer and not self.ask_passphrase:
            from observer.tui.coding.metadata import Metadata

            self.metadata = Metadata(book, dyad, observer, self.label or "")
            self.coding_screen = self._coding_screen(self.metadata)
            self._say_observer()
        if self.coding_screen is not None:
            return self.coding_screen
        return super().get_default_screen()

    def on_mount(self) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if self.stopper is not None:  # a stop signal that came during start-up acts now
            self.stopper.attach(asyncio.get_running_loop())
        elif not self.is_headless:  # a real terminal: give it back on a signal
            on_stop(asyncio.get_running_loop(), self.stop_by_signal)
        if self.coding_screen is None:
            from observer.tui.coding.form import MetadataForm

            form = MetadataForm(
                self.book,
                self.dyad,
                self.observer,
                self.label,
                self.config,
                ask_passphrase=self.ask_passphrase,
            )
            self.push_screen(form, self.show_coding)
        if not self.ask_passphrase:  # else once the passphrase is known (show_coding)
            # The journal machinery loads behind the first frame.
            self.call_after_refresh(self.offer_recovery)
        if self.pair is not None:
            self.pair.listen(self._post_pair_event)

    def install_stop_signals(self) -> None:
        """SIGINT, SIGTERM and SIGHUP end the app (``stop_by_signal``), and the process
        at the latest ``stopping.DEADLINE_S`` later: for the command, before ``run``."""
        from observer.tui.stopping import Stopper

        self.stopper = Stopper(self.stop_by_signal, lambda: self.close_unfinished(5.0, wait=5.0))
        self.stopper.install()

    def terminal_lost(self) -> None:
        """The terminal is gone (a read or a write failed, its input ended): stop as on
        SIGHUP. From any thread."""
        if self.stopper is not None:
            self.stopper.request(HANGUP)
        elif self._loop is not None:
            self._loop.call_soon_threadsafe(self.stop_by_signal, HANGUP)

    def stop_by_signal(self, number: signal.Signals) -> None:
        """SIGINT, SIGTERM or SIGHUP: exit as a quit does, so the driver restores the
        terminal; the journal is left whole for ``observer recover`` (the command
        drains it and says where it is); exit status 128 + the signal's number."""
        if self.signalled is None:
            self.signalled = number
            self.exit(return_code=128 + number)

    def on_ready(self) -> None:
        release_collection()  # the first frame is out (observer.startup)

    def offer_recovery(self) -> None:
        from observer.live.recovery import find_journals

        journals = find_journals(self.folder) if self.journals is None else self.journals
        crashed: list[Unfinished] = []
        if journals:  # described from their contents; one never started is no crash
            from observer.tui.coding.recover import describe

            crashed = [u for u in map(describe, journals) if u.coded]
        if crashed:
            from observer.tui.coding.recover import RecoverOffer

            self.push_screen(RecoverOffer(crashed), lambda _: self.recovery_done())
        else:
            self.recovery_done()

    def recovery_done(self) -> None:
        self.recovery_checked = True
        if self.coding_screen is not None and self.recorder is None:
            self.open_journal()

    def _coding_screen(self, meta: Metadata) -> CodingScreen:
        screen = CodingScreen(
            meta.book, meta.dyad, meta.observer, self.now, self.saved, touch=self.touch
        )
        screen.video = self.video
        if self.pair is not None:
            screen.pair_status = "connected" if self.pair.connected else "waiting"
        return screen

    def show_coding(self, meta: Metadata | None) -> None:
        """After the metadata form: the coding screen."""
        assert meta is not None
        self.metadata = meta
        self.coding_screen = self._coding_screen(meta)
        self._say_observer()
        self.push_screen(self.coding_screen)
        if meta.passphrase is not None:
            from observer.crypto.agefile import use_passphrase

            use_passphrase(meta.passphrase)  # journals opened and written from now on
            self.call_after_refresh(self.offer_recovery)
        elif self.recovery_checked:
            self.call_after_refresh(self.open_journal)

    def open_journal(self) -> None:
        """Create the journal (checking the folder) and the raw key log, and give the
        screen its recorder. The session id is the UTC time this happens: when the
        coding screen opens, before the clock can start; with ``--video``, once mpv
        plays the file (its description goes in the journal)."""
        if self.video is not None:
            self.run_worker(self._open_video(), group="video", exclusive=True)
        else:
            self._open_journal()

    async def _open_video(self) -> None:
        from observer.media.identity import describe
        from observer.media.mpv import MediaError

        video = self.video
        assert video is not None
        try:
            player = await video.open()
            media = describe(video.path, player.duration or 0.0, player.fps)
        except (MediaError, OSError) as error:
            self.result.media_error = str(error)
            self.exit(return_code=2)
            return
        self._open_journal(media)

    def _open_journal(self, media: MediaInfo | None = None) -> None:
        from observer.live.ids import new_session_id
        from observer.live.journal import JournalWriter, make_header
        from observer.live.recorder import Recorder, SessionMeta
        from observer.structure import converter

        meta, screen = self.metadata, self.coding_screen
        assert meta is not None and screen is not None
        session_id = new_session_id(meta.dyad, meta.observer, self.folder, style=self.ids)
        header = make_header(
            session_id,
            meta.book,
            meta.dyad,
            meta.observer,
            meta.label,
            media=None if media is None else converter.unstructure(media),
            via=self.via,
            stamper=self.stamper,
        )
        try:
            self.writer = JournalWriter.create(
                self.folder,
                header,
                on_ack=self.saved.on_ack,
                on_status=self.saved.on_status,
                passphrase=meta.passphrase,
            )
            from observer.live.keylog import KeyLog

            key_log = KeyLog.create(self.folder, header, meta.passphrase)
            # Keys that reached the screen before the key log existed (the first space,
            # typed while the journal opened) go in first, in order, and only then may
            # the driver log what it reads: every key the screen saw is in the log.
            if self.records_keys:  # not headless
                for click, keys in groupby(screen.early_keys(), key=lambda k: k[3]):
                    key_log.record([k[:3] for k in keys], click=click)
            self.key_log = key_log
        except InputError as error:
            self.result.problems.extend(error.problems)
            self.exit(return_code=2)
            return
        info = SessionMeta(
            session_id, meta.dyad, meta.observer, meta.label, media, self.via, self.stamper
        )
        writer = self.writer
        if self.pair is None:
            self.recorder = Recorder(meta.book, info, sink=writer.append)
        else:

            def sink(line: dict[str, Any]) -> None:
                writer.append(line)
                self._forward_clock(line)

            self.recorder = Recorder(meta.book, info, sink=sink)
        if self.video is not None:
            self.recorder.position = self.video.position
            self.video.on_lost = screen.video_lost
        # Before the clock can start: collect start-up garbage, then move every live
        # object out of the collector's sight. A full collection then scans only what
        # coding creates, instead of also ~50,000 start-up objects each time (about
        # 25 ms holding the GIL, which would delay the input thread's key stamps).
        # From then on every full collection freezes its survivors too, so one walks
        # only what was coded since the last (observer.collector).
        gc.collect()
        gc.freeze()
        freeze_survivors()
        self.froze = True
        screen.attach(self.recorder, self.key_log)
        if self.pair is not None:
            held, self._partner_clock = self._partner_clock, []
            for message in held:
                self._partner_toggle(message)
            self._journal_pair()

    # --- paired live coding (--pair) ------------------------------------------------

    def _post_pair_event(self, event: PairEvent) -> None:
        """From the link's threads: handled on the app's loop (dropped once it is gone)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self.pair_event, event)

    def pair_event(self, event: PairEvent) -> None:
        """A partner joined, spoke, left, or a coder was refused."""
        screen = self.coding_screen
        if event.kind == "joined":
            self._say_observer()
            for message in self._clock_sent:  # a partner who joins late starts where we did
                assert self.pair is not None
                self.pair.send(message)
        elif event.kind == "refused":
            if screen is not None:
                screen.pair_said(f"a coder was refused: {event.why}", refused=True)
            return
        elif event.kind == "message":
            self._partner_message(event.data)
        if screen is not None and event.kind in ("joined", "gone"):
            status = "connected" if event.kind == "joined" else self._partner_left
            screen.pair_status = status
            said = {
                "connected": "partner connected",
                "ended": "partner ended their session: coding alone, the clock goes on here",
                "gone": "partner gone: coding alone, the clock goes on here",
            }[status]
            screen.pair_said(said, refused=event.kind == "gone")
            self._partner_left = "gone"  # a partner who joins again and then dies is gone

    def _partner_message(self, data: dict[str, Any]) -> None:
        kind = data.get("t")
        if kind == "observer":
            partner = data.get("id")
            if isinstance(partner, str) and partner:
                self.partner = partner[:200]
                self._journal_pair()
        elif kind == "ended":  # the partner ended their own session: not a lost link
            self._partner_left = "ended"
        elif kind == "clock":
            if self.recorder is None or self.coding_screen is None:
                self._partner_clock.append(data)
            else:
                self._partner_toggle(data)

    def _say_observer(self) -> None:
        if self.pair is not None and self.metadata is not None:
            self.pair.send({"t": "observer", "id": self.metadata.observer})

    def _journal_pair(self) -> None:
        """The pair is journaled once the partner's observer id is known (it may join
        after this coder's journal opened): recovery keeps it."""
        rec, screen, link = self.recorder, self.coding_screen, self.pair
        if rec is None or screen is None or link is None or self.partner is None:
            return
        if rec.pair is not None and rec.pair.partner == self.partner:
            return
        outcome = rec.paired(link.pair_id, link.role, self.partner)
        if outcome.changed:
            screen.acknowledge("pair", outcome)

    def _forward_clock(self, line: dict[str, Any]) -> None:
        """This coder's own clock toggle: the partner toggles at the same instant."""
        if line.get("a") != "clock" or self._from_partner or self.recorder is None:
            return
        message = {
            "t": "clock",
            "state": self.recorder.clock.state,
            "mono": line["mono"],
            "wall": line.get("wall"),
        }
        self._clock_sent.append(message)
        if self.pair is not None:
            self.pair.send(message)

    def _partner_toggle(self, data: dict[str, Any], seen: float | None = None) -> None:
        """The partner's space: toggle at its instant, unless this clock is already in
        that state (two spaces at once do not flip it back)."""
        from datetime import datetime

        from observer.live.recorder import MAX_MONO, ReplayError

        rec, screen = self.recorder, self.coding_screen
        assert rec is not None and screen is not None
        state, mono, wall = data.get("state"), data.get("mono"), data.get("wall")
        if state not in ("running", "paused") or rec.ended or rec.clock.state == state:
            return
        if isinstance(mono, bool) or not isinstance(mono, int | float):
            return
        if not 0 <= mono <= MAX_MONO or (state == "paused" and not rec.clock.started):
            return
        when = None
        if isinstance(wall, str):
            with contextlib.suppress(ValueError):
                when = datetime.fromisoformat(wall)
        self._from_partner = True
        try:
            outcome = rec.toggle_clock(float(mono), when)
        except ReplayError:
            return
        finally:
            self._from_partner = False
        if outcome.changed:
            screen.partner_toggled = max(float(mono), time.monotonic() if seen is None else seen)
        screen.acknowledge("partner", outcome, float(mono))

    async def on_unmount(self) -> None:
        if self.pair is not None:
            self.pair.send({"t": "ended"})  # the partner's screen says ended, not gone
            self.pair.close()
        if self.video is not None:
            await self.video.close()
        if self.froze:  # give frozen objects back to the collector (tests run many apps)
            thaw()
            self.froze = False

    def _handle_exception(self, error: Exception) -> None:
        """An unhandled exception: keep it for the command, which reports it in one line
        and logs the traceback (exit status 1), instead of textual's full-screen
        traceback with local variables (they may hold what was being coded)."""
        self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        if not self.ascii_only:
            return filters
        from observer.tui.ascii import AsciiFilter

        return [*filters, AsciiFilter()]

    # --- keys shown and the palette ---------------------------------------------------

    def get_key_display(self, binding: Binding) -> str:
        key = super().get_key_display(binding)
        return key.upper() if FUNCTION_KEY.fullmatch(key) else key  # F1, F2

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Over the coding screen, only observer's commands (no theme, no keys panel);
        each runs as its key would, stamped when chosen."""
        coding = self.coding_screen
        if coding is None or screen is not coding:
            yield from super().get_system_commands(screen)
            return
        for title, shown, key in palette(
            key_names(self.get_key_display), video=self.video is not None
        ):
            yield SystemCommand(
                title, f"key: {shown}", lambda key=key: coding.press(key, time.monotonic())
            )

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._tell_text_wanted()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._tell_text_wanted()

    def _tell_text_wanted(self) -> None:
        """A text field has the focus (a note, a form) or no longer: the browser page of
        a touch screen opens its soft keyboard only for text (``observer serve``)."""
        from textual.widgets import Input

        if not self.screen_stack:  # the app is closing: its last screen is gone
            return
        wanted = isinstance(self.focused, Input)
        if wanted != self.text_wanted:
            self.text_wanted = wanted
            tell = getattr(self._driver, "text_wanted", None)
            if tell is not None:
                tell(wanted)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if not self.use_command_palette or isinstance(self.screen, CommandPalette):
            return
        if self.screen is self.coding_screen:
            self.push_screen(CommandPalette(placeholder=PALETTE_PAUSED, id="--command-palette"))
        else:
            super().action_command_palette()

    def action_help(self) -> None:
        """F1 where the coding screen did not take it (the note field has the focus)."""
        if self.coding_screen is not None and self.screen is self.coding_screen:
            self.show_help()

    def on_coding_screen_help_requested(self, message: CodingScreen.HelpRequested) -> None:
        self.show_help()

    def show_help(self) -> None:
        from observer.tui.coding.help import HelpScreen

        coding = self.coding_screen
        if coding is None or isinstance(self.screen, HelpScreen):
            return

        def closed(key: tuple[str, float, str | None] | None) -> None:
            if key is not None:  # the key that closed help is coded, at its own time
                coding.press(*key)

        name = key_names(self.get_key_display)
        help_screen = HelpScreen(coding.book, name, video=self.video is not None)
        self.push_screen(help_screen, closed)

    def action_request_quit(self) -> None:
        """ctrl+q anywhere the coding screen did not take it (it takes it when coding)."""
        screen = self.coding_screen
        if screen is None or self.recorder is None:
            self.exit()
        elif self.screen is screen:
            if screen.note_at is not None:
                screen.close_note(save=True)
            self.end_flow(self.now(), quitting=True)
        elif self.recorder.ended and self.result.path is not None:
            self.exit()

    # --- the end flow -------------------------------------------------------------

    def on_coding_screen_end_requested(self, message: CodingScreen.EndRequested) -> None:
        self.end_flow(message.mono, quitting=message.quitting)

    @work(exclusive=True, group="end")
    async def end_flow(self, mono: float, *, quitting: bool) -> None:
        """Confirm, rate, write, summary: one flow, at the time of the key that asked."""
        from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary

        rec, screen = self.recorder, self.coding_screen
        assert rec is not None and screen is not None
        if rec.ended:
            return
        if not rec.clock.started:
            if quitting:
                self.close_unfinished()  # nothing was coded: the journal goes
                self.exit()
            else:
                end, quit_ = screen.shown("end"), screen.shown("quit")
                screen.refuse(end, f"the clock has not started: nothing to end ({quit_} quits)")
            return
        t = rec.time_at(mono)
        cells = None
        if screen.touch:  # the answers as large targets, in the grid's colours
            from observer.tui.widgets.touchgrid import TouchGrid

            cells = screen.query_one(TouchGrid).style
        answer = await self.push_screen_wait(ConfirmEnd(t, len(rec.events), quitting, cells))
        if not answer:
            screen.refuse(screen.shown("end"), "not ended: still coding")
            return
        self.quitting = answer == "quit"
        try:  # keys typed after enter are held (ConfirmEnd) for the ratings form
            screen.acknowledge(screen.shown("end"), rec.end(mono), mono)
            if rec.book.ratings:
                coded = [s.segment for s in rec.segments]
                values, then_quit = await self.push_screen_wait(RatingsForm(rec.book, coded))
                self.quitting = self.quitting or then_quit
                for (rating, segment), value in values.items():
                    rec.rate(rating, value, segment)
        finally:  # no form (no ratings), or it failed: never leave the keys held
            self.call_later(self.release_keys)
        if self.write_file() is None:
            return
        if self.quitting:
            self.exit()
        else:
            assert self.result.session is not None and self.result.path is not None
            self.push_screen(Summary(self.result.session, self.result.path))

    def write_file(self) -> Path | None:
        """The session file, from the recorder; None if it could not be written (then the
        NOT SAVED window stays until it is, and ends the flow itself)."""
        from observer.live.recovery import finish

        rec, writer = self.recorder, self.writer
        assert rec is not None and writer is not None
        try:
            path = finish(self.folder, rec, writer, keys=self.key_log)
        except (OSError, InputError) as error:
            # Nothing is given up: the recorder holds every action, the journal writer
            # keeps retrying, and the app stays open until the session is on disk.
            from observer.live.journal import failure_reason
            from observer.tui.coding.unsaved import NotSaved

            if not isinstance(self.screen, NotSaved):
                reason = failure_reason(error)
                held = NotSaved(self.folder, reason, rec, writer, self.key_log)
                self.push_screen(held, self.saved_at_last)
            return None
        self.writer = self.key_log = None
        self.result.session = rec.session()
        self.result.path = path
        return path

    def saved_at_last(self, answer: tuple[Path | None, str] | None) -> None:
        """The session file is written (``path``; ``elsewhere``: why it is not in the
        session folder), or (None, message) when the observer quit without it."""
        rec = self.recorder
        assert rec is not None and answer is not None
        path, note = answer
        if path is None:
            self.result.failure = note
            self.exit(return_code=1)
            return None
        self.writer = self.key_log = None
        self.result.session = rec.session()
        self.result.path = path
        self.result.elsewhere = note
        if self.quitting:
            self.exit()
        else:
            from observer.tui.coding.end import Summary

            self.push_screen(Summary(self.result.session, path))

    def close_unfinished(self, timeout: float = 10.0, *, wait: float = -1) -> Path | None:
        """After the app stopped (however): drain and close a journal whose session was not
        finished. Returns its path, kept for ``observer recover``; None when there was
        nothing to keep (no journal, or one that holds no action, which is removed).
        Thread-safe: ``wait`` bounds the wait for another thread closing it (-1: none)."""
        if not self._close_lock.acquire(timeout=wait):
            return None
        try:
            return self._close_unfinished(timeout)
        finally:
            self._close_lock.release()

    def _close_unfinished(self, timeout: float) -> Path | None:
        writer, rec, keys = self.writer, self.recorder, self.key_log
        if writer is None:
            return None
        self.writer = self.key_log = None
        # A failing disk gets a short wait: what was not written stays in the journal's
        # count, which the command reports honestly.
        drained = writer.close(timeout if writer.error is None else 1.0)
        empty = drained and (rec is None or rec.seq == 0)
        if keys is not None:
            keys.close(remove=empty)
        if empty:
            writer.path.unlink(missing_ok=True)
            return None
        return writer.path
