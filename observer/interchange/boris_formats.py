"""Older BORIS project formats brought to the shape of format 7/8 before import.

Facts of the format (what BORIS itself changes when it opens an old project):
- before format 4.0 a behaviour's ``modifiers`` is a string: modifier sets
  separated by ``|``, each set's values by ``,``; every set is single-choice
  and has no name;
- ``behavioral_categories_conf`` may be missing, or a list of category names
  (later an object of ``{"name": ...}`` entries); a behaviour may have no
  ``category``;
- a project without ``project_format_version`` (BORIS's first ``.obs`` files)
  has subjects as ``[key, name]`` pairs and observations of type ``VIDEO`` or
  ``AUDIO`` (later ``MEDIA``).
Nothing of the events changes between these formats.
"""

from __future__ import annotations

from typing import Any

SINGLE_CHOICE = 0


def version_tuple(version: Any) -> tuple[int, ...] | None:
    """``"7.0"`` → (7, 0); None when it is no version number."""
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return None


def upgrade(raw: dict[str, Any]) -> list[str]:
    """Convert an old project in place; return what was converted (for the report)."""
    done: list[str] = []
    if "project_format_version" not in raw:
        _from_unversioned(raw)
        done.append("an unversioned (first-format) project: subjects and media types converted")
    version = version_tuple(raw.get("project_format_version")) or (0,)
    behaviours = raw.get("behaviors_conf")
    if version < (4,) and isinstance(behaviours, dict):
        converted = 0
        for item in behaviours.values():
            if isinstance(item, dict) and isinstance(item.get("modifiers"), str):
                item["modifiers"] = _sets_from_text(item["modifiers"])
                converted += 1
        if converted:
            done.append(
                f"modifiers of {converted} behaviour(s) converted from the pre-4.0 text form"
            )
    categories = raw.get("behavioral_categories_conf")
    if isinstance(categories, list):
        raw["behavioral_categories_conf"] = {
            str(i): {"name": name} for i, name in enumerate(categories)
        }
    return done


def _sets_from_text(value: str) -> dict[str, Any]:
    if not value.strip():
        return {}
    return {
        str(i): {"name": "", "type": SINGLE_CHOICE, "values": part.split(",")}
        for i, part in enumerate(value.split("|"))
    }


def _from_unversioned(raw: dict[str, Any]) -> None:
    subjects = raw.get("subjects_conf")
    if isinstance(subjects, dict):
        for k, subject in subjects.items():
            if isinstance(subject, list) and len(subject) == 2:
                subjects[k] = {"key": subject[0], "name": subject[1], "description": ""}
    observations = raw.get("observations")
    if isinstance(observations, dict):
        for obs in observations.values():
            if isinstance(obs, dict) and obs.get("type") in ("VIDEO", "AUDIO"):
                obs["type"] = "MEDIA"
