"""The benchmarks' table and ``--repeat``'s median of whole runs (no timing here)."""

from __future__ import annotations

from typing import Any

from benchmarks.common import format_table, median_of_runs


def _row(what: str, measured: float | None, ok: bool | None, load: float) -> dict[str, Any]:
    budget = "<= 1 s" if ok is not None else "-"
    return {"what": what, "measured": measured, "budget": budget, "unit": "s", "ok": ok,
            "note": "how", "load": load}  # fmt: skip


def test_each_row_is_the_median_of_the_runs_judged_again() -> None:
    runs = [
        [_row("start", 1.2, False, 8.0), _row("x", 5, None, 8.0)],
        [_row("start", 0.7, True, 1.0), _row("x", 7, None, 1.0)],
        [_row("start", 0.9, True, 2.0), _row("x", 6, None, 2.0)],
    ]
    start, x = median_of_runs(runs)
    assert (start["measured"], start["ok"], start["load"]) == (0.9, True, 2.0)
    assert "median of 3 of 3 runs (each: 1.2, 0.7, 0.9; load 8.0, 1.0, 2.0)" in start["note"]
    assert (x["measured"], x["ok"]) == (6, None)


def test_a_row_without_a_numeric_budget_passes_when_most_runs_passed() -> None:
    def counted(ok: bool) -> dict[str, Any]:
        return {**_row("burst", 500 if ok else 499, ok, 1.0), "budget": "500, none lost"}

    (burst,) = median_of_runs([[counted(True)], [counted(False)], [counted(False)]])
    assert burst["ok"] is False and burst["measured"] == 499
    (burst,) = median_of_runs([[counted(True)], [counted(True)], [counted(False)]])
    assert burst["ok"] is True


def test_rows_of_the_same_name_are_matched_by_place_and_the_table_shows_the_load() -> None:
    runs = [[_row("p99", 1.0, True, 3.0), _row("p99", 3.0, False, 3.0)] for _ in range(2)]
    first, second = median_of_runs(runs)
    assert (first["measured"], second["measured"]) == (1.0, 3.0)
    table = format_table([first, second, _row("gone", None, None, 0.5)])
    assert table.splitlines()[0].split() == ["what", "measured", "budget", "result", "load"]
    assert table.splitlines()[2].endswith("pass    3.0")
    assert "not measured" in table.splitlines()[4] and table.endswith("0.5")
