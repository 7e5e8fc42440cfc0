"""``observer reliability`` on a study of 500 pairs of 1,000 events: budget 30 s, and
memory that does not grow with the number of pairs.

A synthetic study (bundled ``cpp-attachment``): each dyad coded by a reference
observer, and again by one of four trainees (0.3 s jitter, 10 % of codes swapped).
The real command runs in a fresh process on the whole study and, for the memory
figure, on the first 100 pairs alone; the peak resident memory of each process is
read from the kernel (``wait4``). Flat memory means the 500-pair run needs no more
than the 100-pair run plus a small margin (the per-pair figures it keeps).
``--quick`` uses 100 and 20 pairs.

Usage: ``python -m benchmarks.bench_reliability [--quick]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import attrs

from benchmarks.common import budget_row, scratch_dir
from observer.codebook import load_codebook
from observer.sessionfile import write_session
from observer.synthetic import make_session, perturb

EVENTS = 1_000
BUDGET_S = 30.0


def _study(folder: Path, pairs: int) -> None:
    book = load_codebook("cpp-attachment")
    folder.mkdir()
    for i in range(pairs):
        ref = make_session(book, EVENTS, seed=i, dyad=f"D{i:04d}", observer="ref")
        ref = attrs.evolve(ref, id=f"{ref.id}-{i}")
        second = perturb(ref, seed=10_000 + i, jitter=0.3, swap=0.1, observer=f"t{i % 4}")
        write_session(folder, ref)
        write_session(folder, attrs.evolve(second, id=f"{second.id}-{i}b"))


def _run(folder: Path) -> tuple[float, float]:
    """Wall-clock seconds and peak memory (MB) of one run of the real command."""
    command = [sys.executable, "-m", "observer", "reliability", str(folder), "--method", "time"]
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen([*command, "--format", "json"], stdout=sink)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"observer reliability exited {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def run(quick: bool = False) -> list[dict[str, Any]]:
    large, small = (100, 20) if quick else (500, 100)
    with scratch_dir("reliability") as base:
        _study(base / "large", large)
        _study(base / "small", small)
        wall, memory = _run(base / "large")
        _, memory_small = _run(base / "small")
    growth = memory - memory_small
    flat = growth <= 0.1 * memory_small + 5
    return [
        budget_row(
            f"observer reliability, {large} pairs of {EVENTS:,} events",
            wall,
            BUDGET_S,
            "s",
            "wall clock of one run, --method time, JSON to /dev/null",
            digits=2,
        ),
        {
            "what": f"observer reliability peak memory, {large} vs {small} pairs",
            "measured": round(growth, 1),
            "budget": "flat",
            "unit": "MB more",
            "ok": flat,
            "note": f"peak RSS {memory:.0f} MB at {large} pairs, {memory_small:.0f} MB at {small}",
        },
    ]


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "reliability", *sys.argv[1:]]))
