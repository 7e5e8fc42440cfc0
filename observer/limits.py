"""Limits shared by the file formats and the command line, importing nothing: the
command line's options read them at start-up without loading the structuring code."""

from __future__ import annotations

MAX_SECONDS = 7 * 24 * 3600
"""The longest time observer accepts anywhere (a session, a segment, a tolerance, a
pause): one week in seconds. Nothing observed comes near it; a larger number in a
file is refused when it is read, so it can never overflow a computation later."""
