"""The terminal driver with the key recorder (:mod:`observer.live.keylog`).

Textual's Linux driver reads the terminal on its input thread and stamps each key
when the parser makes its event. This subclass replaces only that thread's loop:
each read is stamped the moment ``select`` returns (``keylog.tap``), parsed by
Textual's own parser, every key of the read gets that stamp as its ``time``, the
keys (of every read that piled up meanwhile) are written to the app's raw key log
and fsynced (``app.key_log``, once the session's journal exists), and only then do
the events go to the app. A key read before the key log exists (typed as the first
frame appears) is marked, and the coding screen logs it before handling it. Paste, mouse and terminal responses go on unchanged.

Under ``observer serve`` the same is done to Textual's web driver
(:mod:`observer.tui.webdriver`, imported only there, so a terminal's start-up does not
load it). Other drivers (headless, Windows) are left as they are.
"""

from __future__ import annotations

from codecs import getincrementaldecoder
from collections.abc import Callable

from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from observer.live.keylog import KeyLog, Read, tap
from observer.tui.coding.keys import UNLOGGED


def stamp_and_record(messages: list[tuple[float, Message]], log: KeyLog | None) -> None:
    """Give each key its read's arrival stamp; log and fsync them (once for all).
    Keys read before the key log exists are marked ``UNLOGGED``: the coding screen
    logs those that reach it, before handling them."""
    keys = [(stamp, m) for stamp, m in messages if isinstance(m, events.Key)]
    for stamp, key in keys:
        key.time = stamp
        if log is None:
            setattr(key, UNLOGGED, True)
    if keys and log is not None:
        log.record([(stamp, k.key, k.character) for stamp, k in keys])


def recording_handler(
    log: Callable[[], KeyLog | None], deliver: Callable[[Message], None], debug: bool = False
) -> Callable[[list[Read]], bool]:
    """What the input thread does with stamped reads (``keylog.tap``): parse them,
    stamp and log their keys, then ``deliver`` every event in order."""
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
            stamp_and_record(messages, log())
            for _, message in messages:
                deliver(message)
        return True

    return handle


class RecordingDriver(LinuxDriver):
    def run_input_thread(self) -> None:
        handle = recording_handler(
            lambda: getattr(self._app, "key_log", None), self.process_message, self._debug
        )
        tap(self.fileno, self.exit_event, handle)
