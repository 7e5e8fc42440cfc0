"""Durability end to end, in a real terminal (tmux): kill -9, random kills, a burst.

``observer code`` runs in tmux with flags; keys are typed through tmux; the
screen's ``saved N`` counter is the journal writer's acknowledgement (actions
fsynced to disk). After ``kill -9`` of the program, ``observer recover`` must
return every action acknowledged before the kill. Skips where tmux is missing.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, observer_code_argv

from observer.live.journal import read_journal
from observer.sessionfile import Session, load_session

pytestmark = pytest.mark.tmux

POINT_KEYS = {"t": "cg-names-feeling", "d": "cg-ignores-bid", "o": "ch-bids"}
"""Point codes of cpp-attachment without modifiers: one key, one event."""
SAVED = re.compile(r"saved (\d+)(?:/(\d+))?")


def start_code(term: Tmux, folder: Path) -> None:
    term.start(observer_code_argv(folder, dyad="D007", observer="kill"))
    term.wait_for("press space")
    term.send_keys("Space")
    term.wait_for("RUNNING")


def acked(screen: str) -> int:
    """The number of actions the screen shows as on disk."""
    match = SAVED.search(screen)
    assert match, f"no 'saved N' on the screen:\n{screen}"
    return int(match.group(1))


def wait_acked(term: Tmux, n: int) -> str:
    """Wait until at least ``n`` actions are acknowledged as on disk."""
    return term.wait_until(
        lambda s: SAVED.search(s) is not None and acked(s) >= n, what=f"saved >= {n}"
    )


def recover(folder: Path) -> tuple[Session, str]:
    done = subprocess.run(
        [sys.executable, "-m", "observer", "recover", "--session-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    [path] = list(folder.glob("*.json"))
    return load_session(path), done.stdout


def test_kill_9_loses_no_acknowledged_action(tmp_path: Path) -> None:
    with Tmux(width=100, height=30) as term:
        start_code(term, tmp_path)  # action 1: the clock
        term.send_keys("t")
        wait_acked(term, 2)
        term.send_keys("k")  # a state: still running at the kill
        wait_acked(term, 3)
        term.send_keys("w")
        term.send_keys("3")  # warm touch, intensity high
        wait_acked(term, 5)
        term.send_keys("d")
        wait_acked(term, 6)
        term.kill9()
    session, out = recover(tmp_path)
    assert "recovered 4 events, 1 running state closed at the last action" in out
    assert session.status == "recovered"
    assert [(e.code, e.modifiers, e.flags) for e in session.events] == [
        ("cg-names-feeling", {}, ()),
        ("ch-own-play", {}, ("closed-at-recovery",)),
        ("cg-warm-touch", {"intensity": "high"}, ()),
        ("cg-ignores-bid", {}, ()),
    ]
    [aside] = list(tmp_path.glob("*.journal.jsonl.recovered"))
    assert len(read_journal(aside).actions) == 6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_instant_keeps_every_acknowledged_action(
    tmp_path: Path, seed: int
) -> None:
    """Keys keep arriving in small bursts; the program is killed at a random moment
    (a random number of bursts in, possibly mid-burst). Everything the screen had
    acknowledged just before the kill is in the recovered session, in order."""
    rng = random.Random(seed)
    keys = "".join(rng.choice("tdo") for _ in range(120))
    bursts = [keys[i : i + 6] for i in range(0, len(keys), 6)]
    kill_after = rng.randrange(2, len(bursts))
    with Tmux(width=100, height=30) as term:
        start_code(term, tmp_path)
        for burst in bursts[:kill_after]:
            term.send_literal(burst)
        seen = acked(term.capture())  # acknowledged before the kill (a lower bound)
        term.kill9()
    session, _ = recover(tmp_path)
    codes = [e.code for e in session.events]
    sent = [POINT_KEYS[k] for k in "".join(bursts[:kill_after])]
    assert len(codes) >= seen - 1  # every acknowledged key (the clock was action 1)
    assert codes == sent[: len(codes)]  # in order, nothing invented


def test_a_burst_of_200_keys_in_one_write_becomes_200_events_in_order(tmp_path: Path) -> None:
    keys = ("tdo" * 67)[:200]
    with Tmux(width=100, height=30) as term:
        start_code(term, tmp_path)
        term.send_literal(keys)  # one send-keys -l: one write to the terminal
        wait_acked(term, 201)
        term.send_keys("C-e")
        term.wait_for("End the session")
        term.send_keys("Enter")
        term.wait_for("Ratings")
        term.send_keys("C-s")
        term.wait_for("Session saved")
    [path] = list(tmp_path.glob("*.json"))
    session = load_session(path)
    assert session.status == "complete"
    assert [e.code for e in session.events] == [POINT_KEYS[k] for k in keys]
    starts = [e.start for e in session.events]
    assert starts == sorted(starts)
    assert all(v is None for v in session.ratings.values())
    assert list(tmp_path.glob("*.journal.jsonl")) == []
