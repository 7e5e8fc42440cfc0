"""``observer export`` on a 100,000-event session, every format: budget 2 s each.

Times the real command in a fresh process (start-up, reading and checking the
session file, writing the export atomically), as a researcher would run it,
on a synthetic session of the bundled ``cpp-attachment`` codebook. Each format
is run three times (once with ``quick``); the median counts.

Usage: ``python -m benchmarks.bench_export [--quick]``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import budget_row, scratch_dir
from observer.codebook import load_codebook
from observer.sessionfile import write_session
from observer.synthetic import make_session

EVENTS = 100_000
BUDGET_S = 2.0
FORMATS = ("csv", "tsv", "sdis", "eaf")


def _export_once(session: Path, fmt: str, out: Path) -> float:
    command = [sys.executable, "-m", "observer", "export", str(session), "--format", fmt]
    start = time.perf_counter()
    subprocess.run([*command, "-o", str(out)], check=True, capture_output=True)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[dict[str, Any]]:
    runs = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("export") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=11)
        path = write_session(folder, session)
        for fmt in FORMATS:
            times = []
            for i in range(runs):
                out = folder / (f"eaf-{i}" if fmt == "eaf" else f"out-{i}.{fmt}")
                times.append(_export_once(path, fmt, out))
            measured = statistics.median(times)
            rows.append(
                budget_row(
                    f"observer export --format {fmt}, {len(session.events):,} events",
                    measured, BUDGET_S, "s", digits=3,
                )
            )  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "export", *sys.argv[1:]]))
