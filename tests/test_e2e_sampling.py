"""End to end in a real terminal (tmux): a 60-second session of a codebook that
samples every 10 s, paused once, gives six prompts at 10, 20 ... 60 s of session
time (the pause excluded), as the journal records them and by its own clock
readings (never before the instant; how soon after it is a benchmark's to measure,
not a test's); the answers are scans stamped at the instants, missed ones
recorded, all in the session file and the events export; the journal, replayed as
recovery does, rebuilds the same scans. Skips without tmux."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from support.instruments3 import doc
from support.tmuxdriver import Tmux, observer_code_argv, save_ratings_and_exit

from observer.live.journal import read_journal
from observer.live.recorder import Recorder
from observer.live.recovery import parse_header, replay_journal
from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux

DEADLINE_S = 30.0


def _journal_prompts(folder: Path) -> int:
    found = list(folder.glob("*.journal.jsonl"))
    if not found:
        return 0
    lines = found[0].read_bytes().splitlines()[1:]
    return sum(1 for line in lines if b'"a":"prompt"' in line)


def _wait_prompts(folder: Path, n: int) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while _journal_prompts(folder) < n:
        assert time.monotonic() < deadline, f"never saw {n} prompts in the journal"
        time.sleep(0.05)


def test_a_minute_sampled_every_ten_seconds_with_one_pause(tmp_path: Path) -> None:
    book = tmp_path / "sampled.json"
    book.write_bytes(orjson.dumps(doc()))
    folder = tmp_path / "sessions"
    kept = tmp_path / "journal-copy.jsonl"
    with Tmux(width=80, height=24) as term:
        term.start(observer_code_argv(folder, codebook=str(book), dyad="D1", observer="o1"))
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_literal("j")  # plays: coded continuously (no scan is open yet)
        term.wait_for("Plays started")
        term.wait_for("SCAN 00:10", timeout=DEADLINE_S)
        term.send_literal("j")  # answers the scan (plays goes on running)
        term.wait_for("scan at 10 s: Plays")
        _wait_prompts(folder, 2)  # 20 s: not answered
        term.wait_for(r"00:2[4-9]\.", regex=True, timeout=DEADLINE_S)
        term.send_keys("Space")
        term.wait_for("PAUSED")
        time.sleep(3)  # the pause: no session time passes (not a check on speed)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        _wait_prompts(folder, 3)  # 30 s: the 20 s scan is missed now
        term.wait_for("missed: the scan at 20 s")
        term.send_literal("k")  # idle: answers the scan at 30 s
        term.wait_for("scan at 30 s: Idle")
        _wait_prompts(folder, 5)  # 40 s missed, 50 s asked
        term.send_literal("j")
        term.wait_for("scan at 50 s: Plays")
        _wait_prompts(folder, 6)
        term.send_literal("k")
        term.wait_for("scan at 60 s: Idle")
        term.wait_for(r"saved (\d+)\s", regex=True)
        [journal] = folder.glob("*.journal.jsonl")
        deadline = time.monotonic() + DEADLINE_S
        while b'"key":"k"' not in journal.read_bytes().splitlines()[-1]:
            assert time.monotonic() < deadline, "the last answer never reached the journal"
            time.sleep(0.05)
        shutil.copyfile(journal, kept)
        term.send_keys("C-e")
        term.wait_for("End the session")
        term.send_keys("Enter")
        term.wait_for("Ratings")
        save_ratings_and_exit(term)

    contents = read_journal(kept)
    meta, codebook = parse_header(contents.header, str(kept))
    rec = Recorder(codebook, meta)
    shown: list[tuple[float, float]] = []
    for action in contents.actions:
        if action["a"] == "prompt":
            shown.append((action["due"], rec.clock.session_time(action["mono"])))
        rec.replay_one(action)
    for k, (due, at) in enumerate(shown, 1):
        assert abs(due - k * 10) <= 0.001  # asked at k·10 s of session time, the pause excluded
        assert at >= due  # never before its instant (how late it is shown: python -m benchmarks)
    assert len(shown) == 6
    assert len(rec.clock.pauses) == 1 and rec.clock.pauses[0].wall_s >= 2.5

    [path] = folder.glob("*.json")
    session = load_session(path)
    assert [(s.t, s.code) for s in session.scans] == [
        (10.0, "play"), (20.0, None), (30.0, "idle"), (40.0, None), (50.0, "play"),
        (60.0, "idle"),
    ]  # fmt: skip
    assert {s.stream for s in session.scans} == {"activity/child"}
    recovered = replay_journal(kept).recorder.recovered_session()
    assert recovered.scans == session.scans  # recovery rebuilds them from the journal

    out = subprocess.run(
        [sys.executable, "-m", "observer", "export", str(path), "--format", "csv"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = [r for r in csv.DictReader(io.StringIO(out.stdout)) if r["kind"] == "scan"]
    assert [(r["start"], r["code"], r["flags"]) for r in rows] == [
        ("10.000", "play", ""), ("20.000", "", "missed"), ("30.000", "idle", ""),
        ("40.000", "", "missed"), ("50.000", "play", ""), ("60.000", "idle", ""),
    ]  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "observer", "intervals", str(path), "--scans", "--summary"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = {r["code"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert (summary["play"]["scans"], summary["play"]["missed"]) == ("4", "2")
    assert summary["play"]["estimate"] == "0.5" and summary["idle"]["scored"] == "2"
