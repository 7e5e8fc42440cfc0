"""A held space is one press.

A terminal reports no key release: a held key is a press, then, after the repeat
delay (about 0.5 s), a repeat every ~33 ms. Spaces closer than the repeat window
(``REPEAT_S``, the coding screen's) are repeats and refused. The *first* repeat
comes too late to be told from a second press when it arrives, so it toggles the
clock; only the rapid repeat that follows shows that it was part of a hold. Then its
toggle is undone at its own instant: the clock toggles again with the first repeat's
time, which :class:`observer.live.clock.SessionClock` folds away (no pause of 0 s,
no run of 0 s), so the clock is exactly as if the hold had been one press.

A toggle is a suspect only when the space before it came at most ``HOLD_DELAY_S``
earlier (the longest repeat delay terminals use) with no other key between; and it
is undone only when nothing was recorded since (``seq`` unchanged). A press that no
rapid repeat follows always stands, so two deliberate presses are never merged.
"""

from __future__ import annotations

import attrs

HOLD_DELAY_S = 1.0
"""The longest gap between a press and its first repeat that is taken for a hold."""


@attrs.define
class SpaceHold:
    """Tell it of every space that toggled the clock (``toggled``) and ask it at every
    refused repeat (``first_repeat``)."""

    _suspect: tuple[float, int] | None = None

    def toggled(self, gap: float | None, mono: float, seq: int) -> None:
        """A space at ``mono`` toggled the clock, ``gap`` seconds after the space before
        it (None: another key came between, or none before), leaving the recorder at
        ``seq``."""
        held = gap is not None and 0 <= gap <= HOLD_DELAY_S
        self._suspect = (mono, seq) if held else None

    def other(self) -> None:
        """Any other key: what came before it is no hold."""
        self._suspect = None

    def first_repeat(self, seq: int) -> float | None:
        """A rapid repeat came, the recorder at ``seq``: the time of the toggle to undo
        (the hold's first repeat, taken for a press), once per hold; else None."""
        suspect, self._suspect = self._suspect, None
        if suspect is None or suspect[1] != seq:
            return None
        return suspect[0]
