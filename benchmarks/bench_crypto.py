"""Encrypted session folders: key to fsynced journal record, encryption on and off.

Two journal writers on a real disk, one in a plain folder and one in an encrypted
folder (``recipients.txt``: each line a sealed secretstream record), each preloaded
with 50,000 actions (the length of a long session). Then one action at a time is
appended to each in turn (which goes first alternates: the second pays for the first's
fsync on the same disk), from the
``append`` to the writer's acknowledgement (after write + fsync). Budget: the
encrypted p99 within 1.2 times the plain one.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import percentile, row, scratch_dir

PRELOAD = 50_000


class _Timed:
    def __init__(self, folder: Path, book: Any) -> None:
        from observer.live.journal import JournalWriter, make_header

        self.acked = threading.Event()
        self.last = 0
        header = make_header("20260101T000000Z-D1-o1", book, "D1", "o1")
        self.writer = JournalWriter.create(folder, header, on_ack=self._ack)

    def _ack(self, seq: int) -> None:
        self.last = seq
        self.acked.set()

    def wait(self, seq: int) -> None:
        while self.last < seq:
            self.acked.wait(10)
            self.acked.clear()

    def append(self, seq: int) -> float:
        started = time.perf_counter()
        self.acked.clear()
        mono = time.monotonic()
        self.writer.append({"seq": seq, "a": "key", "key": "t", "mono": mono, "t": seq * 0.1})
        self.wait(seq)
        return time.perf_counter() - started


def run(*, quick: bool = False) -> list[dict[str, Any]]:
    import pyrage

    from observer.codebook import load_codebook

    book = load_codebook("cpp-attachment")
    keys = 100 if quick else 400
    with scratch_dir("crypto") as base:
        plain, sealed = base / "plain", base / "sealed"
        for folder in (plain, sealed):
            folder.mkdir(mode=0o700)
        identity = pyrage.x25519.Identity.generate()
        (sealed / "recipients.txt").write_text(f"{identity.to_public()}\n")
        os.chmod(sealed / "recipients.txt", 0o600)
        writers = {"on": _Timed(sealed, book), "off": _Timed(plain, book)}
        for timed in writers.values():
            for seq in range(1, PRELOAD + 1):
                timed.writer.append({"seq": seq, "a": "key", "key": "t", "mono": 0.0, "t": 0.0})
            timed.wait(PRELOAD)
        times: dict[str, list[float]] = {"off": [], "on": []}
        for i in range(keys):
            turns = list(writers.items())  # who goes first alternates: the second waits
            for name, timed in turns[:: 1 if i % 2 else -1]:  # on the first's fsync
                times[name].append(timed.append(PRELOAD + 1 + i) * 1000)
        for timed in writers.values():
            timed.writer.close(10)
    p = {name: (percentile(t, 50), percentile(t, 99)) for name, t in times.items()}
    ratio = p["on"][1] / p["off"][1]
    load = os.getloadavg()[0]
    note = (
        f"{keys} actions each after {PRELOAD:,}; encrypted p50 {p['on'][0]:.2f} ms p99"
        f" {p['on'][1]:.2f} ms, plain p50 {p['off'][0]:.2f} ms p99 {p['off'][1]:.2f} ms;"
        f" load {load:.1f}"
    )
    return [
        row("key -> fsynced journal record, encrypted (p99)", p["on"][1], "-", "ms", None, note),
        row("  encrypted p99 / plain p99", ratio, "<= 1.2", "x", ratio <= 1.2),
    ]
