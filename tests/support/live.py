"""Shared helpers for the live-coding core tests: session metadata and a recorder of
the mini codebook (``support.minibook``).

No tests here: the ``test_live_*`` modules import from it.
"""

from __future__ import annotations

from typing import Any

from observer.live.recorder import Recorder, SessionMeta
from support.minibook import book

META = SessionMeta("20261122T101503Z-D012-obs1", "D012", "obs1", "test")


def recorder(sink: Any = None) -> Recorder:
    return Recorder(book(), META, sink)
