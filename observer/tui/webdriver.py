"""Textual's web driver with the key recorder, for ``observer serve``.

The browser's keys arrive on standard input framed by the server (``D`` packets of
terminal input between ``M`` meta packets). Each read is stamped the moment it
returns, parsed by Textual's own parser, and its keys get that stamp as their
``time``, go to the app, and are written to the raw key log and fsynced by the input
thread while the app handles them, exactly as :mod:`observer.tui.driver` does for a
terminal. The stamp is when the
serving machine received the key, so the network's delay is in it (docs/serve.md).
"""

from __future__ import annotations

import time

from textual.drivers._byte_stream import ByteStream
from textual.drivers.web_driver import WebDriver, _ExitInput

from observer.live.keylog import Read
from observer.tui.driver import recording_handler


class WebRecordingDriver(WebDriver):
    records_keys = True
    stamper = "thread"
    """Its input thread stamps each read as it arrives from the server."""

    def text_wanted(self, wanted: bool) -> None:
        """Tell the page whether text is being typed (a note, a form): a touch screen's
        page opens its soft keyboard only then (``observer.serve.bridge.KEYBOARD``)."""
        self.write_meta({"type": "observer_keyboard", "wanted": wanted})

    def run_input_thread(self) -> None:
        """Textual's web input loop, with each read stamped and its keys logged."""
        handle = recording_handler(
            lambda: getattr(self._app, "key_log", None), self.process_message, self._debug
        )
        frames = ByteStream()
        try:
            for data in self._input_reader:
                arrived = time.monotonic()
                keys: list[Read] = []
                for kind, payload in frames.feed(data) if data else ():  # b"": a tick
                    if kind == "D":
                        keys.append((arrived, payload))
                        continue
                    if keys:  # what came before the meta packet, in order
                        handle(keys)
                        keys = []
                    self._on_meta(kind, payload)
                handle(keys)  # [] ticks the parser (an Escape on its own)
        except _ExitInput:
            pass
        finally:
            self._input_reader.close()
