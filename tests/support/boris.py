"""A made-up BORIS project whose corners the import tests and the fuzzers share."""

from __future__ import annotations

from typing import Any


def project(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "project_name": "Corners été",
        "project_format_version": "8.6",
        "subjects_conf": {"0": {"key": "1", "name": "Mum", "description": ""}, "1": {"key": "2", "name": "Kid", "description": ""}},
        "behaviors_conf": {
            "0": {"type": "State event", "key": "a", "code": "play", "category": "Play", "excluded": "rest", "modifiers": {}},
            "1": {"type": "State event", "key": "b", "code": "rest", "category": "Play", "excluded": "play", "modifiers": {}},
            "2": {"type": "Point event", "key": "F1", "code": "look", "category": "", "excluded": "", "modifiers": {
                "0": {"name": "where", "type": 1, "values": ["up", "down"]},
                "1": {"name": "how", "type": 0, "values": ["fast (F)", "slow (a)"]},
            }},
            "3": {"type": "Point event", "key": "c", "code": "cry", "category": "", "excluded": "play", "modifiers": {}},
            "4": {"type": "State event", "key": "w", "code": "walk", "category": "", "excluded": "run"},
            "5": {"type": "State event", "key": "r", "code": "run", "category": "", "excluded": ""},
        },
        "observations": {
            "obs 1": {"type": "LIVE", "date": "2024-05-01T10:00:00", "description": "", "events": [
                [-1.5, "Mum", "play", "", ""],
                [2.0, "Mum", "look", "up|fast", "first look"],
                [3.0, "Kid", "nap", "", ""],
                [4.0, "Mum", "play", "", ""],
                [5.0, "Kid", "look", "None|quick", ""],
                [5.5, None, "cry", "", ""],
            ]},
            "pics": {"type": "IMAGES", "events": []},
        },
    }  # fmt: skip
    base.update(overrides)
    return base
