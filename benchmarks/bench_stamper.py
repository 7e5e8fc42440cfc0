"""The key stamper's life after its app is killed.

``observer code`` runs in a pseudo-terminal (the real program, its real terminal driver,
which starts the stamper helper process on the terminal). Once the coding screen is up,
the app alone is SIGKILLed (not its process group: the stamper must go by itself) and
the stamper's process is watched in ``/proc`` until it no longer runs. Five kills; the
worst is the row (Linux only: the parent-death signal is Linux's).

Usage: ``python -m benchmarks.bench_stamper [--quick]``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Pty, budget_row, process_runs, row, scratch_dir

BUDGET_MS = 100.0
KILLS = 5


def _stamper_of(app: int, deadline: float) -> int:
    """The pid of the stamper helper ``app`` started (its child running stamper.py)."""
    while time.monotonic() < deadline:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == app and b"stamper.py" in command:
                return int(pid)
        time.sleep(0.01)
    raise RuntimeError("the stamper helper never started")


def _life_after_kill(folder: Path) -> float:
    argv = [sys.executable, "-m", "observer", "code", "--codebook", "cpp-attachment",
            "--dyad", "D1", "--observer", "o1", "--session-dir", str(folder)]  # fmt: skip
    with Pty(argv) as pty:
        pty.wait_for("press space", timeout=60)
        app = pty.process.pid
        stamper = _stamper_of(app, time.monotonic() + 10)
        killed = time.monotonic()
        os.kill(app, signal.SIGKILL)  # the app alone
        while process_runs(stamper) and time.monotonic() - killed < 30:
            time.sleep(0.001)
        life = (time.monotonic() - killed) * 1000
        pty.kill()  # whatever is left of the group
    return life


def run(quick: bool = False) -> list[dict[str, Any]]:
    what = "observer code: the stamper's life after SIGKILL of the app (worst)"
    if not sys.platform.startswith("linux"):
        return [row(what, None, "-", "", None, "Linux only")]
    lives = []
    with scratch_dir("stamper") as folder:
        for i in range(KILLS):
            lives.append(_life_after_kill(folder / str(i)))
    note = f"over {len(lives)} kills: " + ", ".join(f"{life:.1f}" for life in lives) + " ms"
    return [budget_row(what, max(lives), BUDGET_MS, "ms", note)]


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "stamper", *sys.argv[1:]]))
