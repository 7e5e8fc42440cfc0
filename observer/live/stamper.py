"""The key stamper as a helper process: ``python -S -I stamper.py`` with the
terminal as its standard input and a pipe as its standard output.

It waits on the terminal, stamps each read with CLOCK_MONOTONIC the moment
``select`` returns (system-wide: the app compares it with its own clock) and
writes ``<stamp: float64><length: uint32><bytes>`` frames to the pipe. Being a
process of its own, no thread of the app (the screen drawing, the garbage
collector) can delay a stamp by holding the interpreter lock. It imports nothing
but the standard library's os, select, struct and time, so it starts in a few
milliseconds. It ends when the pipe closes, when its standard input ends, or
within 0.1 s of the app's death (its parent changes), so a killed app never
leaves it reading the terminal.
"""

import os
import select
import struct
import time

FRAME = struct.Struct("<dI")


def main() -> None:
    parent = os.getppid()
    os.write(1, b"R")  # ready: the app reads the terminal through us from now on
    while True:
        if not select.select([0], [], [], 0.1)[0]:
            if os.getppid() != parent:
                return
            continue
        stamp = time.monotonic()
        try:
            data = os.read(0, 4096)
        except OSError:
            return
        if not data:
            return
        try:
            os.write(1, FRAME.pack(stamp, len(data)) + data)
        except OSError:
            return


if __name__ == "__main__":
    main()
