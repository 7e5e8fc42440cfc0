"""Shared helpers for the live-coding core tests (a small synthetic codebook).

No tests here: the ``test_live_*`` modules import from it.
"""

from __future__ import annotations

from typing import Any

from observer.codebook import Codebook, codebook_from_data
from observer.live.recorder import Recorder, SessionMeta

BOOK: dict[str, Any] = {
    "schema": "observer.codebook/1",
    "id": "live-test",
    "version": "1.0.0",
    "title": "Live test codebook",
    "actors": [{"id": "caregiver", "label": "Caregiver"}, {"id": "child", "label": "Child"}],
    "groups": [
        {"id": "proximity", "label": "Proximity", "exclusive": True},
        {"id": "affect", "label": "Affect"},
    ],
    "codes": [
        {
            "id": "ch-approach",
            "label": "Approach",
            "group": "proximity",
            "actor": "child",
            "kind": "state",
            "key": "a",
            "modifiers": ["intensity"],
        },
        {
            "id": "ch-avoid",
            "label": "Avoid",
            "group": "proximity",
            "actor": "child",
            "kind": "state",
            "key": "v",
        },
        {
            "id": "cg-near",
            "label": "Near",
            "group": "proximity",
            "actor": "caregiver",
            "kind": "state",
            "key": "n",
        },
        {
            "id": "ch-cry",
            "label": "Cry",
            "group": "affect",
            "actor": "child",
            "kind": "state",
            "key": "c",
        },
        {
            "id": "cg-praise",
            "label": "Praise",
            "group": "affect",
            "actor": "caregiver",
            "kind": "point",
            "key": "p",
        },
        {
            "id": "cg-touch",
            "label": "Touch",
            "group": "affect",
            "actor": "caregiver",
            "kind": "point",
            "key": "t",
            "modifiers": ["intensity", "locus"],
        },
    ],
    "modifiers": [
        {
            "id": "intensity",
            "label": "Intensity",
            "values": [
                {"id": "low", "key": "1"},
                {"id": "mid", "key": "2"},
                {"id": "high", "key": "3"},
            ],
        },
        {
            "id": "locus",
            "label": "Locus",
            "values": [{"id": "hand", "key": "h"}, {"id": "head", "key": "e"}],
        },
    ],
    "ratings": [
        {"id": "cg-sensitivity", "label": "Sensitivity", "min": 1, "max": 7},
        {"id": "ch-involvement", "label": "Involvement", "min": 1, "max": 5},
        {
            "id": "ch-proximity",
            "label": "Proximity seeking",
            "min": 1,
            "max": 7,
            "scope": "segment",
        },
    ],
    "segments": [
        {"id": "free-play", "label": "Free play", "planned_s": 600},
        {"id": "cleanup", "label": "Clean-up"},
    ],
}


def book() -> Codebook:
    return codebook_from_data(BOOK, "live-test.json")


META = SessionMeta("20261122T101503Z-D012-obs1", "D012", "obs1", "test")


def recorder(sink: Any = None) -> Recorder:
    return Recorder(book(), META, sink)
