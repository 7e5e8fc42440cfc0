"""The mpv client against the real mpv (headless), on a clip made by ffmpeg."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support.media import FPS, HEADLESS, make_clip, require_mpv

from observer.media.identity import MIB, head_tail_sha256, mime_type
from observer.media.mpv import MediaError, Player, mpv_args, sweep_stale_folders
from observer.media.position import PositionModel

pytestmark = pytest.mark.video  # the real mpv (and ffmpeg for the clip)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip"))


async def until(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_open_observe_seek_step_speed_close(clip: Path) -> None:
    async def steps(player: Player) -> None:
        folder = player.folder
        sock = folder / "ipc.sock"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        assert player.paused and player.duration == pytest.approx(8.0, abs=0.05)
        await until(lambda: player.fps is not None)
        assert player.fps == pytest.approx(FPS)
        await player.seek(3.0)
        await until(lambda: player.frame == 75)
        assert await player.get("time-pos") == pytest.approx(3.0, abs=0.001)
        await player.frame_step()
        await until(lambda: player.frame == 76)
        assert player.position(time.monotonic()) == pytest.approx(3.04, abs=0.001)
        await player.frame_step(back=True)
        await until(lambda: player.frame == 75)
        await player.set_speed(500)
        assert player.speed == 100.0
        await player.set_speed(0.5)
        await player.set_pause(False)
        await asyncio.sleep(0.6)
        now = time.monotonic()
        truth = await player.get("time-pos")
        assert player.position(now) == pytest.approx(truth, abs=0.05)
        assert 3.15 < truth < 3.5  # half speed

    player = await Player.start(clip, HEADLESS)
    try:
        await steps(player)
    finally:
        await player.close()
    assert not player.folder.exists()


async def test_killed_mpv_stops_the_clock(clip: Path) -> None:
    player = await Player.start(clip, HEADLESS)
    exits: list[bool] = []
    player.on_exit = lambda: exits.append(True)
    await player.set_pause(False)
    await asyncio.sleep(0.3)
    player.process.kill()
    await until(lambda: not player.alive)
    assert exits == [True] and player.paused
    at = player.position(time.monotonic())
    await asyncio.sleep(0.2)
    assert player.position(time.monotonic()) == at
    with pytest.raises(MediaError, match="reopen"):
        await player.seek(1.0)
    await player.close()
    assert not player.folder.exists()


async def test_unplayable_file_and_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_mpv()
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    bad = tmp_path / "notes.mp4"
    bad.write_bytes(b"this is not a video\n" * 100)

    with pytest.raises(MediaError, match="cannot"):
        await Player.start(bad, HEADLESS)
    with pytest.raises(MediaError, match="cannot read"):
        await Player.start(tmp_path / "absent.mp4", HEADLESS)
    assert not list(private.iterdir())  # no socket folder left behind


async def test_no_mpv_and_no_display(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)

    with pytest.raises(MediaError, match="no display"):
        await Player.start(clip, [])
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MediaError, match="mpv is not installed"):
        await Player.start(clip, HEADLESS)


def test_socket_folder_falls_back_to_tmp_when_too_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from observer.media.mpv import _private_folder

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    folder = _private_folder()
    try:
        assert folder.parent == Path("/tmp") and stat.S_IMODE(folder.stat().st_mode) == 0o700
    finally:
        folder.rmdir()


def test_mpv_args_from_option_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSERVER_MPV_ARGS", "--vo=null --ao='null'")
    assert mpv_args(None) == ["--vo=null", "--ao=null"]
    assert mpv_args("--mute") == ["--mute"]
    with pytest.raises(MediaError):
        mpv_args("'unclosed")


def test_position_model_extrapolates_while_playing() -> None:
    m = PositionModel(duration=10.0)
    m.report(2.0, 100.0)
    assert m.at(101.0) == 2.0  # paused
    m.set_paused(False, 100.0)
    assert m.at(101.5) == pytest.approx(3.5)
    m.set_speed(0.5, 101.5)
    assert m.at(103.5) == pytest.approx(4.5)
    m.seek(9.9, 103.5)
    assert m.at(200.0) == 10.0
    m.set_paused(True, 200.0)
    assert m.at(300.0) == 10.0


def test_position_model_counts_whole_frames_when_it_knows_the_rate() -> None:
    m = PositionModel(fps=25.0, paused=False)
    m.report(1.0, 50.0)  # the frame at 1.00 s is shown from 50.0
    assert m.at(50.039) == 1.0  # still that frame
    assert m.at(50.040) == pytest.approx(1.04)
    m.set_speed(0.5, 50.0)
    assert m.at(50.079) == 1.0 and m.at(50.081) == pytest.approx(1.04)


def test_head_tail_hash(tmp_path: Path) -> None:
    import hashlib

    small = tmp_path / "a.mp4"
    small.write_bytes(b"x" * 1000)
    assert head_tail_sha256(small) == (
        1000,
        hashlib.sha256((1000).to_bytes(8, "big") + b"x" * 1000).hexdigest(),
    )
    big = tmp_path / "b.mkv"
    body = b"a" * MIB + b"middle" + b"z" * MIB
    big.write_bytes(body)
    size = len(body)
    expect = hashlib.sha256(size.to_bytes(8, "big") + b"a" * MIB + b"z" * MIB).hexdigest()
    assert head_tail_sha256(big) == (size, expect)
    assert mime_type("x.MP4") == "video/mp4" and mime_type("b.mkv") == "video/x-matroska"


KEEPER = """
import asyncio, sys
from pathlib import Path
from observer.media.mpv import Player

async def main():
    player = await Player.start(Path(sys.argv[1]), sys.argv[2:])
    print(player.process.pid, player.folder, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
async def test_mpv_dies_with_a_killed_observer_and_its_folder_is_swept(clip: Path) -> None:
    keeper = subprocess.Popen(
        [sys.executable, "-c", KEEPER, str(clip), *HEADLESS],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert keeper.stdout is not None
    pid_text, folder_text = keeper.stdout.readline().split(maxsplit=1)
    mpv_pid, folder = int(pid_text), Path(folder_text.strip())
    assert _alive(mpv_pid) and folder.is_dir()
    assert f"-{keeper.pid}-" in folder.name  # the owner's pid, for the sweep
    keeper.kill()
    keeper.wait()
    deadline = time.monotonic() + 10.0
    while _alive(mpv_pid):
        assert time.monotonic() < deadline, "mpv outlived the killed observer"
        time.sleep(0.02)
    assert folder.is_dir()  # nobody was left to remove it ...

    player = await Player.start(clip, HEADLESS)
    await player.close()
    assert not folder.exists()  # ... so the next start does


def test_sweep_keeps_folders_of_living_owners(tmp_path: Path) -> None:
    living = tmp_path / f"observer-mpv-{os.getpid()}-abc"
    dead = tmp_path / "observer-mpv-999999999-abc"
    other = tmp_path / "observer-mpv-notapid"
    for folder in (living, dead, other):
        folder.mkdir(mode=0o700)
    (dead / "ipc.sock").write_bytes(b"")
    sweep_stale_folders(tmp_path)
    assert living.is_dir() and other.is_dir() and not dead.exists()


async def test_a_frame_step_right_after_a_seek_is_not_lost(clip: Path) -> None:
    """Sent while mpv is still seeking, a step was swallowed by the seek (the screen
    showed the frame the seek went to, not the next one): it waits for the seek's frame."""
    player = await Player.start(clip, HEADLESS)
    try:
        await until(lambda: player.fps is not None)
        for second, frame in ((3.0, 76), (5.0, 126), (1.0, 26)):
            player.seek(second)
            await player.frame_step()  # at once: the seek has not shown its frame yet
            await until(lambda frame=frame: player.frame == frame, timeout=5.0)
            player.seek(second)
            await player.frame_step(back=True)
            await until(lambda frame=frame: player.frame == frame - 2, timeout=5.0)
    finally:
        await player.close()
