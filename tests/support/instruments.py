"""The mini codebook (``support.minibook``) with every kind of rating, segment-restricted
items and composites instead of its two scales and two segments."""

from __future__ import annotations

import copy
from typing import Any

from observer.codebook import Codebook, codebook_from_data
from support import minibook

DOC: dict[str, Any] = minibook.document(
    id="instruments-test",
    title="Instruments test",
    ratings=[
        {"id": "warmth", "label": "Warmth", "min": 1, "max": 5,
         "anchors": {"1": "cold", "5": "warm"}},
        {"id": "class", "label": "Classification", "kind": "category", "values": [
            {"id": "A1", "label": "Avoidant one", "class": "A"},
            {"id": "A2", "label": "Avoidant two", "class": "A"},
            {"id": "B1", "label": "Secure one", "class": "B"},
            {"id": "B2", "label": "Secure two", "class": "B"},
            {"id": "D", "label": "Disorganized", "class": "D"},
        ]},
        {"id": "i1", "label": "Item one", "kind": "check"},
        {"id": "i2", "label": "Item two", "kind": "check"},
        {"id": "i3", "label": "Item three", "kind": "check"},
        {"id": "seek", "label": "Seeking", "min": 1, "max": 7, "scope": "segment",
         "segments": ["reunion"]},
        {"id": "avoid", "label": "Avoiding", "min": 1, "max": 7, "scope": "segment"},
    ],
    segments=[
        {"id": "play", "label": "Play together"},
        {"id": "apart", "label": "Apart"},
        {"id": "reunion", "label": "Reunion"},
    ],
    composites=[
        {"id": "checks", "label": "Items present", "of": ["i1", "i2", "i3"], "rule": "sum",
         "min_items": 2},
        {"id": "mixed", "label": "Warmth and items", "of": ["warmth", "i1"], "rule": "mean"},
        {"id": "seg-total", "label": "Seeking plus avoiding", "of": ["seek", "avoid"],
         "rule": "sum", "min_items": 1},
    ],
)  # fmt: skip


def doc() -> dict[str, Any]:
    return copy.deepcopy(DOC)


def book() -> Codebook:
    return codebook_from_data(doc(), "instruments-test.json")
