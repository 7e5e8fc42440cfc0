"""Counts in words for people: ``plural(1, "problem") == "1 problem"``, never "1 problems"."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one; ``many`` defaults to ``one + "s"``
    (give it for irregular plurals: ``plural(n, "file or line", "files or lines")``)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
