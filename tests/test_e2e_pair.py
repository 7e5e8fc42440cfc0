"""End to end in real terminals (tmux): two ``observer code --pair`` processes code one
live session. A space in one starts both clocks, a pause from the other pauses both;
each file holds only its own coder's keys, both share time 0 and the pauses, and
``observer reliability`` pairs them by their pair id. Killed with SIGKILL, one side
leaves the other coding alone; the killed side recovers with its pair."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from support.pairs import assert_one_pair
from support.tmuxdriver import Tmux, observer_code_argv

from observer.sessionfile import Session, load_session

pytestmark = pytest.mark.tmux

WIDTH = 120


def start(term: Tmux, folder: Path, observer: str, *extra: str) -> None:
    argv = observer_code_argv(folder, dyad="D7", observer=observer)
    term.start([*argv, "--pair", "clinic-a", *extra])
    term.wait_for("press space")


def end(term: Tmux) -> None:
    term.send_keys("C-q")
    term.wait_for("End the session")
    term.send_keys("Enter")
    term.wait_for("Ratings")
    term.send_keys("C-s")
    term.wait_dead()
    assert term.exit_status() == 0


def sessions(folder: Path) -> dict[str, Session]:
    found = [load_session(p) for p in sorted(folder.glob("*.json"))]
    return {s.observer: s for s in found}


async def test_two_coders_share_the_clock_and_keep_their_own_codes(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    with Tmux(width=WIDTH) as a, Tmux(width=WIDTH) as b:
        start(a, folder, "ref", "--label", "reference")
        a.wait_for("waiting for partner")
        start(b, folder, "trainee", "--label", "trainee")
        a.wait_for("partner connected")
        b.wait_for("partner connected")
        a.send_keys("Space")
        b.wait_for("RUNNING")
        a.send_literal("t")
        a.wait_for("Names a feeling")
        b.send_literal("d")
        b.wait_for("Disregards a bid")
        b.send_keys("Space")  # a pause from the other coder
        a.wait_for("PAUSED")
        a.send_keys("Space")
        b.wait_for("RUNNING")
        a.send_literal("t")
        b.send_literal("d")
        b.wait_for("events 2")
        a.wait_for("events 2")
        end(a)
        b.wait_for("partner ended their session")  # ended, not lost
        assert "partner gone" not in b.capture()
        end(b)
    assert not list(folder.glob(".pair-*"))  # the socket is removed
    by = sessions(folder)
    ref, trainee = by["ref"], by["trainee"]
    started = [datetime.fromisoformat(s.started_at) for s in (ref, trainee)]
    assert abs((started[0] - started[1]).total_seconds()) < 0.001
    assert ref.pauses == trainee.pauses and len(ref.pauses) == 1
    assert {e.code for e in ref.events} == {"cg-names-feeling"} and len(ref.events) == 2
    assert {e.code for e in trainee.events} == {"cg-ignores-bid"} and len(trainee.events) == 2
    assert_one_pair(folder, ref, trainee, "clinic-a")


async def test_a_killed_partner_leaves_the_other_coding_alone(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    with Tmux(width=WIDTH) as a, Tmux(width=WIDTH) as b:
        start(a, folder, "ref", "--role", "reliability")
        start(b, folder, "trainee")  # joins as the primary coder
        a.wait_for("partner connected")
        b.send_keys("Space")
        a.wait_for("RUNNING")
        b.send_literal("d")
        b.wait_for("events 1")
        b.kill9()
        a.wait_for("partner gone")
        a.send_literal("t")
        a.wait_for("events 1")
        end(a)
    ref = sessions(folder)["ref"]
    assert ref.pair is not None and ref.pair.role == "reliability"
    assert [e.code for e in ref.events] == ["cg-names-feeling"]
    recovered = subprocess.run(
        [sys.executable, "-m", "observer", "recover", "--session-dir", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert recovered.returncode == 0, recovered.stderr
    trainee = sessions(folder)["trainee"]
    assert trainee.status == "recovered" and trainee.pair is not None
    assert (trainee.pair.id, trainee.pair.role, trainee.pair.partner) == (
        ref.pair.id,
        "primary",
        "ref",
    )
    assert [e.code for e in trainee.events] == ["cg-ignores-bid"]


async def test_two_spaces_at_once_toggle_the_clock_once(tmp_path: Path) -> None:
    """Both coders press space within a few ms: each clock starts once and stays
    running (whichever press reached a clock second is refused there as the same
    moment's), and no pause reaches either file."""
    import time

    folder = tmp_path / "s"
    with Tmux(width=WIDTH) as a, Tmux(width=WIDTH) as b:
        start(a, folder, "ref")
        a.wait_for("waiting for partner")
        start(b, folder, "trainee")
        a.wait_for("partner connected")
        # A joiner whose screen came up after the join shows only "paired" (connected).
        b.wait_for(r"partner connected|paired(?! ·)", regex=True)
        a.send_keys("Space")
        b.send_keys("Space")
        a.wait_for("RUNNING")
        b.wait_for("RUNNING")
        time.sleep(0.5)  # any second toggle would have crossed by now
        assert "RUNNING" in a.capture() and "RUNNING" in b.capture()
        a.send_literal("t")
        b.send_literal("d")
        a.wait_for("events 1")
        b.wait_for("events 1")
        end(a)
        b.wait_for("partner")
        end(b)
    by = sessions(folder)
    ref, trainee = by["ref"], by["trainee"]
    assert ref.pauses == () and trainee.pauses == ()
    started = [datetime.fromisoformat(s.started_at) for s in (ref, trainee)]
    assert abs((started[0] - started[1]).total_seconds()) < 0.15
