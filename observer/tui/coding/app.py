"""The ``observer code`` application: form → recovery offer → coding → end.

Start-up is ordered for a fast first frame: the metadata form (or, when flags
give everything, the coding screen) is drawn first; then unfinished journals in
the folder are offered for recovery; then the journal writer is created (a
folder that cannot be written is reported then, before the clock can start) and
the coding screen gets its recorder. Keys that arrive before that are kept with
their arrival times and handled in order. The end flow finishes the writer by
writing the session file. If the app stops any other way (an exception, a
signal), ``CodingApp.writer`` is still open: the command drains and closes it,
and the journal stays for ``observer recover``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.startup import release_collection
from observer.tui.coding.screen import CodingScreen, Saved

if TYPE_CHECKING:
    from textual.command import Provider

    from observer.live.journal import JournalWriter
    from observer.live.keylog import KeyLog
    from observer.live.recorder import Recorder
    from observer.sessionfile import Session
    from observer.tui.coding.end import Ratings
    from observer.tui.coding.form import Metadata

CSS_PATH = Path(__file__).resolve().parent.parent / "observer.tcss"


def coding_commands() -> type[Provider]:
    """The palette provider, imported when the palette first opens (start-up stays light)."""
    from observer.tui.coding.commands import CodingCommands

    return CodingCommands


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
    elsewhere: str = ""
    """Why the session file was written outside the session folder, if it was."""


class CodingApp(App[None]):
    CSS_PATH = CSS_PATH
    TITLE = "observer"
    COMMANDS = App.COMMANDS | {coding_commands}
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
    ) -> None:
        super().__init__()
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

    def get_driver_class(self) -> Any:
        """Textual's terminal driver with the key recorder; any other driver as it is."""
        driver = super().get_driver_class()
        if driver.__name__ != "LinuxDriver":  # headless, web (observer serve), Windows
            return driver
        from observer.tui.driver import RecordingDriver

        return RecordingDriver

    # --- start: first frame, then recovery offer, then the journal ----------------

    def get_default_screen(self) -> Screen[Any]:
        # With everything given on the command line the coding screen is the app's
        # first screen (no blank default screen is drawn before it).
        if self.coding_screen is None and self.book is not None and self.dyad and self.observer:
            from observer.tui.coding.form import Metadata

            self.metadata = Metadata(self.book, self.dyad, self.observer, self.label or "")
            self.coding_screen = self._coding_screen(self.metadata)
        if self.coding_screen is not None:
            return self.coding_screen
        return super().get_default_screen()

    def on_mount(self) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if self.coding_screen is None:
            from observer.tui.coding.form import MetadataForm

            form = MetadataForm(self.book, self.dyad, self.observer, self.label)
            self.push_screen(form, self.show_coding)
        # The journal machinery loads behind the first frame.
        self.call_after_refresh(self.offer_recovery)

    def on_ready(self) -> None:
        release_collection()  # the first frame is out (observer.startup)

    def offer_recovery(self) -> None:
        from observer.live.recovery import find_journals

        journals = find_journals(self.folder) if self.journals is None else self.journals
        if journals:
            from observer.tui.coding.recover import RecoverOffer

            self.push_screen(RecoverOffer(journals), lambda _: self.recovery_done())
        else:
            self.recovery_done()

    def recovery_done(self) -> None:
        self.recovery_checked = True
        if self.coding_screen is not None and self.recorder is None:
            self.open_journal()

    def _coding_screen(self, meta: Metadata) -> CodingScreen:
        return CodingScreen(meta.book, meta.dyad, meta.observer, self.now, self.saved)

    def show_coding(self, meta: Metadata | None) -> None:
        """After the metadata form: the coding screen."""
        assert meta is not None
        self.metadata = meta
        self.coding_screen = self._coding_screen(meta)
        self.push_screen(self.coding_screen)
        if self.recovery_checked:
            self.call_after_refresh(self.open_journal)

    def open_journal(self) -> None:
        """Create the journal (checking the folder) and give the screen its recorder."""
        from observer.live.ids import new_session_id
        from observer.live.journal import JournalWriter, make_header
        from observer.live.recorder import Recorder, SessionMeta

        meta, screen = self.metadata, self.coding_screen
        assert meta is not None and screen is not None
        session_id = new_session_id(meta.dyad, meta.observer, self.folder)
        header = make_header(session_id, meta.book, meta.dyad, meta.observer, meta.label)
        try:
            self.writer = JournalWriter.create(
                self.folder, header, on_ack=self.saved.on_ack, on_status=self.saved.on_status
            )
            from observer.live.keylog import KeyLog

            self.key_log = KeyLog.create(self.folder, header)
        except InputError as error:
            self.result.problems.extend(error.problems)
            self.exit(return_code=2)
            return
        info = SessionMeta(session_id, meta.dyad, meta.observer, meta.label)
        self.recorder = Recorder(meta.book, info, sink=self.writer.append)
        # Before the clock can start: collect start-up garbage, then move every live
        # object out of the collector's sight. A full collection then scans only what
        # coding creates, instead of also ~50,000 start-up objects each time (about
        # 25 ms holding the GIL, which would delay the input thread's key stamps).
        gc.collect()
        gc.freeze()
        self.froze = True
        screen.attach(self.recorder)

    def on_unmount(self) -> None:
        if self.froze:  # give frozen objects back to the collector (tests run many apps)
            gc.unfreeze()
            self.froze = False

    def _handle_exception(self, error: Exception) -> None:
        """An unhandled exception: keep it for the command, which reports it in one line
        and logs the traceback (exit status 1), instead of textual's full-screen
        traceback with local variables (they may hold what was being coded)."""
        self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()

    # --- untimed commands ---------------------------------------------------------

    def action_help(self) -> None:
        from observer.tui.coding.help import HelpScreen

        if self.coding_screen is not None and not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.coding_screen.book))

    def action_request_quit(self) -> None:
        """ctrl+q anywhere the coding screen did not take it (it takes it when coding)."""
        screen = self.coding_screen
        if screen is None or self.recorder is None:
            self.exit()
        elif self.screen is screen:
            if screen.note_at is not None:
                screen.close_note(save=True)
            self.begin_end(self.now(), quitting=True)
        elif self.recorder.ended and self.result.path is not None:
            self.exit()

    # --- the end flow -------------------------------------------------------------

    def begin_end(self, mono: float, *, quitting: bool) -> None:
        rec, screen = self.recorder, self.coding_screen
        assert rec is not None and screen is not None
        if not rec.clock.started:
            if quitting:
                self.close_unfinished()  # nothing was coded: the journal goes
                self.exit()
            else:
                screen.refuse("^e", "the clock has not started: nothing to end (ctrl+q quits)")
            return
        from observer.tui.coding.end import ConfirmEnd

        t = rec.clock.session_time(mono)
        confirm = ConfirmEnd(t, len(rec.events), quitting)
        self.push_screen(confirm, lambda answer: self.confirmed(answer or "", mono))

    def confirmed(self, answer: str, mono: float) -> None:
        """``answer``: "end", "quit" (end, then quit once saved) or "" (keep coding)."""
        rec, screen = self.recorder, self.coding_screen
        assert rec is not None and screen is not None
        if not answer:
            screen.refuse("^e", "not ended: still coding")
            return
        self.quitting = answer == "quit"
        screen.acknowledge("^e", rec.end(mono), mono)
        if rec.book.ratings:
            from observer.tui.coding.end import RatingsForm

            coded = [s.segment for s in rec.segments]
            self.push_screen(RatingsForm(rec.book, coded), self.rated)
        else:
            self.write_file()

    def rated(self, answer: tuple[Ratings, bool] | None) -> None:
        rec = self.recorder
        assert rec is not None and answer is not None
        values, then_quit = answer
        self.quitting = self.quitting or then_quit
        for (rating, segment), value in values.items():
            rec.rate(rating, value, segment)
        self.write_file()

    def write_file(self) -> None:
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
                self.push_screen(NotSaved(self.folder, reason), self.saved_at_last)
            return
        self.saved_at_last((path, ""))

    def saved_at_last(self, answer: tuple[Path | None, str] | None) -> None:
        """The session file is written (``path``; ``elsewhere``: why it is not in the
        session folder), or (None, message) when the observer quit without it."""
        rec = self.recorder
        assert rec is not None and answer is not None
        path, note = answer
        if path is None:
            self.result.failure = note
            self.exit(return_code=1)
            return
        self.writer = self.key_log = None
        self.result.session = rec.session()
        self.result.path = path
        self.result.elsewhere = note
        if self.quitting:
            self.exit()
        else:
            from observer.tui.coding.end import Summary

            self.push_screen(Summary(self.result.session, path))

    def close_unfinished(self, timeout: float = 10.0) -> Path | None:
        """After the app stopped (however): drain and close a journal whose session was not
        finished. Returns its path, kept for ``observer recover``; None when there was
        nothing to keep (no journal, or one that holds no action, which is removed)."""
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
