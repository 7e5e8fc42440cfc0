"""The ``observer code`` application: recovery offer → metadata form → coding → end.

The journal writer is created when the coding screen opens (so a folder that
cannot be written is reported before the clock can start) and is finished by
the end flow, which writes the session file. If the app stops any other way
(an exception, a signal), ``CodingApp.writer`` is still open: the command drains
and closes it, and the journal stays for ``observer recover``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import attrs
from textual.app import App
from textual.binding import Binding, BindingType

from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.live.ids import new_session_id
from observer.live.journal import JournalWriter, make_header
from observer.live.recorder import Recorder, SessionMeta
from observer.live.recovery import find_journals, finish
from observer.sessionfile import Session
from observer.structure import Number
from observer.tui.coding.commands import CodingCommands
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary
from observer.tui.coding.form import Metadata, MetadataForm
from observer.tui.coding.help import HelpScreen
from observer.tui.coding.recover import RecoverOffer
from observer.tui.coding.screen import CodingScreen, Saved

CSS_PATH = Path(__file__).resolve().parent.parent / "observer.tcss"
SWITCH_INTERVAL_S = 0.0005
"""How long the screen's thread may hold the GIL while another thread waits. Python's
default, 5 ms, let a redraw keep the input thread (which stamps each key's time)
and the journal writer (write, fsync, acknowledge) waiting up to 5 ms each."""


@attrs.define
class CodeResult:
    """What the run produced, for the command to report after the screen is gone."""

    session: Session | None = None
    path: Path | None = None
    problems: list[Problem] = attrs.field(factory=list)


class CodingApp(App[None]):
    CSS_PATH = CSS_PATH
    TITLE = "observer"
    COMMANDS = App.COMMANDS | {CodingCommands}
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
        self.journals = find_journals(folder) if journals is None else journals
        self.now = now
        self.recorder: Recorder | None = None
        self.writer: JournalWriter | None = None
        self.coding_screen: CodingScreen | None = None
        self.saved = Saved()
        self.result = CodeResult()
        self.quitting = False

    # --- start ------------------------------------------------------------------

    def on_mount(self) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if self.journals:
            self.push_screen(RecoverOffer(self.journals), lambda _: self.ask_metadata())
        else:
            self.ask_metadata()

    def ask_metadata(self) -> None:
        if self.book is not None and self.dyad and self.observer:
            self.start_session(Metadata(self.book, self.dyad, self.observer, self.label or ""))
        else:
            form = MetadataForm(self.book, self.dyad, self.observer, self.label)
            self.push_screen(form, self.start_session)

    def start_session(self, meta: Metadata | None) -> None:
        assert meta is not None
        session_id = new_session_id(meta.dyad, meta.observer, self.folder)
        header = make_header(session_id, meta.book, meta.dyad, meta.observer, meta.label)
        try:
            self.writer = JournalWriter.create(
                self.folder, header, on_ack=self.saved.on_ack, on_status=self.saved.on_status
            )
        except InputError as error:
            self.result.problems.extend(error.problems)
            self.exit(return_code=2)
            return
        info = SessionMeta(session_id, meta.dyad, meta.observer, meta.label)
        self.recorder = Recorder(meta.book, info, sink=self.writer.append)
        self.coding_screen = CodingScreen(self.recorder, self.now, self.saved)
        self.push_screen(self.coding_screen)

    # --- untimed commands ---------------------------------------------------------

    def action_help(self) -> None:
        if self.recorder is not None and not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.recorder.book))

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
                self.abandon_unstarted()
                self.exit()
            else:
                screen.refuse("^e", "the clock has not started: nothing to end (ctrl+q quits)")
            return
        t = rec.clock.session_time(mono)
        confirm = ConfirmEnd(t, len(rec.events), quitting)
        self.push_screen(confirm, lambda ok: self.confirmed(bool(ok), mono, quitting))

    def confirmed(self, ok: bool, mono: float, quitting: bool) -> None:
        rec, screen = self.recorder, self.coding_screen
        assert rec is not None and screen is not None
        if not ok:
            screen.refuse("^e", "not ended: still coding")
            return
        self.quitting = quitting
        screen.acknowledge("^e", rec.end(mono), mono)
        if rec.book.ratings:
            coded = [s.segment for s in rec.segments]
            self.push_screen(RatingsForm(rec.book, coded), self.rated)
        else:
            self.write_file()

    def rated(self, values: dict[tuple[str, str | None], Number | None] | None) -> None:
        rec = self.recorder
        assert rec is not None and values is not None
        for (rating, segment), value in values.items():
            rec.rate(rating, value, segment)
        self.write_file()

    def write_file(self) -> None:
        rec, writer = self.recorder, self.writer
        assert rec is not None and writer is not None
        try:
            path = finish(self.folder, rec, writer)
        except (OSError, InputError) as error:
            where = str(writer.path)
            message = f"the session file could not be written ({error}); the journal is kept:"
            self.result.problems.append(Problem(where, "$", message + " run `observer recover`"))
            self.exit(return_code=1)
            return
        self.writer = None
        self.result.session = rec.session()
        self.result.path = path
        if self.quitting:
            self.exit()
        else:
            self.push_screen(Summary(self.result.session, path))

    def abandon_unstarted(self) -> None:
        """Quit before the clock started: nothing was coded, the journal holds only its header."""
        writer, rec = self.writer, self.recorder
        if writer is not None and rec is not None and rec.seq == 0:
            writer.close()
            writer.path.unlink(missing_ok=True)
            self.writer = None
