"""``observer import`` of 100,000 events, every format it reads: budget 3 s each.

Times the real command in a fresh process (start-up, parsing, validating every
session, writing them atomically) on observer's own export of a synthetic
``cpp-attachment`` session (CSV, TSV, EAF), and on a Datavyu spreadsheet and a BORIS
aggregated events table made here with the same 100,000 events (five columns /
subjects of 20,000 cells each, one argument / modifier). Each row gives the median
wall clock of three runs (one with ``quick``) against the budget, the median CPU time
(user + system) and the largest peak memory (the maximum resident set) of the process,
from ``wait4``, and the load average; a row missed on the wall clock alone, its CPU time
within the budget, says so.

Usage: ``python -m benchmarks.bench_import [--quick]``.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Any

from benchmarks.common import process_row, run_process, scratch_dir
from observer.codebook import load_codebook
from observer.export.eaf import eaf_bytes
from observer.export.tabular import tabular_bytes
from observer.synthetic import make_session

EVENTS = 100_000
BUDGET_S = 3.0
FORMATS = ("csv", "tsv", "eaf", "opf", "boris-events")
SUFFIX = {"boris-events": "tsv"}
COLUMNS = 5


def _clock(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}:{ms % 1000:03d}"


def opf_bytes(events: int) -> bytes:
    """A Datavyu spreadsheet of ``events`` cells over five columns (every tenth cell a
    point), each cell with one argument."""
    lines = ["#4"]
    per = events // COLUMNS
    for c in range(COLUMNS):
        lines.append(f"Column{c} (MATRIX,true,)-value|NOMINAL")
        for i in range(per):
            onset = i * 2.0 + c * 0.1
            offset = onset if i % 10 == 0 else onset + 1.5
            lines.append(f"{_clock(onset)},{_clock(offset)},(v{i % 4})")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("db", "\n".join(lines) + "\n")
        z.writestr("project", "!project\nname: bench\nversion: 5\n")
    return out.getvalue()


def boris_events_bytes(events: int) -> bytes:
    """BORIS's aggregated events table: ``events`` rows, five subjects, one observation."""
    head = ("Observation id", "Observation date", "Description", "Media file", "Total length",
            "FPS", "Subject", "Behavior", "Behavioral category", "Modifiers", "Behavior type",
            "Start (s)", "Stop (s)", "Duration (s)", "Comment start", "Comment stop")  # fmt: skip
    lines = ["\t".join(head)]
    fixed = "observation #1\t2026-11-22 10:00:00\t\tvideo.mp4\t40000.000\t25.0"
    for i in range(events):
        subject, t = f"subject{i % COLUMNS}", (i // COLUMNS) * 2.0
        if i % 10 == 0:
            rest = f"point\t\tm{i % 3}\tPOINT\t{t:.3f}\t{t:.3f}\tNA"
        else:
            rest = f"state\t\tm{i % 3}\tSTATE\t{t:.3f}\t{t + 1.5:.3f}\t1.500"
        lines.append(f"{fixed}\t{subject}\t{rest}\t\t")
    return ("\n".join(lines) + "\n").encode("utf-8")


BOOK = Path(__file__).resolve().parent.parent / "codebooks" / "cpp-attachment.json"


def _import_once(source: Path, fmt: str, out: Path) -> tuple[float, float, float]:
    command = [sys.executable, "-m", "observer", "import", str(source), "--from", fmt]
    if fmt == "eaf":
        command += ["--codebook", str(BOOK)]
    return run_process([*command, "-o", str(out)])


def run(quick: bool = False) -> list[dict[str, Any]]:
    runs = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    with scratch_dir("import") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=11)
        for fmt in FORMATS:
            source = folder / f"study.{SUFFIX.get(fmt, fmt)}"
            if fmt == "eaf":
                source.write_bytes(eaf_bytes(session))
            elif fmt == "opf":
                source.write_bytes(opf_bytes(EVENTS))
            elif fmt == "boris-events":
                source.write_bytes(boris_events_bytes(EVENTS))
            else:
                source.write_bytes(tabular_bytes([session], "," if fmt == "csv" else "\t"))
            measured = [_import_once(source, fmt, folder / f"{fmt}-{i}") for i in range(runs)]
            what = f"observer import --from {fmt}, {EVENTS:,} events"
            rows.append(process_row(what, measured, BUDGET_S))
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "import", *sys.argv[1:]]))
