"""The touch layout's grid (``observer code --touch``): one large target per code, a
row per group under its actor and group, under a row of the screen's own targets.

Every cell is a target (:mod:`observer.tui.targets`): a tap anywhere in it presses its
key. Cells are as tall as the screen allows (3 lines, a finger's height in a browser
at 16 px, else 2, else 1 on a small terminal) and as wide as the width divided among
a group's codes (at least :data:`MIN_WIDTH` columns; a group with more codes wraps).
A running state is highlighted in place, by its colour (``touch-grid--running`` in
styles/coding.tcss) and a symbol (``●``, where a state not running shows ``○``), so it
reads without colour too; nothing needs hover. Labels are file text: drawn as plain
``Text`` (never markup), wrapped within the cell and shortened with ``…`` only where
the cell has no room left.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import ClassVar

import attrs
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from observer.codebook import Code, Codebook
from observer.textsafe import safe
from observer.tui.targets import char_target, target

GAP = 1
MIN_WIDTH = 14
"""A cell's least width in columns (a label of two short words, and a finger)."""
HEIGHTS = (3, 2, 1)
"""Cell heights tried, tallest first."""
CLASSES = ("state", "point", "running", "heading", "control", "choice")


@attrs.frozen
class Control:
    """One of the screen's own keys on the control row."""

    key: str
    """Its Textual key name (its row in ``observer.tui.coding.keys``)."""
    label: str


CONTROLS = (
    Control("space", "▶ start"),
    Control("ctrl+z", "↶ undo"),
    Control("ctrl+y", "↷ redo"),
    Control("ctrl+n", "✎ note"),
    Control("f2", "» next segment"),
    Control("ctrl+g", "segment…"),
    Control("ctrl+e", "■ end"),
)
CLOCK_LABELS = {"ready": "▶ start", "running": "❚❚ pause", "paused": "▶ resume", "ended": "ended"}


@attrs.frozen
class Cell:
    label: str
    key_hint: str
    role: str
    press: Style


def _fit(label: str, width: int, lines: int) -> list[str]:
    """``label`` wrapped into at most ``lines`` lines of ``width``, the last shortened
    with ``…`` when the rest does not fit."""
    width = max(1, width)
    wrapped = textwrap.wrap(label, width, break_on_hyphens=False, break_long_words=False)
    wrapped = wrapped or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], " ".join(wrapped[lines - 1 :])]
    return [line if len(line) <= width else line[: width - 1] + "…" for line in wrapped]


def per_line(count: int, width: int) -> int:
    """Cells on one line for a row of ``count``: as many as fit, balanced over lines."""
    most = max(1, (width + GAP) // (MIN_WIDTH + GAP))
    lines = -(-count // most)
    return -(-count // lines)


class TouchGrid(Widget):
    """The codes as large targets, and the control row; ``running`` codes and the clock's
    state are shown in place."""

    DEFAULT_CSS = """
    TouchGrid { height: auto; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"touch-grid--{role}" for role in CLASSES}

    def __init__(self, book: Codebook, *, reserved: int = 9, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.book = book
        self.reserved = reserved
        """Lines the rest of the screen needs (status, clock, prompt, a little log)."""
        self.running: frozenset[str] = frozenset()
        self.clock = "ready"

    def set_running(self, codes: frozenset[str], clock: str) -> None:
        if codes != self.running or clock != self.clock:
            self.running, self.clock = codes, clock
            self.refresh(layout=True)

    # --- layout -----------------------------------------------------------------------

    def _rows(self) -> list[tuple[str, list[Cell]]]:
        """The control row (its heading a blank line), then (heading, cells) per group."""
        titles = {a.id: a.label for a in self.book.actors}
        rows: list[tuple[str, list[Cell]]] = [("", self._controls())]
        for stream in self.book.streams:
            exclusive = " · one at a time" if stream.group.exclusive else ""
            heading = f"{titles.get(stream.actor.id, stream.actor.id).upper()} · "
            heading = safe(heading + stream.group.label + exclusive)
            rows.append((heading, [self._code_cell(c) for c in stream.codes]))
        return rows

    def _controls(self) -> list[Cell]:
        """The screen's own keys: first, under the clock, so that they are always in
        sight, whatever the size of the codebook below."""
        controls = []
        for control in CONTROLS:
            label = control.label
            if control.key == "space":
                label = CLOCK_LABELS.get(self.clock, label)
            if control.key in ("f2", "ctrl+g") and not self.book.segments:
                continue
            controls.append(Cell(label, "", "control", target(control.key)))
        return controls

    def _code_cell(self, code: Code) -> Cell:
        if code.kind == "state":
            running = code.id in self.running
            symbol = "● " if running else "○ "
            role = "running" if running else "state"
        else:
            symbol, role = "", "point"
        return Cell(symbol + safe(code.label), code.key, role, char_target(code.key))

    def _height(self, width: int, cell_height: int) -> int:
        total = 0
        for _, cells in self._rows():
            if not cells:
                continue
            lines = -(-len(cells) // per_line(len(cells), width))
            gaps = (lines - 1) * int(cell_height > 1)  # tall cells get a line between lines
            total += 1 + lines * cell_height + gaps  # with its heading, or the control gap
        return total

    def cell_height(self, width: int) -> int:
        """The tallest cell height whose grid leaves the rest of the screen its lines."""
        budget = max(1, self.screen.size.height - self.reserved)
        for height in HEIGHTS:
            if self._height(width, height) <= budget:
                return height
        return HEIGHTS[-1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._height(width, self.cell_height(width))

    # --- drawing ----------------------------------------------------------------------

    def render(self) -> Text:
        width = self.content_region.width or self.size.width
        height = self.cell_height(width)
        lines: list[Text] = []
        for heading, cells in self._rows():
            if not cells:
                continue
            if len(heading) > width:  # one line, as the height counts it
                heading = heading[: max(1, width - 1)] + "…"
            lines.append(Text(heading, style=self.style("heading")))
            n = per_line(len(cells), width)
            for start in range(0, len(cells), n):
                if start and height > 1:
                    lines.append(Text())
                lines.extend(cell_line(cells[start : start + n], n, width, height, self.style))
        return Text("\n").join(lines)

    def style(self, role: str) -> Style:
        """A role's style, from styles/coding.tcss (``touch-grid--<role>``)."""
        return self.get_component_rich_style(f"touch-grid--{role}", partial=True)


def choice_lines(
    cells: list[Cell], width: int, height: int, style: Callable[[str], Style]
) -> list[Text]:
    """A choice (a modifier's values, the segments) as rows of large cells."""
    n = per_line(len(cells), width)
    lines: list[Text] = []
    for start in range(0, len(cells), n):
        if start and height > 1:
            lines.append(Text())
        lines.extend(cell_line(cells[start : start + n], n, width, height, style))
    return lines


def cell_line(
    cells: list[Cell], n: int, width: int, height: int, style_of: Callable[[str], Style]
) -> list[Text]:
    """One line of at most ``n`` cells, ``height`` lines tall: each cell's label wrapped
    in its upper lines, its key in the last (a 1-line cell: the key, then the label)."""
    cell_w = max(4, (width - GAP * (n - 1)) // n)
    rows = [Text() for _ in range(height)]
    for i, cell in enumerate(cells):
        style = style_of(cell.role) + cell.press
        if height == 1:
            hint = f" {cell.key_hint}" if cell.key_hint else ""
            texts = [f"{hint} {_fit(cell.label, cell_w - len(hint) - 2, 1)[0]}"]
        else:
            body = _fit(cell.label, cell_w - 2, height - 1 if cell.key_hint else height)
            texts = [f" {line}" for line in body]
            texts += [""] * (height - len(texts) - (1 if cell.key_hint else 0))
            if cell.key_hint:
                texts.append(f" {cell.key_hint}")
        for row, text in zip(rows, texts, strict=True):
            if i:
                row.append(" " * GAP)
            row.append(text.ljust(cell_w)[:cell_w], style=style)
    return rows
