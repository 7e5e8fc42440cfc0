"""``observer code`` whose event loop a test can block: run as a program in a
pseudo-terminal (``python tests/support/blocking_code.py FOLDER MARKER``).

SIGUSR1 runs, on the app's main thread (so in its event loop), a 200 ms sleep;
``MARKER`` gets ``<start>`` when it begins and ``<start> <end> <keys>`` when it
ends: monotonic times, and the number of keys in the raw key log at the end of the
block, counted while the loop is still blocked. Everything else is the real coding app with the real terminal driver.

A third argument delays the journal (and key log), so keys typed meanwhile reach the
app before they exist: ``block`` holds the event loop for 0.5 s as the journal is
about to open (keys wait in the app's queue), ``timer`` opens it 0.5 s later with the
loop running (keys reach the coding screen first). ``MARKER.opening`` appears when
the delay begins.
"""

from __future__ import annotations

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

    delay = sys.argv[3] if len(sys.argv) > 3 else ""

    class Ready(CodingApp):
        def open_journal(self) -> None:
            marker.with_name(marker.name + ".opening").write_text("")
            if delay == "timer":
                self.set_timer(0.5, self._open_now)
                return
            if delay == "block":
                time.sleep(0.5)
            self._open_now()

        def _open_now(self) -> None:
            super().open_journal()
            marker.with_name(marker.name + ".ready").write_text("")

    signal.signal(signal.SIGUSR1, block)
    book = load_codebook("cpp-attachment")
    Ready(folder, book=book, dyad="D1", observer="o1", journals=[]).run()


if __name__ == "__main__":
    main()
