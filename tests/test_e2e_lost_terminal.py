"""``observer code`` never outlives its terminal.

A tmux pane killed under it (``tmux respawn-pane -k``, as a closed terminal window
does) at a random instant from the first frame to the summary: the process must be
gone (within a deadline, not minutes later) and ``observer recover`` must return
every acknowledged action. Before, about one kill in five left the process alive for
good: Textual's output thread died on the first write to the hung-up terminal, the
app's exit then waited on it for ever, and no later signal could end it.

A terminal lost without any SIGHUP (a pseudo-terminal that is not the program's
controlling terminal, its other end closed): reads and writes fail with EIO, and the
program must end on that alone. And SIGTERM at instants of the start-up, before and
after the signal handlers are in place.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, observer_code_argv, process_alive

from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux

GONE_WITHIN_S = 20.0
"""A liveness bound, not a speed: the app stops within 10 s at the latest by design."""
CODES = ["cg-names-feeling", "cg-ignores-bid", "ch-bids"]


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + GONE_WITHIN_S
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _recover(folder: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "observer", "recover", "--session-dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not list(folder.glob("*.journal.jsonl")), done.stdout
    files = list(folder.glob("*.json"))
    assert len(files) <= 1
    return [e.code for e in load_session(files[0]).events] if files else []


STEPS = [
    ("first frame", lambda t: None),
    ("clock started", lambda t: (t.send_keys("Space"), t.wait_for("RUNNING"))),
    ("three codes saved", lambda t: (t.send_keys("t", "d", "o"), t.wait_for("saved 4"))),
    ("end asked", lambda t: (t.send_keys("C-e"), t.wait_for("End the session"))),
    ("ratings form", lambda t: (t.send_keys("Enter"), t.wait_for("Ratings"))),
    ("summary", lambda t: (t.send_keys("C-s"), t.wait_for("Session saved"))),
]
RUNS = 24


@pytest.mark.parametrize("run", range(RUNS))
def test_a_killed_pane_ends_observer_at_any_instant_and_the_journal_recovers(
    tmp_path: Path, run: int
) -> None:
    rng = random.Random(2024 + run)
    last = run % len(STEPS) if run < len(STEPS) else rng.randrange(len(STEPS))
    pause = rng.uniform(0.0, 0.3)  # the kill lands anywhere in the drawing that follows
    with Tmux(width=100, height=30) as term:
        term.start(observer_code_argv(tmp_path))
        pid = term.pane_pid()
        term.wait_for("press space")
        for _, step in STEPS[: last + 1]:
            act: Callable[[Tmux], object] = step
            act(term)
        time.sleep(pause)
        term._run("respawn-pane", "-k", "-t", term.name, "sleep 600")
        assert _gone(pid), f"observer outlived its pane killed after {STEPS[last][0]}"
    codes = _recover(tmp_path)
    if last >= 2:  # three codes were acknowledged (saved 4): they are all there
        assert codes == CODES
    else:
        assert codes == []


def test_a_terminal_lost_without_sighup_ends_observer(tmp_path: Path) -> None:
    """A pseudo-terminal that is not the controlling terminal: closing its other end
    sends no SIGHUP, reads and writes just fail."""
    master, slave = os.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    child = subprocess.Popen(
        observer_code_argv(tmp_path),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,  # no controlling terminal: no SIGHUP when it goes
        env=env,
    )
    os.close(slave)
    seen = bytearray()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            if select.select([master], [], [], 0.1)[0]:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    return
                if not data:
                    return
                seen.extend(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def wait_for(text: bytes) -> None:
        deadline = time.monotonic() + 30
        while text not in seen:
            assert time.monotonic() < deadline, f"no {text!r} on the screen"
            time.sleep(0.02)

    try:
        wait_for(b"press space")
        os.write(master, b" ")
        wait_for(b"RUNNING")
        os.write(master, b"tdo")
        wait_for(b"saved 4")
        done.set()
        reader.join()
        os.close(master)  # the terminal is gone
        try:
            child.wait(GONE_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail("observer outlived a terminal lost without SIGHUP")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 129  # as on SIGHUP
    assert _recover(tmp_path) == CODES


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_a_signal_during_start_up_ends_observer(tmp_path: Path, delay: float) -> None:
    """SIGTERM before, while and just after the handlers are installed and the first
    frame drawn: the program ends (killed outright before its handlers exist, with
    143 after), and whatever it left recovers."""
    master, slave = os.openpty()
    child = subprocess.Popen(
        observer_code_argv(tmp_path),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(slave)
    drained = threading.Event()

    def drain() -> None:  # the terminal keeps being read, as a real one is
        while not drained.is_set():
            if select.select([master], [], [], 0.1)[0]:
                try:
                    if not os.read(master, 65536):
                        return
                except OSError:
                    return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        time.sleep(delay)
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(GONE_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"observer outlived SIGTERM {delay} s into its start")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        drained.set()
        reader.join()
        os.close(master)
    assert child.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM)
    assert _recover(tmp_path) == []
