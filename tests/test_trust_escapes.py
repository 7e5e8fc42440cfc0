"""Text from files never talks to the terminal: every human-facing output escapes
control characters; machine-readable output into a pipe stays byte exact; typed ids
and labels holding control characters are refused at the door.

The commands run in a real pseudo-terminal (their stdout and stderr are a pty, as in
a terminal window) and every byte they write is captured.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from support.clirun import run
from support.replay import small_session

from observer.sessionfile import Review, load_session, write_session
from observer.textsafe import has_control, safe
from observer.tui.replay.app import ReplayApp

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # write "hello" to the clipboard
OSC0 = "\x1b]0;pwned\x07"  # the window title
CLEAR = "\x1b[2J"
EVIL = f"D1{OSC52}{OSC0}{CLEAR}\r\x9b"


def in_a_pty(argv: list[str]) -> tuple[int, bytes]:
    """Run ``observer ARGV`` with stdout and stderr on a pseudo-terminal; every byte."""
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "observer", *argv],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    out = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), bytes(out)


def evil_files(folder: Path) -> tuple[Path, Path]:
    a = attrs.evolve(small_session("S1-D001-obs1"), dyad=EVIL, label=EVIL)
    b = attrs.evolve(small_session("S1-D001-obs2", "obs2"), dyad=EVIL + "b")
    return write_session(folder, a), write_session(folder, b)


@pytest.mark.parametrize(
    "command",
    ["sessions", "stats", "stats-csv", "export", "agree", "agree-ratings"],
)
def test_no_escape_or_control_byte_from_a_file_reaches_the_terminal(
    tmp_path: Path, command: str
) -> None:
    a, b = evil_files(tmp_path)
    argv = {
        "sessions": ["sessions", "--session-dir", str(tmp_path)],
        "stats": ["stats", str(a)],
        "stats-csv": ["stats", "--format", "csv", str(a)],
        "export": ["export", "--format", "csv", str(a)],
        "agree": ["agree", str(a), str(b)],
        "agree-ratings": ["agree", "--ratings", str(a), str(b)],
    }[command]
    status, out = in_a_pty(argv)
    assert status in (0, 2), out
    assert b"\x1b" not in out and b"\x07" not in out and "\x9b".encode() not in out, out
    assert b"\r" not in out.replace(b"\r\n", b"")  # the pty turns \n into \r\n
    if command not in ("agree-ratings", "stats-csv"):
        assert b"\\x1b]52;c;aGVsbG8=\\x07" in out, out  # shown, as text


def test_csv_into_a_pipe_stays_byte_exact(tmp_path: Path) -> None:
    a, _ = evil_files(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "observer", "export", "--format", "csv", str(a)],
        capture_output=True,
        check=True,
    )
    assert OSC52.encode() in done.stdout


@pytest.mark.parametrize("flag", ["--dyad", "--observer", "--label"])
def test_code_refuses_control_characters_in_typed_ids_and_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    values = {"--dyad": "D1", "--observer": "o1", "--label": "x"}
    values[flag] = "D1\nsaved 99" if flag == "--dyad" else EVIL
    argv = ["code", "--session-dir", str(tmp_path / "s")]
    for name, value in values.items():
        argv += [name, value]
    code, _, err = run(argv, capsys)
    assert code == 2 and flag in err and "control characters" in err
    assert len(err.strip().splitlines()) == 1 and not has_control(err.strip())
    assert not (tmp_path / "s").exists()


def test_safe_escapes_every_control_and_keeps_the_rest() -> None:
    assert safe("a\x1b[2Jb\tc\nd\x7f\u202e") == "a\\x1b[2Jb\\tc\\nd\\x7f\\u202e"
    assert safe("line\tone\nline two\r", lines=True) == "line\tone\nline two\\r"
    assert safe("ünïcode · 日本") == "ünïcode · 日本"


async def test_a_review_text_is_shown_escaped_in_the_review_list(tmp_path: Path) -> None:
    session = small_session()
    review = Review("r1", "comment", "sup1", "2026-01-05T11:00:00+00:00", 5.0, text=EVIL)
    path = write_session(tmp_path, attrs.evolve(session, reviews=(review,)))
    app = ReplayApp(path, load_session(path), config=tmp_path / "config.json")
    async with app.run_test(size=(130, 36)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        from textual.widgets import OptionList

        options = app.screen.query_one("#replay-reviews", OptionList)
        shown = str(options.get_option_at_index(0).prompt)
    assert "\\x1b]52" in shown and not has_control(shown)
