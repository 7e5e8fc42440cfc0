"""The garbage collector during a long session: full collections that stay short.

A full collection (generation 2) walks every object the collector tracks. Coding
adds objects that live as long as the session (its events, their log rows), so at
50,000 events one full collection took 76 ms (measured with ``gc.callbacks`` under
``python -m benchmarks``'s coding screen), holding the interpreter lock all that
time: the input thread could not log a key, the screen could not handle it, the
journal writer could not acknowledge it. :func:`freeze_survivors` makes every full
collection end by moving what survived it into the generation the collector never
visits (``gc.freeze``), so the next one walks only what was made since: its cost
follows the coding of the last minutes, not of the whole session. What was alive
at a full collection and becomes cyclic garbage later is kept until
:func:`thaw` (the app's end) gives it back; objects that die without a cycle are
freed at once as always.

:func:`held` is for a command that makes one large batch of objects that all live
until it ends (``observer import`` reading 100,000 events): no collection at all while
it runs, since each would only walk the batch again and find nothing to free.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any


def _freeze_after_full(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def freeze_survivors() -> None:
    """From now on every full collection freezes what survived it."""
    if _freeze_after_full not in gc.callbacks:
        gc.callbacks.append(_freeze_after_full)


def thaw() -> None:
    """Stop freezing, and give every frozen object back to the collector."""
    while _freeze_after_full in gc.callbacks:
        gc.callbacks.remove(_freeze_after_full)
    gc.unfreeze()


@contextlib.contextmanager
def held() -> Iterator[None]:
    """No garbage collection inside the block (left as it was where it was already off).

    What the block makes with a reference cycle is freed by the first collection after
    it, so a block must not make much cyclic garbage."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
