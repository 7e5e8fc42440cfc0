"""The tests' one synthetic mini codebook, and its variants.

Small, but with every part a session can use: two actors; an exclusive group of
states (one of them takes a modifier) and a group of states and points (one point
takes two modifiers); modifier values with keys; a session rating and a segment
rating; two segments (one planned). Keys: a v n c p t (codes), 1 2 3 h e (values).

A test that needs another shape derives it from ``document()`` (``support.instruments``:
ratings of every kind; ``support.analysis``: the codes its expected statistics are
worked out on), so that the header, the actors and what else it does not change stay
one. No tests here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from observer.codebook import Codebook, codebook_from_data

FILE = "mini.json"
"""The file name its problems are reported against when it is not written anywhere."""

DOCUMENT: dict[str, Any] = {
    "schema": "observer.codebook/1",
    "id": "mini",
    "version": "1.0.0",
    "title": "Mini codebook (synthetic)",
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


def document(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the mini codebook's JSON document, top-level fields replaced by
    ``changes`` (a ``None`` drops the field)."""
    doc = copy.deepcopy(DOCUMENT)
    for name, value in changes.items():
        if value is None:
            doc.pop(name, None)
        else:
            doc[name] = copy.deepcopy(value)
    return doc


def book(doc: dict[str, Any] | None = None) -> Codebook:
    """The mini codebook (or ``doc``, one derived from it), loaded."""
    return codebook_from_data(document() if doc is None else doc, FILE)


def write(path: Path, doc: dict[str, Any] | None = None) -> Path:
    """Write the mini codebook (or ``doc``) as a codebook file at ``path``; ``path``."""
    path.write_text(json.dumps(DOCUMENT if doc is None else doc, indent=2), encoding="utf-8")
    return path
