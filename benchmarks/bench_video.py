"""``--video``: how exactly a key is stamped with the video position, how fast a replay
jump reaches mpv, and whether the replay playhead drifts from the picture (budgets:
one frame at 30 fps, p99; 150 ms).

The real mpv (headless: ``--vo=null --ao=null``) plays a 30 fps clip made by ffmpeg.

- *Key stamp error*: at a key's arrival (``mono``) the program's time is the playhead
  model's ``position(mono)`` (observer.media.position). The true position is the time
  of the frame mpv shows then, read over IPC at once (``time-pos``).
  ``busy``: the event loop is also kept busy (15 ms bursts, most of the time), as a
  redrawing screen would, so mpv's reports are read late.
- *Replay jump*: a ``VideoPlayhead.seek`` to a frame, until mpv reports that position.
- *Drift*: the replay playhead against mpv's position after playing at 1× (10 minutes;
  20 s with ``--quick``), beside what a playhead on the monotonic clock alone would show.
- *mpv after a kill*: the process that started mpv is SIGKILLed; how long mpv still runs
  (five kills, the worst; Linux only).

Usage: ``python -m benchmarks.bench_video [--quick]``.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import budget_row, percentile, process_runs, row, scratch_dir
from observer.media.follow import VideoPlayhead
from observer.media.mpv import Player
from observer.replay.playhead import Playhead

FPS = 30
FRAME_MS = 1000 / FPS
"""One frame (a stamp exactly one frame off is within one frame: the comparison allows
floating-point error)."""
JUMP_BUDGET_MS = 150.0
HEADLESS = ["--vo=null", "--ao=null"]


def _clip(folder: Path, seconds: int) -> Path:
    path = folder / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"testsrc=duration={seconds}:size=160x120:rate={FPS}",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", str(FPS), "-pix_fmt", "yuv420p",
         str(path)],
        check=True,
    )  # fmt: skip
    return path


async def _truth(player: Player, mono: float) -> float:
    """The time of the frame mpv shows at ``mono`` (asked at once: well under 1 ms later,
    so a frame change in between is rare and counts against us)."""
    del mono
    return float(await player.get("time-pos"))


async def _busy(stop: asyncio.Event) -> None:
    while not stop.is_set():
        end = time.monotonic() + 0.015
        while time.monotonic() < end:
            pass
        await asyncio.sleep(0.003)


async def _stamps(player: Player, speed: float, busy: bool, keys: int) -> list[float]:
    await player.seek(0.5)
    await player.set_speed(speed)
    await player.set_pause(False)
    stop = asyncio.Event()
    hog = asyncio.create_task(_busy(stop)) if busy else None
    errors = []
    try:
        await asyncio.sleep(0.5)
        for _ in range(keys):
            await asyncio.sleep(random.uniform(0.02, 0.12))
            mono = time.monotonic()
            recorded = player.position(mono)
            errors.append((recorded - await _truth(player, mono)) * 1000)
    finally:
        stop.set()
        if hog is not None:
            await hog
        await player.set_pause(True)
    return errors


async def _jumps(player: Player, duration: float, n: int) -> list[float]:
    playhead = VideoPlayhead(duration, player)
    heard: list[float] = []
    player.on_change = lambda name: heard.append(time.monotonic()) if name == "time-pos" else None
    out = []
    for _ in range(n):
        frame = random.randrange(int(duration * FPS) - FPS)
        target = frame / FPS
        heard.clear()
        start = time.monotonic()
        playhead.seek(target)
        while not (heard and abs(player.model.reported - target) < 0.5 / FPS):
            await asyncio.sleep(0.001)
        out.append((heard[-1] - start) * 1000)
        heard.clear()
    player.on_change = None
    return out


async def _drift(player: Player, duration: float, seconds: float) -> tuple[float, float]:
    playhead = VideoPlayhead(duration, player)
    plain = Playhead(duration)
    playhead.seek(0.0)
    await player.seek(0.0)
    playhead.play()
    plain.play()
    await asyncio.sleep(seconds)
    mono = time.monotonic()
    truth = await _truth(player, mono)
    followed, alone = playhead.time(), plain.time()
    playhead.pause()
    return (followed - truth) * 1000, (alone - truth) * 1000


async def _measure(path: Path, quick: bool, seconds: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    keys = 60 if quick else 300
    player = await Player.start(path, HEADLESS)
    try:
        for speed in (1.0, 0.5):
            for busy in (False, True):
                errors = await _stamps(player, speed, busy, keys)
                abs_errors = [abs(e) for e in errors]
                p50, p99 = percentile(abs_errors, 50), percentile(abs_errors, 99)
                exact = 100 * sum(e < 1.0 for e in abs_errors) / len(abs_errors)
                label = "busy" if busy else "idle"
                rows.append(
                    budget_row(
                        f"--video: recorded − video position at the key, {speed:g}×, {label} (p99)",
                        p99, FRAME_MS, "ms",
                        f"|error| p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(errors)} keys;"
                        f" on the frame shown {exact:.0f}% of keys;"
                        f" signed median {percentile(errors, 50):+.1f} ms; one frame at 30 fps"
                        f" = {FRAME_MS:.1f} ms",
                    )
                )  # fmt: skip
        jumps = await _jumps(player, float(seconds), 20 if quick else 100)
        p50, p99 = percentile(jumps, 50), percentile(jumps, 99)
        rows.append(
            budget_row(
                "--video: replay jump to mpv reporting the new position (p99)",
                p99, JUMP_BUDGET_MS, "ms",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(jumps)} exact seeks"
                f" (keyframe every {FPS} frames)",
            )
        )  # fmt: skip
        play_s = 20.0 if quick else 600.0
        followed, alone = await _drift(player, float(seconds), play_s)
        rows.append(
            budget_row(
                f"--video: replay playhead − video after {play_s:g} s at 1×",
                abs(followed), FRAME_MS, "ms",
                f"following mpv {followed:+.1f} ms; a playhead on the monotonic clock alone"
                f" {alone:+.1f} ms",
            )
        )  # fmt: skip
    finally:
        await player.close()
    return rows


KEEPER = """
import asyncio, sys
from pathlib import Path
from observer.media.mpv import Player

async def main():
    player = await Player.start(Path(sys.argv[1]), sys.argv[2:])
    print(player.process.pid, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""
DEATH_BUDGET_MS = 100.0


def _mpv_life_after_kill(path: Path) -> dict[str, Any]:
    """SIGKILL the process that started mpv; how long mpv still runs (Linux: /proc)."""
    if not sys.platform.startswith("linux"):
        return row(
            "--video: mpv's life after SIGKILL of observer", None, "-", "", None, "Linux only"
        )
    lives: list[float] = []
    for _ in range(5):
        keeper = subprocess.Popen(
            [sys.executable, "-c", KEEPER, str(path), *HEADLESS], stdout=subprocess.PIPE, text=True
        )
        assert keeper.stdout is not None
        pid = int(keeper.stdout.readline())
        start = time.monotonic()
        keeper.kill()
        keeper.wait()
        while process_runs(pid) and time.monotonic() - start < 30.0:
            time.sleep(0.001)
        lives.append((time.monotonic() - start) * 1000)
    worst = max(lives)
    return row(
        "--video: mpv's life after SIGKILL of observer (worst)",
        round(worst, 1), f"<= {DEATH_BUDGET_MS:g} ms", "ms", worst <= DEATH_BUDGET_MS,
        f"over {len(lives)} kills: " + ", ".join(f"{life:.1f}" for life in lives) + " ms",
    )  # fmt: skip


def run(quick: bool = False) -> list[dict[str, Any]]:
    if shutil.which("mpv") is None or shutil.which("ffmpeg") is None:
        return [row("--video benchmarks", None, "-", "", None, "skipped: mpv or ffmpeg missing")]
    seconds = 40 if quick else 660
    with scratch_dir("video") as folder:
        path = _clip(folder, seconds)
        rows = asyncio.run(_measure(path, quick, seconds))
        rows.append(_mpv_life_after_kill(path))
        return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "video", *sys.argv[1:]]))
