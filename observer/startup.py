"""Start-up of the terminal apps: no garbage collection before the first frame.

Starting a Textual app creates some hundred thousand objects (textual's modules,
the stylesheet, the widgets), and the collector would walk them again and again
while they are made: about a seventh of the time to the first frame. The commands
that start an app call :func:`hold_collection` before textual is imported; the app
calls :func:`release_collection` once its first frame is out, which moves every
object alive by then into a generation the collector no longer visits and turns
collection back on. Where collection was never held (tests, other programs
embedding an app), both leave the collector alone.
"""

from __future__ import annotations

import gc

_held = False


def hold_collection() -> None:
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collection() -> None:
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
