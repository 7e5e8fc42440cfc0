"""The tmux driver itself, on trivial programs (the coding e2e tests build on it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, WaitTimeout, process_alive

pytestmark = pytest.mark.tmux

SCRIPT = """
import os, sys
print("READY", os.environ.get("GREETING"), flush=True)
for line in sys.stdin:
    print("GOT", line.strip(), flush=True)
    if line.strip() == "bye":
        sys.exit(3)
"""


def test_start_send_wait_and_exit_status(tmp_path: Path) -> None:
    script = tmp_path / "echo.py"
    script.write_text(SCRIPT)
    with Tmux(width=60, height=10) as term:
        term.start([sys.executable, str(script)], env={"GREETING": "hello there"})
        term.wait_for("READY hello there")
        term.send_literal("abc def")
        term.send_keys("Enter")
        term.wait_for("GOT abc def")
        assert term.exit_status() is None
        term.send_literal("bye")
        term.send_keys("Enter")
        term.wait_dead()
        assert term.exit_status() == 3
        assert "GOT bye" in term.capture()  # remain-on-exit keeps the last screen


def test_kill9_kills_the_program_itself(tmp_path: Path) -> None:
    script = tmp_path / "echo.py"
    script.write_text(SCRIPT)
    with Tmux() as term:
        term.start([sys.executable, str(script)])
        term.wait_for("READY")
        pid = term.pane_pid()
        term.kill9()
        assert term.dead() and term.exit_status() is None
        assert not process_alive(pid)


def test_wait_for_times_out_with_the_screen_in_the_message() -> None:
    with Tmux() as term:
        term.start(["sh", "-c", "echo nothing here; sleep 30"])
        term.wait_for("nothing here")
        with pytest.raises(WaitTimeout, match="nothing here"):
            term.wait_for("never", timeout=0.3)
        term.wait_for(r"noth\w+ here", regex=True)


def test_each_driver_has_its_own_server() -> None:
    with Tmux() as one, Tmux() as two:
        one.start(["sh", "-c", "echo one; sleep 30"])
        two.start(["sh", "-c", "echo two; sleep 30"])
        one.wait_for("one")
        two.wait_for("two")
        assert "two" not in one.capture() and one.name != two.name
