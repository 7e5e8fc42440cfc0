"""observer's stylesheets, one per screen family, so that an app's first frame parses
only its own: ``coding.tcss`` (the coding screen, the colours of observer code's
screens, the touch layout), ``coding-screens.tcss`` (observer code's other screens:
each names it as its ``CSS_PATH``, read when the first of them opens),
``replay.tcss`` and ``consensus.tcss``. Every colour is in these files (from the
theme's variables), never in Python."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent

CODING = _HERE / "coding.tcss"
CODING_SCREENS = _HERE / "coding-screens.tcss"
REPLAY = _HERE / "replay.tcss"
CONSENSUS = _HERE / "consensus.tcss"
