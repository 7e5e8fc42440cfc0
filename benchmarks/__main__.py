"""``python -m benchmarks [--quick] [--only NAME ...] [--repeat N]``: every performance
budget, measured.

Runs each benchmark module on the real program with synthetic data it makes
itself, then prints one table (figure, budget, pass or MISS, and the load average
when the row was measured), the notes that say how each figure was measured, peak
memory, and the machine's load (on a shared machine the wall clock measures the
neighbours too). ``--repeat N`` runs everything N times and keeps, for each row, the
run whose figure is the median (its note lists all N), so a row missed once under load
can be told from a real miss. Exit status 0 when every budget is met, 1 otherwise.
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

from benchmarks.common import format_table, row

MODULES = {
    "code": "benchmarks.bench_code",
    "crash": "benchmarks.bench_crash",
    "replay": "benchmarks.bench_replay",
    "agree": "benchmarks.bench_agree",
    "export": "benchmarks.bench_export",
    "import": "benchmarks.bench_import",
    "seq": "benchmarks.bench_seq",
    "reliability": "benchmarks.bench_reliability",
    "study": "benchmarks.bench_study",
    "video": "benchmarks.bench_video",
    "serve": "benchmarks.bench_serve",
    "stamper": "benchmarks.bench_stamper",
    "help": "benchmarks.bench_help",
    "lost": "benchmarks.bench_lost",
    "crypto": "benchmarks.bench_crypto",
    "sampling": "benchmarks.bench_sampling",
}


def _budget_text(r: dict[str, Any]) -> dict[str, Any]:
    budget = r.get("budget")
    if isinstance(budget, int | float):
        r = {**r, "budget": f"<= {budget:g} {r.get('unit', '')}".strip()}
    r.setdefault("note", "")
    return r


def _run_all(names: list[str], quick: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(MODULES[name])
            made = module.run(quick=quick)
            load = round(os.getloadavg()[0], 2)
            rows.extend(_budget_text({"load": load, **r}) for r in made)
        except Exception as error:  # one broken benchmark must not hide the others
            traceback.print_exc()
            rows.append(row(f"{name}: benchmark failed", None, "-", "", False, repr(error)))
    return rows


def median_rows(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """For each row of the first run, the run's row (by ``what``) whose figure is the
    median over the runs (the lower middle one for an even count); its note lists them."""
    if len(runs) == 1:
        return runs[0]
    out = []
    for first in runs[0]:
        same = [r for run in runs for r in run if r["what"] == first["what"]]
        measured = [r for r in same if isinstance(r["measured"], int | float)]
        if len(measured) < 2:
            out.append(first)
            continue
        ordered = sorted(measured, key=lambda r: r["measured"])
        chosen = ordered[(len(ordered) - 1) // 2]
        figures = ", ".join(f"{r['measured']:g}" for r in measured)
        misses = sum(r["ok"] is False for r in measured)
        note = f"median of {len(measured)} runs ({figures}; {misses} missed)"
        out.append({**chosen, "note": f"{chosen['note']}; {note}" if chosen["note"] else note})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs (about a minute)")
    parser.add_argument("--only", nargs="+", choices=sorted(MODULES), help="run only these")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="N whole runs; the median of each row"
    )
    args = parser.parse_args(argv)
    names = args.only or list(MODULES)
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    runs = [_run_all(names, args.quick) for _ in range(max(1, args.repeat))]
    rows = median_rows(runs)
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
