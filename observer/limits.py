"""Limits and types shared by the file formats and the command line, importing
nothing: the command line's options and the codebook's model read them without
loading the structuring code (cattrs)."""

from __future__ import annotations

MAX_SECONDS = 7 * 24 * 3600
"""The longest time observer accepts anywhere (a session, a segment, a tolerance, a
pause): one week in seconds. Nothing observed comes near it; a larger number in a
file is refused when it is read, so it can never overflow a computation later."""

Number = int | float
"""A JSON number: an int stays an int (so ``1`` is not rewritten as ``1.0``)."""
