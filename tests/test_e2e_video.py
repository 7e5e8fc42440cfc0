"""End to end in a real terminal (tmux): ``observer code --video`` with a real headless
mpv, coding from a clip with pauses, a seek, a frame step and a speed change. Each event's
time must be the video position at which its key arrived, read independently from mpv
over its IPC socket right after the key was sent (within one frame)."""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

import orjson
import pytest
from support.media import FPS, HEADLESS_ARGS, make_clip
from support.tmuxdriver import Tmux, save_ratings_and_exit

from observer.codebook import load_codebook
from observer.sessionfile import load_session

pytestmark = [pytest.mark.tmux, pytest.mark.video]
FRAME = 1 / FPS
BOOK = load_codebook("cpp-attachment")


class Probe:
    """A second IPC client of the app's mpv: its position, independently of observer."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(str(path))
        self.buffer = b""
        self.rid = 1000

    def get(self, name: str) -> object:
        self.rid += 1
        self.sock.sendall(
            orjson.dumps({"command": ["get_property", name], "request_id": self.rid}) + b"\n"
        )
        while True:
            while b"\n" not in self.buffer:
                self.buffer += self.sock.recv(65536)
            line, self.buffer = self.buffer.split(b"\n", 1)
            message = orjson.loads(line)
            if message.get("request_id") == self.rid:
                return message.get("data")


def test_code_from_a_clip_in_a_terminal(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, seconds=10)
    # The app's temporary folder, short enough for a socket (pytest's can be too long:
    # observer then falls back to /tmp, where this test would not find it).
    private = Path(tempfile.mkdtemp(prefix="obs-e2e-", dir="/tmp"))
    try:
        run_session(tmp_path, clip, private)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def run_session(tmp_path: Path, clip: Path, private: Path) -> None:
    sessions = tmp_path / "sessions"
    argv = [sys.executable, "-m", "observer", "code", "--codebook", "cpp-attachment",
            "--dyad", "D012", "--observer", "obs1", "--session-dir", str(sessions),
            "--video", str(clip)]  # fmt: skip
    env = {"TMPDIR": str(private), "OBSERVER_MPV_ARGS": HEADLESS_ARGS}
    sent: list[tuple[str, float, float]] = []  # (code key, mpv's position before and after)
    with Tmux(width=100, height=30) as term:
        term.start(argv, env=env)
        term.wait_for("press space")
        term.wait_until(lambda s: "f0" in s, what="the video open", timeout=30)  # frame shown
        [sock] = private.glob("observer-mpv-*/ipc.sock")
        assert (sock.stat().st_mode & 0o777) == 0o600
        assert (sock.parent.stat().st_mode & 0o777) == 0o700
        probe = Probe(sock)

        def code(key: str) -> None:
            before = float(probe.get("time-pos"))  # type: ignore[arg-type]
            term.send_keys(key)
            sent.append((key, before, float(probe.get("time-pos"))))  # type: ignore[arg-type]

        term.send_keys("Space")  # start and play
        term.wait_for("RUNNING")
        time.sleep(0.7)
        code("o")
        time.sleep(0.3)
        code("s")
        term.send_keys("Space")  # pause
        term.wait_until(lambda s: probe.get("pause") is True, what="mpv paused")
        time.sleep(0.1)
        code("o")  # on a still frame
        before = float(probe.get("time-pos"))  # type: ignore[arg-type]
        term.send_keys("F6")  # one frame forward
        term.wait_until(lambda s: float(probe.get("time-pos")) > before, what="a frame step")  # type: ignore[arg-type]
        code("d")
        term.send_keys("Left")  # back 1 s
        term.wait_until(lambda s: float(probe.get("time-pos")) < before - 0.5, what="a seek back")  # type: ignore[arg-type]
        code("o")
        term.send_keys("F8")  # 2x
        term.wait_until(lambda s: probe.get("speed") == 2.0, what="speed 2x")
        term.send_keys("Space")  # play
        term.wait_until(lambda s: probe.get("pause") is False, what="mpv playing")
        time.sleep(0.5)
        code("o")
        term.send_keys("Space")
        term.wait_for(r"saved 7\b", regex=True)  # clock start + 6 codes, all on disk
        term.send_keys("C-e")
        term.wait_for("End the session")
        term.send_keys("Enter")
        term.wait_for("Ratings")
        save_ratings_and_exit(term)
    assert not list(private.iterdir())  # the socket folder is removed at exit
    [path] = sessions.glob("*.json")
    session = load_session(path)
    keys = sorted(sent, key=lambda k: k[1])
    assert [BOOK.code_by_id[e.code].key for e in session.events] == [k for k, _, _ in keys]
    for event, (_, before, after) in zip(session.events, keys, strict=True):
        # The key arrived between the two reads: its stamp is within a frame of that span
        # (a still frame: before == after, so within one frame of the frame shown).
        assert before - FRAME - 1e-6 <= event.start <= after + FRAME + 1e-6, (event, before, after)
    assert session.media is not None and session.media.file == "clip.mp4"
