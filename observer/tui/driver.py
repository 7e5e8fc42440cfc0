"""The terminal driver with the key recorder (:mod:`observer.live.keylog`).

Textual's Linux driver reads the terminal on its input thread and stamps each key
when the parser makes its event. This subclass replaces only that thread's loop:
each read is stamped the moment ``select`` returns (``keylog.tap``), parsed by
Textual's own parser, every key of the read gets that stamp as its ``time``, the
events go to the app, and then the keys (of every read that piled up meanwhile)
are written to the app's raw key log and fsynced (``app.key_log``, once the
session's journal exists) by this thread, while the screen handles them: the
journal's line no longer waits for the key log's fsync as well as its own. Paste,
mouse and terminal responses go on unchanged.

A terminal that is gone (closed, its tmux pane killed) makes reads fail or end and
writes fail with EIO. Textual's output thread dies on the first failed write, and
everything that then writes to it waits for ever (the app's exit among them), so
the output goes through :class:`TerminalOutput`, which drops what can no longer be
written; both ends tell the app (``terminal_lost``), which stops as on SIGHUP.

Under ``observer serve`` the same is done to Textual's web driver
(:mod:`observer.tui.webdriver`, imported only there, so a terminal's start-up does not
load it). Other drivers (headless, Windows) are left as they are.
"""

from __future__ import annotations

from codecs import getincrementaldecoder
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from observer.live.keylog import KeyLog, Read, tap
from observer.tui.coding.keys import UNLOGGED

if TYPE_CHECKING:
    from observer.sessionfile import Stamper


def stamped_keys(
    messages: list[tuple[float, Message]], log: KeyLog | None
) -> list[tuple[float, str, str | None]]:
    """Give each key its read's arrival stamp; what the key log is to record of them
    (nothing while there is no key log: the coding screen logs those keys). Mouse
    reports get their read's stamp too (a click or a tap on a target is handled as its
    key, at that time; the coding screen logs it as that key)."""
    for stamp, message in messages:
        if isinstance(message, events.MouseEvent):
            message.time = stamp
    keys = [(stamp, m) for stamp, m in messages if isinstance(m, events.Key)]
    for arrived, key in keys:
        key.time = arrived
        if log is None:  # read before the key log exists: the coding screen logs it
            setattr(key, UNLOGGED, True)
    return [] if log is None else [(arrived, k.key, k.character) for arrived, k in keys]


def stamp_and_record(messages: list[tuple[float, Message]], log: KeyLog | None) -> None:
    """Give each key its read's arrival stamp; log and fsync them (once for all)."""
    keys = stamped_keys(messages, log)
    if keys and log is not None:
        log.record(keys)


def recording_handler(
    log: Callable[[], KeyLog | None], deliver: Callable[[Message], None], debug: bool = False
) -> Callable[[list[Read]], bool]:
    """What the input thread does with stamped reads (``keylog.tap``): parse them,
    stamp their keys, ``deliver`` every event in order, then log the keys and fsync
    them once for all (the screen handles them meanwhile: it does not wait for the
    key log's fsync, and a hung or failing screen cannot keep a key off it)."""
    parser = XTermParser(debug)
    decode = getincrementaldecoder("utf-8")().decode
    last = [0.0]  # the stamp of the read whose bytes the parser may still hold

    def handle(reads: list[Read]) -> bool:
        messages: list[tuple[float, Message]] = []
        for stamp, data in reads:
            last[0] = stamp
            messages += ((stamp, m) for m in parser.feed(decode(data)))
        messages += ((last[0], m) for m in parser.tick())
        if messages:
            key_log = log()
            keys = stamped_keys(messages, key_log)
            for _, message in messages:
                deliver(message)
            if keys and key_log is not None:
                key_log.record(keys)
        return True

    return handle


class TerminalOutput:
    """The terminal as Textual's output thread writes it: once a write or flush fails
    (EIO: the terminal hung up), everything after is dropped and ``lost`` is called,
    once; the thread lives on, so nothing that writes to it ever blocks."""

    def __init__(self, file: IO[str], lost: Callable[[], None]) -> None:
        self._file, self._lost = file, lost
        self.gone = False

    def _fail(self) -> None:
        if not self.gone:
            self.gone = True
            self._lost()

    def write(self, text: str) -> None:
        if not self.gone:
            try:
                self._file.write(text)
            except (OSError, ValueError):
                self._fail()

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except (OSError, ValueError):
                self._fail()

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return True


class RecordingDriver(LinuxDriver):
    records_keys = True
    """The app's key log gets every key this driver reads (``app.key_log``)."""
    stamper: Stamper = "helper"
    """What stamps the keys now: the helper process, or the thread that replaced it."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        out = self._file
        assert out is not None
        self._file = TerminalOutput(out, self._terminal_lost)  # type: ignore[assignment]

    def _terminal_lost(self) -> None:
        lost = getattr(self._app, "terminal_lost", None)
        if lost is not None:
            lost()

    def run_input_thread(self) -> None:
        handle = recording_handler(
            lambda: getattr(self._app, "key_log", None), self.process_message, self._debug
        )
        tap(self.fileno, self.exit_event, handle, on_stamper=self._stamped_by)
        if not self.exit_event.is_set():  # the input ended (EIO, EOF): the terminal is gone
            self._terminal_lost()

    def _stamped_by(self, stamper: Stamper) -> None:
        changed, self.stamper = stamper != self.stamper, stamper
        tell = getattr(self._app, "stamper_changed", None)
        if changed and tell is not None:
            self._app.call_from_thread(tell, stamper)
