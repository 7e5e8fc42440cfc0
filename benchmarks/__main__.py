"""``python -m benchmarks [--quick] [--only NAME ...] [--repeat N]``: every performance
budget, measured.

Runs each benchmark module on the real program with synthetic data it makes
itself, then prints one table (figure, budget, pass or MISS, and the 1-minute load
average when the row was measured), the notes that say how each figure was measured,
peak memory, and the machine's load (on a shared machine the wall clock measures the
neighbours too). ``--repeat N`` makes N whole runs and gives each row's median over
them, so a row missed under load can be told from a real miss. Exit status 0 when
every budget is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import sys
import time
import traceback
from typing import Any

from benchmarks.common import format_table, median_of_runs, row

MODULES = {
    "code": "benchmarks.bench_code",
    "crash": "benchmarks.bench_crash",
    "replay": "benchmarks.bench_replay",
    "agree": "benchmarks.bench_agree",
    "export": "benchmarks.bench_export",
    "import": "benchmarks.bench_import",
    "seq": "benchmarks.bench_seq",
    "reliability": "benchmarks.bench_reliability",
    "video": "benchmarks.bench_video",
    "serve": "benchmarks.bench_serve",
}


def _budget_text(r: dict[str, Any]) -> dict[str, Any]:
    budget = r.get("budget")
    if isinstance(budget, int | float):
        r = {**r, "budget": f"<= {budget:g} {r.get('unit', '')}".strip()}
    r.setdefault("note", "")
    return r


def _one_run(names: list[str], quick: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(MODULES[name])
            measured = [_budget_text(r) for r in module.run(quick=quick)]
        except Exception as error:  # one broken benchmark must not hide the others
            traceback.print_exc()
            measured = [row(f"{name}: benchmark failed", None, "-", "", False, repr(error))]
        load = os.getloadavg()[0]
        rows.extend({**r, "load": load} if r.get("load") is None else r for r in measured)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs (about a minute)")
    parser.add_argument("--only", nargs="+", choices=sorted(MODULES), help="run only these")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="N whole runs; each row gives its median over them",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= 100:
        parser.error("--repeat: from 1 to 100")
    names = args.only or list(MODULES)
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    runs = []
    for number in range(args.repeat):
        if args.repeat > 1:
            print(f"run {number + 1} of {args.repeat}", file=sys.stderr, flush=True)
        runs.append(_one_run(names, args.quick))
    rows = runs[0] if args.repeat == 1 else median_of_runs(runs)
    elapsed = time.monotonic() - began
    print(format_table(rows))
    print()
    for r in rows:
        if r.get("note"):
            print(f"- {r['what'].strip()}: {r['note']}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    headless = " (with the headless coding app at 50,000 events)" if "code" in names else ""
    print(
        f"\npeak memory: this process {own:.0f} MB{headless};"
        f" largest child process {children:.0f} MB"
    )
    print(
        f"took {elapsed:.0f} s; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f}"
        f" after, on {os.cpu_count()} CPUs"
    )
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
