"""``observer import`` of 100,000 events, every format it reads: budget 3 s each.

Times the real command in a fresh process (start-up, parsing, validating every
session, writing them atomically) on observer's own export of a synthetic
``cpp-attachment`` session, and reports the process's peak memory (its maximum
resident set, from ``wait4``). The median of three runs counts (one with ``quick``).

Usage: ``python -m benchmarks.bench_import [--quick]``.
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
from observer.export.eaf import eaf_bytes
from observer.export.tabular import tabular_bytes
from observer.synthetic import make_session

EVENTS = 100_000
BUDGET_S = 3.0
FORMATS = ("csv", "tsv", "eaf")
BOOK = Path(__file__).resolve().parent.parent / "codebooks" / "cpp-attachment.json"


def _import_once(source: Path, fmt: str, out: Path) -> tuple[float, int]:
    command = [sys.executable, "-m", "observer", "import", str(source), "--from", fmt]
    if fmt == "eaf":
        command += ["--codebook", str(BOOK)]
    start = time.perf_counter()
    child = subprocess.Popen(
        [*command, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"observer import --from {fmt} exited {child.returncode}")
    return elapsed, usage.ru_maxrss  # KiB on Linux


def run(quick: bool = False) -> list[dict[str, Any]]:
    runs = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("import") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=11)
        for fmt in FORMATS:
            source = folder / f"study.{fmt}"
            if fmt == "eaf":
                source.write_bytes(eaf_bytes(session))
            else:
                source.write_bytes(tabular_bytes([session], "," if fmt == "csv" else "\t"))
            measured = [_import_once(source, fmt, folder / f"{fmt}-{i}") for i in range(runs)]
            seconds = statistics.median(t for t, _ in measured)
            peak = max(m for _, m in measured) / 1024
            rows.append(
                budget_row(
                    f"observer import --from {fmt}, {len(session.events):,} events"
                    f" (peak memory {peak:.0f} MiB)",
                    seconds, BUDGET_S, "s", digits=3,
                )
            )  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "import", *sys.argv[1:]]))
