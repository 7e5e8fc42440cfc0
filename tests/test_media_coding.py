"""``observer code --video``: the coding screen driven by a real headless mpv.

Times: keys go through ``CodingScreen.press(key, mono)`` with the real monotonic
time of the press (the path ``on_key`` takes with ``event.time``), and each event's
time is checked against mpv's own ``time-pos`` read back over IPC.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from support.media import FPS, HEADLESS, make_clip
from support.pilot import attached, until
from textual.widgets import Input

from observer.codebook import load_codebook
from observer.live.recovery import recover
from observer.sessionfile import load_session
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary
from observer.tui.coding.video import VideoControl, parse_time

pytestmark = pytest.mark.video  # the real mpv (and ffmpeg for the clip)

BOOK = load_codebook("cpp-attachment")
FRAME = 1 / FPS


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip"))


def app_for(folder: Path, clip: Path) -> CodingApp:
    video = VideoControl(clip, list(HEADLESS))
    return CodingApp(folder, book=BOOK, dyad="D012", observer="obs1", journals=[], video=video)


async def test_code_from_the_video(tmp_path: Path, clip: Path) -> None:
    app = app_for(tmp_path, clip)
    async with app.run_test() as pilot:
        screen = await attached(pilot)
        video = app.video
        assert video is not None and video.player is not None
        player = video.player
        times: list[tuple[str, float, float]] = []  # (key, mpv's position before, after)

        async def code(char: str) -> None:
            before = float(await player.get("time-pos"))
            screen.press(char, time.monotonic(), char)
            times.append((char, before, float(await player.get("time-pos"))))

        screen.press("space", time.monotonic(), " ")  # starts the session, plays
        await asyncio.sleep(0.5)
        await code("o")
        await code("s")  # a state
        await asyncio.sleep(0.3)
        screen.press("space", time.monotonic(), " ")  # pause the video
        await until(pilot, lambda: player.paused)
        assert "❚❚" in str(screen.status_text())
        await code("o")  # coding on a still frame
        screen.press("f6", time.monotonic())
        await until(pilot, lambda: player.frame is not None and player.model.reported > 0)
        await asyncio.sleep(0.2)
        await code("d")
        screen.press("shift+left", time.monotonic())  # back 5 s (clamped at 0)
        await asyncio.sleep(0.2)
        await code("o")  # before every other event: nothing deleted, sorted in the file
        screen.press("s", time.monotonic(), "s")  # stopping s before its start: refused
        assert "after the playhead" in str(screen.query_one("#prompt").render())
        screen.press("f8", time.monotonic())
        assert player.speed == 2.0
        screen.press("f7", time.monotonic())
        screen.press("f7", time.monotonic())
        assert player.speed == 0.5
        screen.press("ctrl+t", time.monotonic())
        await pilot.pause()
        field = screen.query_one("#goto", Input)
        field.value = "0:03.5"
        await field.action_submit()
        await until(pilot, lambda: abs(player.model.reported - 3.5) <= FRAME)
        assert "playhead → 00:03" in str(screen.query_one("#prompt").render())
        screen.press("space", time.monotonic(), " ")  # play at half speed
        await asyncio.sleep(0.4)
        await code("o")
        screen.press("ctrl+k", time.monotonic())  # sync mark
        screen.press("space", time.monotonic(), " ")
        screen.press("ctrl+e", time.monotonic())
        await until(pilot, lambda: isinstance(app.screen, ConfirmEnd))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Summary))
        await pilot.press("enter")
    [path] = tmp_path.glob("*.json")
    session = load_session(path)
    starts = [e.start for e in session.events]
    assert starts == sorted(starts)
    coded = sorted(times, key=lambda kt: kt[1])
    assert len(session.events) == len(coded)
    for event, (char, before, after) in zip(session.events, coded, strict=True):
        assert BOOK.code_by_id[event.code].key == char
        # pressed between the two reads: within a frame of that span (of the still frame)
        assert before - FRAME - 1e-6 <= event.start <= after + FRAME + 1e-6, event
    state = next(e for e in session.events if e.code == "cg-shares-play")
    assert state.end is not None and state.end >= state.start
    assert session.media is not None
    assert session.media.file == clip.name and session.media.fps == FPS
    assert session.media.offset == 0 and session.media.bytes == clip.stat().st_size
    assert [n.kind for n in session.notes] == ["sync"]
    assert session.pauses == ()
    assert not player.alive and not player.folder.exists()  # mpv quit, socket removed


async def test_mpv_killed_mid_session_loses_nothing(tmp_path: Path, clip: Path) -> None:
    app = app_for(tmp_path, clip)
    async with app.run_test() as pilot:
        screen = await attached(pilot)
        assert app.video is not None and app.video.player is not None
        player = app.video.player
        screen.press("space", time.monotonic(), " ")
        await asyncio.sleep(0.3)
        screen.press("o", time.monotonic(), "o")
        player.process.kill()
        await until(pilot, lambda: not player.alive, timeout=20)
        assert "VIDEO CLOSED" in str(screen.status_text())
        assert "ctrl+o reopens" in str(screen.query_one("#prompt").render())
        stood = screen.session_now()
        await asyncio.sleep(0.2)
        assert screen.session_now() == stood  # the clock stopped
        screen.press("right", time.monotonic())  # refused, says how to reopen
        screen.press("ctrl+o", time.monotonic())
        await until(pilot, lambda: app.video is not None and app.video.alive, timeout=40)
        assert app.video.player is not player
        assert app.video.position(time.monotonic()) == pytest.approx(stood, abs=FRAME)
        assert app.writer is not None
        journal = app.writer.path
        app.exit()
    assert app.close_unfinished() == journal  # as `observer code` does after the app
    recovered = recover(journal)
    assert recovered.session_path is not None
    session = load_session(recovered.session_path)
    assert [e.code for e in session.events] == ["ch-bids"]
    assert session.media is not None and session.media.file == clip.name


async def test_unplayable_video_exits_2(tmp_path: Path) -> None:
    make_clip(tmp_path)  # skips without mpv
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video" * 50)

    app = app_for(tmp_path, bad)
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.result.media_error is not None)
    assert app.return_code == 2
    assert "cannot" in (app.result.media_error or "")
    assert not list(tmp_path.glob("*.journal.jsonl"))


def test_parse_time() -> None:
    assert parse_time("12.5") == 12.5
    assert parse_time("1:02.5") == 62.5
    assert parse_time(" 2:00 ") == 120
    assert parse_time("abc") is None and parse_time("") is None


async def test_the_go_to_field_posts_what_was_typed_and_keys_in_it_are_not_coded(
    tmp_path: Path, clip: Path
) -> None:
    """ctrl+t opens the field (the screen's, asked by the video); escape cancels it, a
    text that is no time is refused under ctrl+t's shown name, a time seeks mpv."""
    app = app_for(tmp_path, clip)
    async with app.run_test() as pilot:
        screen = await attached(pilot)
        assert app.video is not None and app.video.player is not None
        player = app.video.player
        prompt = screen.query_one("#prompt")
        screen.press("space", time.monotonic(), " ")
        await asyncio.sleep(0.3)  # not a held key's repeat
        screen.press("space", time.monotonic(), " ")
        await until(pilot, lambda: player.paused)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: bool(screen.query("#goto")))
        await pilot.press("escape")
        await until(pilot, lambda: not screen.query("#goto"))
        assert "go to time cancelled" in str(prompt.render())
        await pilot.press("ctrl+t")
        await until(pilot, lambda: bool(screen.query("#goto")))
        await pilot.press("o", "f5", "enter")  # typed into the field, none of them coded
        await until(pilot, lambda: not screen.query("#goto"))
        assert "^t" in str(prompt.render()) and "not a time: 'o'" in str(prompt.render())
        await pilot.press("ctrl+t")
        await until(pilot, lambda: bool(screen.query("#goto")))
        await pilot.press("2", "full_stop", "5", "enter")
        await until(pilot, lambda: not screen.query("#goto"))
        await until(pilot, lambda: abs(player.model.reported - 2.5) <= FRAME)
        assert "playhead → 00:02" in str(prompt.render())
        assert screen.recorder.events == []
