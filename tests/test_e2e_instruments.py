"""End to end in a real terminal (tmux): a Strange Situation coded, rated in its
episodes and classified (a D with its forced alternative), then reported by
``observer stats``. Skips without tmux."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, save_ratings_and_exit

from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux


def test_a_strange_situation_is_coded_rated_and_classified(tmp_path: Path) -> None:
    with Tmux(width=80, height=24) as term:
        term.start(
            [
                sys.executable, "-m", "observer", "code", "--codebook", "strange-situation",
                "--dyad", "D007", "--observer", "obs1", "--session-dir", str(tmp_path),
            ]
        )  # fmt: skip
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("c")
        term.wait_for(r"saved 2\b", regex=True)
        term.send_keys("C-e")
        term.wait_for("End the session")
        term.send_keys("Enter")
        term.wait_for("Ratings")
        screen = term.capture()
        assert "Caregiver and child" in screen and "First separation" not in screen
        term.send_literal("5")  # proximity seeking, caregiver and child
        term.send_keys("BTab")  # back round to the last field: the forced alternative
        term.send_literal("b3")
        term.wait_for("b3")
        term.send_keys("BTab")  # the classification before it
        term.send_literal("d")
        save_ratings_and_exit(term)
    [path] = list(tmp_path.glob("*.json"))
    session = load_session(path)
    assert session.ratings["classification"] == "D"
    assert session.ratings["forced-classification"] == "B3"
    assert session.ratings["ch-proximity-seeking"] == {
        "caregiver-child": 5, "stranger-joins": None, "reunion-1": None, "reunion-2": None
    }  # fmt: skip
    search = session.ratings["ch-search"]
    assert isinstance(search, dict)
    assert set(search) == {"separation-1", "alone", "stranger-returns"}
    out = subprocess.run(
        [sys.executable, "-m", "observer", "stats", str(path), "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    reported = json.loads(out.stdout)["sessions"][0]["ratings"]
    assert reported["classification"] == "D" and reported["forced-classification"] == "B3"
    assert reported["classification/forced-classification"] == "D/B3"
