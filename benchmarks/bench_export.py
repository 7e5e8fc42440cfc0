"""``observer export`` on a 100,000-event session, every format: budget 2 s each
(3 s for the formats of the ``formats`` and ``nwb`` extras: SPSS, Stata, Parquet,
NWB; and for BIDS events, the budget of the other interchange formats), with the
process's CPU time and peak memory (its maximum resident set), from ``wait4``.

Times the real command in a fresh process (start-up, reading and checking the
session file, writing the export atomically), as a researcher would run it,
on a synthetic session of the bundled ``cpp-attachment`` codebook. Each format
is run three times (once with ``quick``); the median counts. The extra's formats
are skipped when it is not installed; ``parquet --partition site`` writes the
hive-partitioned folder tree.

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

from benchmarks.common import budget_row, scratch_dir
from observer.codebook import load_codebook
from observer.export.formats import FORMATS as REGISTRY
from observer.sessionfile import write_session
from observer.synthetic import make_session

EVENTS = 100_000
BUDGET_S = 2.0
EXTRA_BUDGET_S = 3.0
FORMATS: tuple[tuple[str, ...], ...] = (
    ("csv",),
    ("tsv",),
    ("sdis",),
    ("eaf",),
    ("sav",),
    ("dta",),
    ("parquet",),
    ("parquet", "--partition", "site"),
    ("nwb",),
    ("bids-events",),
)


def _export_once(session: Path, fmt: tuple[str, ...], out: Path) -> tuple[float, int, float]:
    command = [sys.executable, "-m", "observer", "export", str(session), "--format", *fmt]
    start = time.perf_counter()
    child = subprocess.Popen(
        [*command, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"observer export --format {' '.join(fmt)}: {err.decode()}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime  # KiB on Linux


def run(quick: bool = False) -> list[dict[str, Any]]:
    runs = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("export") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=11)
        path = write_session(folder, session)
        for fmt in FORMATS:
            chosen = REGISTRY[fmt[0]]
            if chosen.missing():
                continue  # the formats extra is not installed
            name = " ".join(fmt)
            folder_out = chosen.files is not None or len(fmt) > 1
            measured = [
                _export_once(
                    path,
                    fmt,
                    folder / (f"{fmt[0]}-tree-{i}" if folder_out else f"out-{i}.{fmt[0]}"),
                )
                for i in range(runs)
            ]
            seconds = statistics.median(t for t, _, _ in measured)
            peak = max(m for _, m, _ in measured) / 1024
            cpu = statistics.median(c for _, _, c in measured)
            rows.append(
                budget_row(
                    f"observer export --format {name}, {len(session.events):,} events"
                    f" (CPU {cpu:.2f} s, peak memory {peak:.0f} MiB)",
                    seconds,
                    EXTRA_BUDGET_S if chosen.extra or fmt[0] == "bids-events" else BUDGET_S,
                    "s",
                    digits=3,
                )
            )  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "export", *sys.argv[1:]]))
