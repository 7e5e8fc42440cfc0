"""End to end in a real terminal (tmux): ``observer replay`` opens a session, seeks,
adds a comment (asking the reviewer id once), quits; the file holds the comment,
its events unchanged, its mode kept. Skips where tmux is missing."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from support.replay import EVENTS, small_file
from support.tmuxdriver import Tmux

from observer.review import load_reviewer
from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux


def test_open_seek_comment_quit(tmp_path: Path) -> None:
    path = small_file(tmp_path)
    config = tmp_path / "xdg"
    env = {"XDG_CONFIG_HOME": str(config), "TEXTUAL_ANIMATIONS": "none"}
    with Tmux(width=120, height=36) as term:
        term.start([sys.executable, "-m", "observer", "replay", str(path)], env=env)
        term.wait_for("⏸ paused 0:00.0 / 1:00.0")  # the ready marker: first frame drawn
        term.send_keys("g")
        term.wait_for("Go to time")
        term.send_literal("0:12.5")  # replaces the proposed time, selected in the box
        term.send_keys("Enter")
        term.wait_for("⏸ paused 0:12.5")
        term.send_keys("Right")  # the next event: ch-seeks-contact at 0:20.0
        term.wait_for("⏸ paused 0:20.0")
        term.send_keys("a")
        term.wait_for("Your reviewer id")
        term.send_literal("sup1")
        term.send_keys("Enter")
        term.wait_for("Comment at 0:20.0")
        term.send_literal("child seeks contact after the noise")
        term.send_keys("Enter")
        term.wait_for("saved comment r1")
        term.send_keys("v")
        term.wait_for("sup1: child seeks")  # the list shows the start of the text
        term.send_keys("q")
        term.wait_dead()
        assert term.exit_status() == 0
    session = load_session(path)
    assert session.events == EVENTS
    (review,) = session.reviews
    assert (review.kind, review.t, review.reviewer) == ("comment", 20.0, "sup1")
    assert review.text == "child seeks contact after the noise"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_reviewer(config / "observer" / "config.json") == "sup1"


def test_a_corrupt_file_in_a_terminal_exits_2_untouched(tmp_path: Path) -> None:
    """In a terminal the file is parsed behind the first frame: a bad one still ends
    the command with exit 2 and its problem on stderr, and is never changed."""
    path = small_file(tmp_path)
    path.write_bytes(path.read_bytes()[:-30])
    before = path.read_bytes(), path.stat().st_mtime_ns
    err = tmp_path / "stderr.txt"  # the screen goes to stderr too; the problem comes last
    with Tmux(width=100, height=30) as term:
        term.start(
            [
                "sh",
                "-c",
                'exec "$0" -m observer replay "$1" 2>"$2"',
                sys.executable,
                str(path),
                str(err),
            ]
        )
        term.wait_dead()
        assert term.exit_status() == 2
    last = err.read_text().splitlines()[-1]
    assert f"{path}: line " in last and last.endswith("invalid JSON: unexpected end of data")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
