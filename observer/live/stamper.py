"""The key stamper as a helper process: ``python -S -I stamper.py LIFE`` with the
terminal as its standard input, a pipe as its standard output, and ``LIFE`` the
read end of a pipe whose write end only the app holds.

It waits on the terminal, stamps each read with CLOCK_MONOTONIC the moment
``select`` returns (system-wide: the app compares it with its own clock) and
writes ``<stamp: float64><length: uint32><bytes>`` frames to the pipe. Being a
process of its own, no thread of the app (the screen drawing, the garbage
collector) can delay a stamp by holding the interpreter lock. It imports nothing
but the standard library's os, select, struct and time, so it starts in a few
milliseconds. It ends when a write to the app fails, when its standard input ends,
and at once when the app dies however it dies (SIGKILL included), so a killed app
never leaves it reading the terminal: on Linux it is started with a parent-death
signal (``observer.stopsignals.die_with_parent``), and everywhere the ``LIFE`` pipe
reaches its end (the kernel closes a dead process's files), which wakes its
``select``; a changed parent is checked every 0.1 s as well.
"""

import os
import select
import struct
import sys
import time

FRAME = struct.Struct("<dI")


def main() -> None:
    parent = os.getppid()
    life = int(sys.argv[1]) if len(sys.argv) > 1 else -1
    watched = [0] if life < 0 else [0, life]
    os.write(1, b"R")  # ready: the app reads the terminal through us from now on
    while True:
        ready = select.select(watched, [], [], 0.1)[0]
        if life in ready or os.getppid() != parent:
            return  # the app is gone
        if not ready:
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
