"""``observer stats``, ``export --format csv`` and ``seq`` over a whole study: 2,000
sessions of 1,000 events against 200, memory flat and time linear.

A synthetic study (bundled ``cpp-attachment``, 2,000 sessions of 1,000 events, about
300 MB of files). Each command runs in a fresh process on all of them and on the
first 200, its output to ``/dev/null`` (the export to a new file); the peak resident
memory of each process is read from the kernel (``wait4``). Budgets: peak memory at
2,000 sessions at most 1.1 x that at 200 plus 10 MB (flat: the sessions are read,
used and let go one at a time), and the time at most 1.25 x ten times that at 200
(linear; a fixed start-up makes the small run a little dear per session).
``--quick`` uses 400 and 40 sessions.

Usage: ``python -m benchmarks.bench_study [--quick]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import budget_row, scratch_dir
from observer.codebook import load_codebook
from observer.sessionfile import write_session
from observer.synthetic import make_session

EVENTS = 1_000
COMMANDS: tuple[tuple[str, list[str]], ...] = (
    ("stats --format csv", ["stats", "--format", "csv"]),
    ("export --format csv -o FILE", ["export", "--format", "csv", "-o", "{out}"]),
    ("seq --format json", ["seq", "--format", "json"]),
)


def _study(folder: Path, sessions: int) -> list[Path]:
    book = load_codebook("cpp-attachment")
    folder.mkdir()
    return [
        write_session(
            folder,
            make_session(book, EVENTS, seed=i, dyad=f"D{i:04d}", session_id=f"S{i:05d}"),
        )
        for i in range(sessions)
    ]


def _run(argv: list[str], paths: list[Path], out: Path) -> tuple[float, float]:
    """Wall-clock seconds and peak memory (MB) of one run of the real command."""
    command = [sys.executable, "-m", "observer", *(a.format(out=out) for a in argv)]
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen([*command, *map(str, paths)], stdout=sink)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"observer {' '.join(argv)} exited {code}")
    return elapsed, usage.ru_maxrss / 1024


def run(quick: bool = False) -> list[dict[str, Any]]:
    large, small = (400, 40) if quick else (2_000, 200)
    rows: list[dict[str, Any]] = []
    with scratch_dir("study") as base:
        paths = _study(base / "study", large)
        for label, argv in COMMANDS:
            wall, memory = _run(argv, paths, base / "large.csv")
            wall_small, memory_small = _run(argv, paths[:small], base / "small.csv")
            for name in ("large.csv", "small.csv"):
                (base / name).unlink(missing_ok=True)
            limit = 1.1 * memory_small + 10
            rows.append(
                budget_row(
                    f"observer {label}, peak memory at {large:,} sessions",
                    memory,
                    limit,
                    "MB",
                    f"peak RSS at {large:,} sessions of {EVENTS:,} events; budget 1.1 x its"
                    f" {memory_small:.0f} MB at {small} + 10 MB",
                )
            )
            scale = large / small
            rows.append(
                budget_row(
                    f"observer {label}, time at {large:,} / at {small} sessions",
                    wall / wall_small,
                    1.25 * scale,
                    "x",
                    f"{wall:.1f} s at {large:,} sessions, {wall_small:.2f} s at {small}"
                    f" (linear: {scale:g} x)",
                    digits=2,
                )
            )
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "study", *sys.argv[1:]]))
