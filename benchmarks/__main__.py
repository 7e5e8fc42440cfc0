"""``python -m benchmarks [--quick] [--only NAME ...]``: every performance budget, measured.

Runs each benchmark module on the real program with synthetic data it makes
itself, then prints one table (figure, budget, pass or MISS), the notes that say
how each figure was measured, peak memory, and the machine's load (on a shared
machine the wall clock measures the neighbours too). Exit status 0 when every
budget is met, 1 otherwise.
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
    "video": "benchmarks.bench_video",
    "serve": "benchmarks.bench_serve",
    "crypto": "benchmarks.bench_crypto",
}


def _budget_text(r: dict[str, Any]) -> dict[str, Any]:
    budget = r.get("budget")
    if isinstance(budget, int | float):
        r = {**r, "budget": f"<= {budget:g} {r.get('unit', '')}".strip()}
    r.setdefault("note", "")
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs (about a minute)")
    parser.add_argument("--only", nargs="+", choices=sorted(MODULES), help="run only these")
    args = parser.parse_args(argv)
    names = args.only or list(MODULES)
    rows: list[dict[str, Any]] = []
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(MODULES[name])
            rows.extend(_budget_text(r) for r in module.run(quick=args.quick))
        except Exception as error:  # one broken benchmark must not hide the others
            traceback.print_exc()
            rows.append(row(f"{name}: benchmark failed", None, "-", "", False, repr(error)))
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
