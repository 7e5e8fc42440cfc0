"""End to end in a real terminal (tmux): each instrument-shaped codebook bundled with
allocations, reverse-keyed composites and episodes is coded, rated in its form and
saved, and the session reads back with the rating. Skips without tmux."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, observer_code_argv, save_ratings_and_exit

from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux

CASES = {
    # codebook: (a code key, what is typed into the ratings form, the rating, its value)
    "piccolo-style": ("a", ["2"], "affection.1", 2),
    "crowell-style": (
        "j",
        ["5"],
        "cg-supportive-presence",
        {
            "free-play": 5,
            "clean-up": None,
            "bubbles": None,
            "task-1": None,
            "task-2": None,
            "task-3": None,
            "task-4": None,
        },
    ),
    "cib-style": ("a", ["4"], "parent.acknowledging", 4),
    "care-index-style": (
        "a",
        ["8", "Tab", "4", "Tab", "2"],
        "adult-pattern",
        {"sensitive": 8, "controlling": 4, "unresponsive": 2},
    ),
}


@pytest.mark.parametrize("cb_id", sorted(CASES))
def test_a_bundled_instrument_is_coded_rated_and_saved(tmp_path: Path, cb_id: str) -> None:
    check = subprocess.run(
        [sys.executable, "-m", "observer", "codebook", "check", cb_id],
        capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0 and ": ok (" in check.stdout, check.stderr
    key, typed, rating, value = CASES[cb_id]
    with Tmux(width=80, height=24) as term:
        term.start(observer_code_argv(tmp_path, codebook=cb_id, dyad="D3", observer="obs1"))
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        if cb_id == "crowell-style":
            term.send_keys("F2")  # the first episode starts: its ratings are asked
            term.wait_for("segment: Free play")
        term.send_literal(key)
        term.wait_for(r"saved [2-9]\b", regex=True)
        term.send_keys("C-e")
        term.wait_for("End the session")
        term.send_keys("Enter")
        term.wait_for("Ratings")
        for piece in typed:
            if piece == "Tab":
                term.send_keys("Tab")
            else:
                term.send_literal(piece)
        if cb_id == "care-index-style":
            term.wait_for("sum 14 of 14")
        save_ratings_and_exit(term)
    [path] = tmp_path.glob("*.json")
    session = load_session(path)
    assert session.ratings[rating] == value
    assert len(session.events) == 1
