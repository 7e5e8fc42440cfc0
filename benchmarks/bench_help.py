"""``observer --help``: the command list, against the floor under any click program.

Listing the commands imports no command's module (observer/cli/__init__.py holds
each command's summary), so ``observer --help`` should cost little more than
importing click. Both are run in fresh interpreters, alternately, 15 times (5 with
``quick``); the row is the median of each run's ``--help`` minus the ``import click``
run right after it, with the two medians and ``import textual.app`` (what the
command list once nearly cost) in the note.

Usage: ``python -m benchmarks.bench_help [--quick]``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.common import above_floor, budget_row, median, observer_command

BUDGET_S = 0.1
"""Overhead of ``observer --help`` over ``python -c 'import click'``."""


def _wall(command: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(list(command), check=True, capture_output=True)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[dict[str, Any]]:
    help_command = [*observer_command(), "--help"]
    floor_command = [sys.executable, "-c", "import click"]
    textual_command = [sys.executable, "-c", "import textual.app"]
    _wall(help_command)  # warm-up: bytecode cached, as after any install
    helps: list[float] = []
    floors: list[float] = []
    textuals: list[float] = []
    for _ in range(5 if quick else 15):
        helps.append(_wall(help_command))
        floors.append(_wall(floor_command))
        textuals.append(_wall(textual_command))
    overhead = above_floor(helps, floors)
    return [
        budget_row(
            "`observer --help`, overhead above `import click`",
            overhead,
            BUDGET_S,
            "s",
            f"median of {len(helps)}: `observer --help` {median(helps):.3f} s,"
            f" `python -c 'import click'` {median(floors):.3f} s,"
            f" `python -c 'import textual.app'` {median(textuals):.3f} s",
            digits=3,
        )
    ]


if __name__ == "__main__":
    from benchmarks.common import format_table

    rows = run(quick="--quick" in sys.argv)
    print(format_table(rows))
    for r in rows:
        print(f"- {r['what']}: {r['note']}")
