"""``--video`` failure paths at the command line: exit 2, one line saying what to do,
nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.clirun import run
from support.media import make_clip
from support.replay import small_file

pytestmark = pytest.mark.video  # the real mpv (and ffmpeg for the clip)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path, seconds=1)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


CODE = ["code", "--dyad", "D1", "--observer", "o1"]


def test_no_mpv(
    tmp_path: Path, clip: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    sessions = tmp_path / "s"
    code, _, err = run([*CODE, "--session-dir", str(sessions), "--video", str(clip)], capsys)
    assert code == 2 and "mpv is not installed: install it" in one_line(err)
    code, _, err = run(["replay", str(small_file(tmp_path)), "--video", str(clip)], capsys)
    assert code == 2 and "mpv is not installed" in one_line(err)
    assert not sessions.exists() or not list(sessions.iterdir())


def test_no_display(
    tmp_path: Path, clip: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("OBSERVER_MPV_ARGS", raising=False)
    code, _, err = run([*CODE, "--session-dir", str(tmp_path), "--video", str(clip)], capsys)
    assert code == 2 and "--mpv-args '--vo=null'" in one_line(err)
    monkeypatch.setenv("OBSERVER_MPV_ARGS", "--vo=null --ao=null")  # headless is fine
    code, _, err = run([*CODE, "--video", str(tmp_path / "missing.mp4")], capsys)
    assert code == 2 and "cannot read the video file" in one_line(err)


def test_replay_bad_offset(tmp_path: Path, clip: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = small_file(tmp_path)
    code, _, err = run(["replay", str(path), "--video", str(clip), "--offset", "nan"], capsys)
    assert code == 2 and "--offset" in err
