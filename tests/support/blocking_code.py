"""``observer code`` whose event loop a test can block: run as a program in a
pseudo-terminal (``python tests/support/blocking_code.py FOLDER MARKER``).

SIGUSR1 runs, on the app's main thread (so in its event loop), a 200 ms sleep;
``MARKER`` gets ``<start>`` when it begins and ``<start> <end> <keys>`` when it
ends: monotonic times, and the number of keys in the raw key log at the end of the
block, counted while the loop is still blocked. With ``OBSERVER_TEST_JOURNAL_DELAY``
set (seconds), the journal and key log open that much later, so keys typed meanwhile
reach the screen before they exist. Everything else is the real coding app with the
real terminal driver.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp

BLOCK_S = 0.2


def main() -> None:
    folder, marker = Path(sys.argv[1]), Path(sys.argv[2])

    def block(signum: int, frame: FrameType | None) -> None:
        began = time.monotonic()
        marker.write_text(f"{began!r}")
        time.sleep(BLOCK_S)
        keys = sum(len(p.read_bytes().splitlines()) - 1 for p in folder.glob("*.keys.jsonl"))
        marker.write_text(f"{began!r} {time.monotonic()!r} {keys}")

    delay = float(os.environ.get("OBSERVER_TEST_JOURNAL_DELAY", "0"))
    hold = bool(os.environ.get("OBSERVER_TEST_JOURNAL_HOLD"))

    class Ready(CodingApp):
        def open_journal(self) -> None:
            if delay and hold:  # the event loop held: keys wait in the app's queue
                marker.with_name(marker.name + ".opening").write_text("")
                time.sleep(delay)
                self._open_now()
            elif delay:
                self.set_timer(delay, self._open_now)
            else:
                self._open_now()

        def _open_now(self) -> None:
            super().open_journal()
            marker.with_name(marker.name + ".ready").write_text("")

    signal.signal(signal.SIGUSR1, block)
    book = load_codebook("cpp-attachment")
    Ready(folder, book=book, dyad="D1", observer="o1", journals=[]).run()


if __name__ == "__main__":
    main()
