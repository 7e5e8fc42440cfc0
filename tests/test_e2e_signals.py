"""Signals while a session is unfinished, in a real terminal (tmux).

SIGINT (a ctrl+c sent as a signal: ``kill -INT``), SIGTERM and SIGHUP stop
``observer code`` the ordinary way: the terminal is given back as it was (the normal
screen, mouse reporting off, the cursor shown), the command says what stopped it and
where the journal is, exits with 128 + the signal's number, and ``observer recover``
gets every acknowledged action. Before, SIGINT exited 0, and SIGTERM and SIGHUP left
the terminal in the alternate screen with mouse reporting on.

The program runs under ``sh`` so that the pane outlives it: tmux reports a dead pane's
cursor as hidden, whatever the program did.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, observer_code_argv

from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux


def _child(pid: int) -> int:
    """The one child of ``pid`` (the shell's: observer itself)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


@pytest.mark.parametrize(
    "number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"]
)
def test_a_signal_gives_the_terminal_back_and_keeps_the_journal(
    tmp_path: Path, number: signal.Signals
) -> None:
    line = shlex.join(observer_code_argv(tmp_path)) + '; echo "EXITED $?"; exec sleep 600'
    with Tmux(width=100, height=30) as term:
        term.start(["sh", "-c", line])
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("s", "o", "w", "3")
        term.wait_for(r"saved 5\b", regex=True)  # every action (the 3 too) on disk
        assert term._pane("#{alternate_on} #{mouse_any_flag}") == "1 1"
        os.kill(_child(term.pane_pid()), number)
        shown = term.wait_for(r"EXITED \d+", regex=True)
        flat = "".join(shown.split())  # the message wraps, at any character
        status = re.search(r"EXITED(\d+)", flat)
        assert status is not None and int(status.group(1)) == 128 + number
        assert f"stoppedby{number.name}:thesessionwasnotfinished" in flat
        assert "run`observerrecover`" in flat
        assert term._pane("#{alternate_on} #{mouse_any_flag} #{cursor_flag}") == "0 0 1"
    [journal] = tmp_path.glob("*.journal.jsonl")
    assert str(journal).replace(" ", "") in flat
    recovered = subprocess.run(
        [sys.executable, "-m", "observer", "recover", "--session-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert recovered.returncode == 0, recovered.stderr
    [path] = tmp_path.glob("*.json")
    session = load_session(path)
    assert [(e.code, e.modifiers) for e in session.events] == [
        ("cg-shares-play", {}),
        ("ch-bids", {}),
        ("cg-warm-touch", {"intensity": "high"}),
    ]
