"""The session clock as large digits (or one line where there is no room)."""

from __future__ import annotations

import math

from textual.widgets import Digits


def format_clock(t: float) -> str:
    """Session seconds as ``mm:ss.t`` (minutes keep counting past 59), truncated, never rounded
    up, so the display never shows a tenth that has not yet begun."""
    tenths = max(0, math.floor(t * 10 + 1e-6))
    minutes, rest = divmod(tenths, 600)
    seconds, tenth = divmod(rest, 10)
    return f"{minutes:02d}:{seconds:02d}.{tenth}"


class ClockDisplay(Digits):
    """``mm:ss.t`` in 3-row digits; the stylesheet may shrink it to one row."""

    def show(self, t: float) -> None:
        text = format_clock(t)
        if text != self.value:
            self.update(text)
