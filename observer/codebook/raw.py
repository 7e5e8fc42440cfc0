"""Reading the raw (parsed, not yet structured) codebook document.

The rules run on the raw document so that they are reported even beside structural
faults; these helpers skip values of the wrong type (that fault is reported by the
structuring), so each rule sees only what it can check.
"""

from __future__ import annotations

from typing import Any


def items(raw: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    """The objects of list ``name`` with their indexes (nothing when it is not a list)."""
    value = raw.get(name)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def ids(raw: dict[str, Any], name: str, default: Any = None) -> set[str | None] | None:
    """The ids in list ``name``, or None when it is not a list (nothing to check against)."""
    if not isinstance(raw.get(name, default), list):
        return None
    return {string(item, "id") for _, item in items(raw, name)}


def string(item: dict[str, Any], name: str) -> str | None:
    """Field ``name`` when it is a string, else None."""
    value = item.get(name)
    return value if isinstance(value, str) else None


def number(item: dict[str, Any], name: str, default: Any = None) -> int | float | None:
    """Field ``name`` when it is a number (not a boolean), else None."""
    value = item.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value
