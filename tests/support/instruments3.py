"""A small codebook with an allocation, reverse-keyed composite items, a forced
alternative classification and a sampling block (no tests here)."""

from __future__ import annotations

import copy
from typing import Any

from observer.codebook import Codebook, codebook_from_data

DOC: dict[str, Any] = {
    "schema": "observer.codebook/1",
    "id": "instruments3-test",
    "version": "1.0.0",
    "title": "Instruments test III",
    "actors": [{"id": "adult", "label": "Adult"}, {"id": "child", "label": "Child"}],
    "groups": [
        {"id": "acts", "label": "Acts"},
        {"id": "activity", "label": "Child activity", "exclusive": True},
    ],
    "codes": [
        {"id": "praise", "label": "Praise", "group": "acts", "actor": "adult",
         "kind": "point", "key": "p"},
        {"id": "play", "label": "Plays", "group": "activity", "actor": "child",
         "kind": "state", "key": "j"},
        {"id": "idle", "label": "Idle", "group": "activity", "actor": "child",
         "kind": "state", "key": "k"},
    ],
    "ratings": [
        {"id": "care", "label": "Adult pattern", "kind": "allocation", "total": 14,
         "parts": [
             {"id": "sensitive", "label": "Sensitive", "description": "fits the child"},
             {"id": "controlling", "label": "Controlling"},
             {"id": "unresponsive", "label": "Unresponsive", "max": 10},
         ]},
        {"id": "warm", "label": "Warm", "min": 1, "max": 5},
        {"id": "harsh", "label": "Harsh", "min": 1, "max": 5},
        {"id": "calm", "label": "Calm", "kind": "check"},
        {"id": "class", "label": "Classification", "kind": "category", "values": [
            {"id": "A", "label": "Avoidant"}, {"id": "B", "label": "Secure"},
            {"id": "C", "label": "Resistant"}, {"id": "D", "label": "Disorganized"},
        ]},
        {"id": "forced", "label": "Best-fitting organized", "kind": "category",
         "alternative_to": "class", "values": [
            {"id": "A", "label": "Avoidant"}, {"id": "B", "label": "Secure"},
            {"id": "C", "label": "Resistant"},
        ]},
    ],
    "composites": [
        {"id": "positive", "label": "Positive", "rule": "sum",
         "of": ["warm", {"rating": "harsh", "reverse": True}, {"rating": "calm", "reverse": True}]},
        {"id": "positive-mean", "label": "Positive (mean)", "rule": "mean",
         "of": [{"rating": "warm"}, {"rating": "harsh", "reverse": True}], "min_items": 1},
    ],
    "sampling": {"every_s": 10, "codes": ["play", "idle"], "prompt": "What is the child doing?",
                 "bell": True},
}  # fmt: skip


def doc() -> dict[str, Any]:
    return copy.deepcopy(DOC)


def book() -> Codebook:
    return codebook_from_data(doc(), "instruments3-test.json")
