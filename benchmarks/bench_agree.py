"""``observer agree`` on 10,000 events per observer, each method: budget 1 s.

Times the real command in a fresh process (start-up, reading and checking both
session files, the agreement itself, the JSON written to a pipe), as a
researcher would run it. The pair is synthetic (bundled ``cpp-attachment``
codebook): observer B is A with 0.3 s jitter, 10 % of codes swapped, 5 % of
events missed and 5 % added. Each method is run three times (once with
``quick``); the median wall-clock time counts. The note gives the median CPU
time (user + system) and the load average, since on a busy machine the wall
clock measures the neighbours too.

Usage: ``python -m benchmarks.bench_agree [--quick]``.
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
from observer.synthetic import make_session, perturb

EVENTS = 10_000
BUDGET_S = 1.0
RUNS = (
    ("time", ["--method", "time"]),
    ("time, tolerance 2 s", ["--method", "time", "--tolerance", "2"]),
    ("event", ["--method", "event"]),
    ("timeslice", ["--method", "timeslice"]),
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _agree_once(a: Path, b: Path, options: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run of the real command."""
    command = [sys.executable, "-m", "observer", "agree", str(a), str(b), *options]
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run([*command, "--format", "json"], check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeats = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("agree") as folder:
        a = make_session(load_codebook("cpp-attachment"), EVENTS, seed=21)
        b = perturb(a, seed=22, jitter=0.3, swap=0.1, miss=0.05, extra=0.05)
        path_a, path_b = write_session(folder, a), write_session(folder, b)
        for label, options in RUNS:
            runs = [_agree_once(path_a, path_b, options) for _ in range(repeats)]
            measured = statistics.median(wall for wall, _ in runs)
            cpu = statistics.median(used for _, used in runs)
            rows.append(
                {
                    "what": f"observer agree --method {label}, "
                    f"{len(a.events):,} + {len(b.events):,} events",
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

    sys.exit(main(["--only", "agree", *sys.argv[1:]]))
