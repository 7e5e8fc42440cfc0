"""``observer replay --video``: the replay screen with a real headless mpv; every jump
seeks mpv (read back over IPC), and while playing mpv's position drives the playhead."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import attrs
import pytest
from support.media import FPS, HEADLESS, make_clip
from support.pilot import until
from support.replay import small_session

from observer.media.follow import VideoPlayhead
from observer.media.mpv import Player
from observer.sessionfile import Note, write_session
from observer.tui.replay.app import ReplayApp
from observer.tui.replay.screen import ReplayScreen
from observer.tui.replay.video import ReplayVideo

pytestmark = pytest.mark.video  # the real mpv (and ffmpeg for the clip)

FRAME = 1 / FPS


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip"))


async def mpv_position(screen: ReplayScreen) -> float:
    """mpv's own ``time-pos``, read over IPC once the seek has landed."""
    playhead = screen.playhead
    assert isinstance(playhead, VideoPlayhead)
    return float(await playhead.player.command("get_property", "time-pos"))


async def test_jumps_to_disagreements_seek_mpv(tmp_path: Path, clip: Path) -> None:
    a = attrs.evolve(small_session(), notes=(Note(1.0, "x"),))
    path = write_session(tmp_path, a)
    events = list(a.events)
    events[1] = attrs.evolve(events[1], code="ch-approach")  # disagreement at 1.0
    del events[3]  # omission at 3.0
    b = attrs.evolve(a, id="S1-D001-obs2", observer="obs2", events=tuple(events))
    video = ReplayVideo(clip, list(HEADLESS), offset=2.0)
    app = ReplayApp(path, a, other=b, config=tmp_path / "c.json", video=video)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.replay
        await until(pilot, lambda: isinstance(screen.playhead, VideoPlayhead))
        for expect in (1.0, 3.0):
            await pilot.press("d")
            assert screen.playhead.time() == expect
            assert video.player is not None

            def landed(p: Player = video.player, e: float = expect) -> bool:
                return abs(p.model.reported - (e + 2.0)) < 1e-6

            await until(pilot, landed)
            assert await mpv_position(screen) == pytest.approx(expect + 2.0, abs=FRAME / 2)
        await pilot.press("D")
        assert await mpv_position(screen) == pytest.approx(3.0, abs=FRAME / 2)
        # play: mpv's position drives the playhead
        await pilot.press("space")
        await asyncio.sleep(0.6)
        assert screen.playhead.playing
        mono = time.monotonic()
        media = await mpv_position(screen)
        assert screen.playhead.time() + 2.0 == pytest.approx(media, abs=2 * FRAME)
        await pilot.press("greater_than_sign")  # faster: mpv too
        assert video.player is not None
        await until(pilot, lambda: video.player.speed == 2.0)  # type: ignore[union-attr]
        assert await video.player.get("speed") == 2.0
        await pilot.press("space")
        await until(pilot, lambda: video.player.paused)  # type: ignore[union-attr]
        assert await video.player.get("pause") is True
        assert mono > 0
        player = video.player
    assert not player.alive and not player.folder.exists()


async def test_offset_defaults_and_unplayable_video(tmp_path: Path, clip: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"nothing" * 100)
    path = write_session(tmp_path, small_session())
    app = ReplayApp(path, small_session(), video=ReplayVideo(bad, list(HEADLESS), 0.0))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.media_error is not None)
    assert app.return_code == 2 and "cannot" in (app.media_error or "")


async def test_frame_steps_with_the_video_and_a_refusal_without(tmp_path: Path, clip: Path) -> None:
    """F6, F6, F5 on a paused video: mpv steps frame by frame and the playhead lands on
    each frame's time (one frame past where it was, then two, then one); playing, the
    step is refused; the hints line names the video's keys."""
    path = write_session(tmp_path, small_session())
    video = ReplayVideo(clip, list(HEADLESS), offset=0.0)
    app = ReplayApp(path, small_session(), config=tmp_path / "c.json", video=video)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = app.replay
        await until(pilot, lambda: isinstance(screen.playhead, VideoPlayhead))
        playhead = screen.playhead
        assert isinstance(playhead, VideoPlayhead)
        await until(pilot, lambda: video.player is not None and video.player.fps is not None)
        hints = str(screen.query_one("#replay-hints").render())
        assert "F5 F6 frame" in hints
        start = playhead.frame()
        assert start is not None
        for key, expect in (("f6", 1), ("f6", 2), ("f5", 1)):
            await pilot.press(key)

            def stepped(e: int = expect, first: int = start) -> bool:
                return playhead.frame() == first + e

            await until(pilot, stepped)
            assert await mpv_position(screen) == pytest.approx(playhead.time(), abs=FRAME / 2)
            status = str(screen.query_one("#replay-status").render())
            assert f"frame {start + expect}" in status
        await pilot.press("space")  # playing: a frame step is refused
        assert await playhead.step_frame(back=False) is not None


async def test_frame_keys_without_a_video_say_what_is_needed(tmp_path: Path) -> None:
    path = write_session(tmp_path, small_session())
    app = ReplayApp(path, small_session(), config=tmp_path / "c.json")
    async with app.run_test(size=(140, 30)) as pilot:
        before = app.replay.playhead.time()
        await pilot.press("f6")
        await pilot.pause()
        assert app.replay.playhead.time() == before
        assert "F5 F6" not in str(app.replay.query_one("#replay-hints").render())
