"""The terminal driver with the key recorder (:mod:`observer.live.keylog`).

Textual's Linux driver reads the terminal on its input thread and stamps each key
when the parser makes its event. This subclass replaces only that thread's loop:
each read is stamped the moment ``select`` returns (``keylog.tap``), parsed by
Textual's own parser, every key of the read gets that stamp as its ``time``, the
keys are written to the app's raw key log and fsynced (``app.key_log``, once the
session's journal exists), and only then do the events go to the app. Paste,
mouse and terminal responses go on unchanged. Other drivers (headless, web,
Windows) are left as they are.
"""

from __future__ import annotations

from codecs import getincrementaldecoder
from typing import Any

from textual import events
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from observer.live.keylog import KeyLog, tap


def stamp_and_record(messages: list[Message], stamp: float, log: KeyLog | None) -> None:
    """Give each key of one read its arrival ``stamp``; log and fsync them."""
    keys = [m for m in messages if isinstance(m, events.Key)]
    for key in keys:
        key.time = stamp
    if keys and log is not None:
        log.record(stamp, [(k.key, k.character) for k in keys])


class RecordingDriver(LinuxDriver):
    def run_input_thread(self) -> None:
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        last = [0.0]  # the stamp of the read whose bytes the parser may still hold

        def handle(stamp: float | None, data: bytes) -> bool:
            if stamp is None:
                messages = list(parser.tick())
            else:
                if not data:
                    return False  # end of input (a pipe)
                last[0] = stamp
                messages = list(parser.feed(decode(data)))
                messages += parser.tick()
            if messages:
                log: KeyLog | None = getattr(self._app, "key_log", None)
                stamp_and_record(messages, last[0], log)
                for message in messages:
                    self.process_message(message)
            return True

        try:
            tap(self.fileno, self.exit_event, handle)
        finally:
            try:
                for _ in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def recording_driver(driver: type[Driver]) -> type[Any]:
    """The recording driver in place of Textual's terminal driver; others unchanged."""
    return RecordingDriver if driver is LinuxDriver else driver
