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


def parse_span(
    text: str, state: bool, around: tuple[float, float | None] | None = None
) -> tuple[float, float | None]:
    """``"1:02.5"`` (a point) or ``"1:02.5-1:04"`` (a state bout) → (start, end).

    With ``around`` (an event's start and end), ``"+0.5"`` or ``"-1.2"`` shifts both
    by that many seconds instead. ValueError with a message for the reviewer otherwise.
    """
    stripped = text.strip()
    if around is not None and stripped and stripped[0] in "+-":
        try:
            shift = float(stripped)
        except ValueError:
            raise ValueError(f"{stripped!r} is not a shift in seconds (for example +0.5)") from None
        start, end = around
        return start + shift, None if end is None else end + shift
    if not state:
        return parse_clock(stripped), None
    first, sep, second = stripped.partition("-")
    if not sep:
        raise ValueError("give start and end, for example 1:02.5-1:04 (or a shift: +0.5)")
    return parse_clock(first), parse_clock(second)
