"""Session times as people read and type them: ``m:ss.s``, ``h:mm:ss``."""

from __future__ import annotations

import math
import re

_CLOCK = re.compile(r"\s*(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d*)?|\.\d+)\s*")


def format_clock(t: float, *, decimals: int = 1) -> str:
    """``75.25`` → ``1:15.2``; an hour or more → ``1:02:03.0``. Never rounds up past t."""
    scale = 10**decimals
    total = math.floor(max(t, 0.0) * scale + 1e-6) / scale
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    width = 2 + (decimals + 1 if decimals else 0)
    sec = f"{seconds:0{width}.{decimals}f}"
    if hours:
        return f"{int(hours)}:{int(minutes):02d}:{sec}"
    return f"{int(minutes)}:{sec}"


def parse_clock(text: str) -> float:
    """``"90"``, ``"1:30"``, ``"1:30.5"``, ``"0:01:30"`` → seconds; ValueError otherwise."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a time (use m:ss, for example 12:30)")
    hours, minutes, seconds = match.groups()
    if (hours or minutes) and float(seconds) >= 60:
        raise ValueError(f"{text.strip()!r}: seconds must be below 60")
    if hours and int(minutes) >= 60:
        raise ValueError(f"{text.strip()!r}: minutes must be below 60")
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)
