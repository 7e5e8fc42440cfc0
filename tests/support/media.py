"""Test media: a short clip made at test time by ffmpeg, and a headless mpv.

The clip is ffmpeg's ``testsrc`` pattern (it draws a frame counter) at 25 fps,
nothing large is committed. ``require_mpv()`` skips with a reason where mpv or
ffmpeg is missing (CI installs both).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FPS = 25
SECONDS = 8
HEADLESS = ["--vo=null", "--ao=null"]
HEADLESS_ARGS = "--vo=null --ao=null"


def require_mpv() -> None:
    for tool in ("mpv", "ffmpeg"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install mpv ffmpeg)")


def make_clip(folder: Path, seconds: int = SECONDS, fps: int = FPS, name: str = "clip.mp4") -> Path:
    """An H.264 clip of ``seconds`` s at ``fps`` with a frame counter, every frame a keyframe
    (so exact seeks and back-steps are instant)."""
    require_mpv()
    path = folder / name
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-f", "lavfi",
            "-i", f"testsrc=duration={seconds}:size=160x120:rate={fps}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "1", "-pix_fmt", "yuv420p",
            str(path),
        ],
        check=True,
    )  # fmt: skip
    return path
