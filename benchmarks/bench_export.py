"""``observer export`` on a 100,000-event session, every format: budget 2 s each (3 s for
NWB and BIDS events, whose budget is that of the other interchange formats).

Times the real command in a fresh process (start-up, reading and checking the
session file, writing the export atomically), as a researcher would run it,
on a synthetic session of the bundled ``cpp-attachment`` codebook, and reports the
process's peak memory (its maximum resident set, from ``wait4``). Each format
is run three times (once with ``quick``); the median counts. NWB is left out (with a
row saying so) where the nwb extra is not installed.

Usage: ``python -m benchmarks.bench_export [--quick]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import budget_row, row, scratch_dir
from observer.codebook import load_codebook
from observer.export.formats import BY_NAME
from observer.sessionfile import write_session
from observer.synthetic import make_session

EVENTS = 100_000
BUDGET_S = 2.0
FORMATS = ("csv", "tsv", "sdis", "eaf", "nwb", "bids-events")
BUDGETS = {"nwb": 3.0, "bids-events": 3.0}
FOLDERS = ("eaf", "nwb", "bids-events")


def _export_once(session: Path, fmt: str, out: Path) -> tuple[float, int]:
    command = [sys.executable, "-m", "observer", "export", str(session), "--format", fmt]
    start = time.perf_counter()
    child = subprocess.Popen(
        [*command, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"observer export --format {fmt} failed")
    return elapsed, usage.ru_maxrss  # KiB on Linux


def run(quick: bool = False) -> list[dict[str, Any]]:
    runs = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("export") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=11)
        path = write_session(folder, session)
        for fmt in FORMATS:
            what = f"observer export --format {fmt}, {len(session.events):,} events"
            missing = BY_NAME[fmt].missing()
            if missing:
                rows.append(
                    row(what, None, f"<= {BUDGETS.get(fmt, BUDGET_S)} s", "s", None, missing)
                )
                continue
            measured = []
            for i in range(runs):
                out = folder / (f"{fmt}-{i}" if fmt in FOLDERS else f"out-{i}.{fmt}")
                measured.append(_export_once(path, fmt, out))
            seconds = statistics.median(t for t, _ in measured)
            peak = max(m for _, m in measured) / 1024
            rows.append(
                budget_row(
                    f"{what} (peak memory {peak:.0f} MiB)",
                    seconds, BUDGETS.get(fmt, BUDGET_S), "s", digits=3,
                )
            )  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "export", *sys.argv[1:]]))
