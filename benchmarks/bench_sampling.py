"""Time sampling: how soon after its instant of session time each scan is asked.

The real coding app headless (``run_test``), its journal on the real disk, a codebook
that samples every 0.5 s; the clock is started and left running for 12 prompts (6 with
``quick``). Each prompt's journal line carries the clock reading the screen took when
it asked the scan; replaying the journal's clock gives the session time of that
reading, and the row is its median lateness after the instant (never early: the
recorder refuses a prompt before its instant), the worst in the note.

Usage: ``python -m benchmarks.bench_sampling [--quick]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import budget_row, median

BUDGET_MS = 1.0
"""Median lateness of a prompt after its sampling instant."""
EVERY_S = 0.5

BOOK: dict[str, Any] = {
    "schema": "observer.codebook/1",
    "id": "sampling-bench",
    "version": "1.0.0",
    "title": "Sampling benchmark",
    "actors": [{"id": "child", "label": "Child"}],
    "groups": [{"id": "activity", "label": "Activity", "exclusive": True}],
    "codes": [
        {"id": "play", "label": "Plays", "group": "activity", "actor": "child",
         "kind": "state", "key": "j"},
        {"id": "idle", "label": "Idle", "group": "activity", "actor": "child",
         "kind": "state", "key": "k"},
    ],
    "sampling": {"every_s": EVERY_S, "codes": ["play", "idle"], "prompt": "Doing?"},
}  # fmt: skip


async def _session(folder: Path, prompts: int) -> list[float]:
    from observer.codebook import codebook_from_data
    from observer.live.journal import read_journal
    from observer.live.recorder import Recorder
    from observer.live.recovery import parse_header
    from observer.tui.coding.app import CodingApp
    from observer.tui.coding.screen import CodingScreen

    book = codebook_from_data(BOOK, "bench.json")
    app = CodingApp(folder, book=book, dyad="D1", observer="o1", journals=[])
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = asyncio.get_running_loop().time() + 30
        while not (isinstance(app.screen, CodingScreen) and app.screen.attached):
            assert asyncio.get_running_loop().time() < deadline, "the coding screen"
            await pilot.pause(0.01)
        await pilot.press("space")
        rec = app.screen.recorder
        deadline = asyncio.get_running_loop().time() + 30 + prompts * EVERY_S
        while len(rec.prompts) < prompts:
            assert asyncio.get_running_loop().time() < deadline, "the prompts"
            await pilot.pause(0.05)
        [journal] = folder.glob("*.journal.jsonl")
        while len(read_journal(journal).actions) < rec.seq:
            assert asyncio.get_running_loop().time() < deadline, "the journal"
            await pilot.pause(0.01)
        contents = read_journal(journal)
        await pilot.press("ctrl+q")
    meta, replayed_book = parse_header(contents.header, str(journal))
    replay = Recorder(replayed_book, meta)
    late: list[float] = []
    for action in contents.actions:
        if action["a"] == "prompt":
            late.append((replay.clock.session_time(action["mono"]) - action["due"]) * 1000)
        replay.replay_one(action)
    return late


def run(quick: bool = False) -> list[dict[str, Any]]:
    prompts = 6 if quick else 12
    with tempfile.TemporaryDirectory() as folder:
        late = asyncio.run(_session(Path(folder), prompts))
    shown = ", ".join(f"{x:.2f}" for x in late)
    return [
        budget_row(
            "time sampling: prompt after its instant of session time",
            median(late),
            BUDGET_MS,
            "ms",
            f"median of {len(late)} prompts every {EVERY_S:g} s; worst {max(late):.2f} ms;"
            f" each: {shown}",
            digits=2,
        )
    ]


if __name__ == "__main__":
    from benchmarks.common import format_table

    rows = run(quick="--quick" in sys.argv)
    print(format_table(rows))
    for r in rows:
        print(f"- {r['what']}: {r['note']}")
