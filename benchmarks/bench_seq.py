"""``observer seq`` on 50,000 events, lag 1 and one time window: budget 1 s each (docs/benchmarks.md).

Times the real command in a fresh process (start-up, reading and checking the
session file, the analysis, the JSON written to a pipe). The session is
synthetic (bundled ``cpp-attachment`` codebook, 50,000 events). Rows: the lag-1
table over every code, and the contingency of ``cg-responds`` within 0-3 s of
``ch-bids``. Each is run three times (once with ``quick``); the median
wall-clock time counts; the note gives the median CPU time and the load.

Usage: ``python -m benchmarks.bench_seq [--quick]``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import scratch_dir
from observer.codebook import load_codebook
from observer.sessionfile import write_session
from observer.synthetic import make_session

EVENTS = 50_000
BUDGET_S = 1.0
RUNS = (
    ("lag 1", ["--lag", "1"]),
    (
        "--given ch-bids --target cg-responds --window 0,3",
        ["--given", "ch-bids", "--target", "cg-responds", "--window", "0,3"],
    ),
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _seq_once(path: Path, options: list[str]) -> tuple[float, float]:
    command = [sys.executable, "-m", "observer", "seq", str(path), *options, "--format", "json"]
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeats = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("seq") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=31)
        path = write_session(folder, session)
        for label, options in RUNS:
            runs = [_seq_once(path, options) for _ in range(repeats)]
            measured = statistics.median(wall for wall, _ in runs)
            cpu = statistics.median(used for _, used in runs)
            rows.append(
                {
                    "what": f"observer seq {label}, {len(session.events):,} events",
                    "measured": round(measured, 3),
                    "budget": BUDGET_S,
                    "unit": "s",
                    "ok": measured <= BUDGET_S,
                    "note": f"wall clock, median of {repeats}; CPU {cpu:.3f} s; "
                    f"load average {os.getloadavg()[0]:.1f}",
                }
            )
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "seq", *sys.argv[1:]]))
