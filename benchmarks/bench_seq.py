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

import sys
from typing import Any

from benchmarks.common import command_row, scratch_dir
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


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeats = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("seq") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=31)
        path = write_session(folder, session)
        for label, options in RUNS:
            command = [sys.executable, "-m", "observer", "seq", str(path), *options]
            what = f"observer seq {label}, {len(session.events):,} events"
            rows.append(command_row(what, [*command, "--format", "json"], repeats, BUDGET_S))
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "seq", *sys.argv[1:]]))
