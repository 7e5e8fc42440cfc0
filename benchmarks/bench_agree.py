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

import sys
from typing import Any

from benchmarks.common import command_row, scratch_dir
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


def run(quick: bool = False) -> list[dict[str, Any]]:
    repeats = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("agree") as folder:
        a = make_session(load_codebook("cpp-attachment"), EVENTS, seed=21)
        b = perturb(a, seed=22, jitter=0.3, swap=0.1, miss=0.05, extra=0.05)
        path_a, path_b = write_session(folder, a), write_session(folder, b)
        for label, options in RUNS:
            command = [sys.executable, "-m", "observer", "agree", str(path_a), str(path_b)]
            what = f"observer agree --method {label}, {len(a.events):,} + {len(b.events):,} events"
            rows.append(
                command_row(what, [*command, *options, "--format", "json"], repeats, BUDGET_S)
            )
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "agree", *sys.argv[1:]]))
