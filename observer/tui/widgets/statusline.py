"""A status line that fits its width by giving way in a set order, never by being cut.

A line is parts in display order; each part has its forms, longest first (an empty
Text drops it), and the steps at which it takes its next form. :func:`fit` applies the
steps in order until the line fits. A part with a single form never gives way (the
coding screen's ``saved N``, replay's session id): what does not fit after every step
is cut from the end, where the parts that matter least are put.
"""

from __future__ import annotations

import attrs
from rich.text import Text


@attrs.frozen
class Part:
    forms: tuple[Text, ...]
    """Longest first; the last may be empty (the part is dropped)."""
    steps: tuple[int, ...] = ()
    """At step ``steps[i]`` the part takes ``forms[i + 1]``."""


def part(text: Text, *shorter: tuple[int, Text]) -> Part:
    """A part shown as ``text``, taking each ``(step, form)`` of ``shorter`` in turn."""
    return Part((text, *(form for _, form in shorter)), tuple(step for step, _ in shorter))


def shortened(text: str, width: int, style: str = "") -> Text:
    """``text`` cut to ``width`` cells, with an ellipsis where it was cut."""
    shown = Text(text, style=style)
    if shown.cell_len > width:
        shown.truncate(max(width - 1, 0))
        shown.append("…", style=style)
    return shown


def fit(parts: list[Part], width: int, separator: str = "") -> Text:
    """The parts joined by ``separator``, shortened step by step until they fit ``width``
    cells (dropped parts leave no separator behind)."""
    chosen = [0] * len(parts)
    moves = sorted((step, i) for i, p in enumerate(parts) for step in p.steps)

    def line() -> Text:
        shown = [p.forms[c] for p, c in zip(parts, chosen, strict=True) if p.forms[c].cell_len]
        return Text(separator).join(shown)

    text = line()
    for _, i in moves:
        if text.cell_len <= width:
            break
        chosen[i] += 1
        text = line()
    return text
