"""``observer export`` on a 100,000-event session, every format: budget 2 s each
(3 s for the formats of the ``formats`` and ``nwb`` extras: SPSS, Stata, Parquet,
NWB; and for BIDS events, the budget of the other interchange formats). Each row gives
the median wall clock against the budget, the median CPU time (user + system) and the
largest peak memory (the maximum resident set) of the process, from ``wait4``, and the
load average; a row missed on the wall clock alone, its CPU time within the budget,
says so.

Times the real command in a fresh process (start-up, reading and checking the
session file, writing the export atomically), as a researcher would run it,
on a synthetic session of the bundled ``cpp-attachment`` codebook. Each format
is run three times (once with ``quick``); the median counts. The extra's formats
are skipped when it is not installed; ``parquet --partition site`` writes the
hive-partitioned folder tree.

Usage: ``python -m benchmarks.bench_export [--quick]``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from benchmarks.common import process_row, run_process, scratch_dir
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


def _export_once(session: Path, fmt: tuple[str, ...], out: Path) -> tuple[float, float, float]:
    command = [sys.executable, "-m", "observer", "export", str(session), "--format", *fmt]
    return run_process([*command, "-o", str(out)])


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
            budget = EXTRA_BUDGET_S if chosen.extra or fmt[0] == "bids-events" else BUDGET_S
            what = f"observer export --format {name}, {len(session.events):,} events"
            rows.append(process_row(what, measured, budget))
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "export", *sys.argv[1:]]))
