"""The codebook's keys as a compact legend, grouped by actor (columns) and group.

The legend picks the richest layout that fits its height budget (a share of the
screen): group headings and full labels on a large terminal, several short
cells per line at 80×24. Keys of running states are drawn highlighted. Every cell, and
every modifier value, is a target (``observer.tui.targets``): a click presses its key.
"""

from __future__ import annotations

import attrs
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from observer.codebook import Code, Codebook, Modifier
from observer.tui.targets import char_target

GAP = 2


@attrs.frozen
class Layout:
    headings: bool
    per_row: int
    """Cells per line in a column; 0: cells flow across the whole width at their own
    widths, one actor after another, each actor's name first (no label shortened)."""


FLOWS = (Layout(True, 0), Layout(False, 0))
"""Flowing full labels, with the modifier lines (headings) or without."""
FLOW_BUDGET = 0.46
"""Full labels earn the legend a little more of the screen than shortened ones
(at 80×24: 11 lines instead of 10, the log keeps 5)."""


LAYOUTS = (  # richest first: readable labels matter more than group headings
    Layout(True, 1),
    Layout(False, 1),
    Layout(True, 2),
    Layout(False, 2),
    Layout(True, 3),
    Layout(False, 3),
    Layout(False, 4),
    Layout(False, 5),
)


def _columns(book: Codebook) -> list[list[tuple[str, list[Code]]]]:
    """Per actor column: (group heading, codes) pairs in codebook order."""
    columns = []
    for actor in book.actors:
        groups = []
        for stream in book.streams:
            if stream.actor.id == actor.id:
                exclusive = " · one at a time" if stream.group.exclusive else ""
                groups.append((f"{stream.group.label}{exclusive}", list(stream.codes)))
        if groups:
            columns.append(groups)
    return columns


def _modifier_line(modifier: Modifier) -> Text:
    """A modifier's value keys, as typed right after a code that has it."""
    line = Text(f"{modifier.label} (after its codes):", style="dim italic")
    for value in modifier.values:
        line.append("  ")
        line.append(value.key, style=char_target(value.key) + Style(bold=True))
        line.append(f" {value.label or value.id}", style=char_target(value.key))
    return line


def _height(columns: list[list[tuple[str, list[Code]]]], layout: Layout, stacked: bool) -> int:
    heights = []
    for groups in columns:
        h = 1  # the actor's title
        for _, codes in groups:
            h += int(layout.headings) + -(-len(codes) // layout.per_row)
        heights.append(h)
    return sum(heights) if stacked else max(heights, default=0)


class KeyLegend(Widget):
    """Always-visible key map; ``running`` code ids are highlighted."""

    DEFAULT_CSS = """
    KeyLegend { height: auto; }
    """

    def __init__(self, book: Codebook, *, budget: float = 0.42, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.book = book
        self.budget = budget
        """Largest share of the screen's height the legend may take."""
        self.running: frozenset[str] = frozenset()

    def set_running(self, codes: frozenset[str]) -> None:
        if codes != self.running:
            self.running = codes
            self.refresh()

    def _layout(self, width: int) -> tuple[Layout, bool, int]:
        height = self.screen.size.height
        budget = max(4, int(height * self.budget))
        return _choose(self.book, width, budget, max(budget, int(height * FLOW_BUDGET)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._layout(width)[2]

    def render(self) -> Text:
        width = self.content_region.width or self.size.width
        layout, stacked, _ = self._layout(width)
        if layout.per_row == 0:
            lines = self._flow(width)
            if layout.headings:
                lines.extend(_modifier_line(m) for m in self.book.modifiers)
            return Text("\n").join(lines)
        columns = _columns(self.book)
        n = 1 if stacked else len(columns)
        col_w = max(8, (width - GAP * (n - 1)) // n)
        blocks = [
            self._column(title, groups, layout, col_w)
            for title, groups in zip(_actor_titles(self.book), columns, strict=True)
        ]
        if stacked:
            lines = [line for block in blocks for line in block]
        else:
            depth = max(len(b) for b in blocks)
            lines = []
            for row in range(depth):
                line = Text()
                for i, block in enumerate(blocks):
                    cell = block[row] if row < len(block) else Text()
                    cell.truncate(col_w, pad=i < len(blocks) - 1)
                    line.append_text(cell)
                    if i < len(blocks) - 1:
                        line.append(" " * GAP)
                lines.append(line)
        if layout.headings:
            lines.extend(_modifier_line(m) for m in self.book.modifiers)
        return Text("\n").join(lines)

    def _column(
        self, title: str, groups: list[tuple[str, list[Code]]], layout: Layout, width: int
    ) -> list[Text]:
        lines = [Text(title.upper(), style="bold")]
        cell_w = width // layout.per_row
        for heading, codes in groups:
            if layout.headings:
                lines.append(Text(heading, style="dim italic"))
            for start in range(0, len(codes), layout.per_row):
                line = Text()
                for code in codes[start : start + layout.per_row]:
                    line.append_text(self._cell(code, cell_w))
                lines.append(line)
        return lines

    def _flow(self, width: int) -> list[Text]:
        lines = []
        for title, (_, codes) in zip(_actor_titles(self.book), _flow_codes(self.book), strict=True):
            line = Text()
            line.append(title.upper(), style="bold")
            for code in codes:
                cell = self._cell(code, min(width, _flow_width(code)))
                if line.cell_len + 1 + cell.cell_len > width:
                    lines.append(line)
                    line = Text()
                elif line:
                    line.append(" ")
                line.append_text(cell)
            lines.append(line)
        return lines

    def _cell(self, code: Code, width: int) -> Text:
        running = code.id in self.running
        key_style = (
            "reverse bold" if running else ("bold" if code.kind == "point" else "bold underline")
        )
        cell = Text()
        cell.append(f" {code.key} ", style=key_style)
        label = code.label
        room = width - 4
        if len(label) > room:
            label = label[: max(1, room - 1)] + "…"
        cell.append(label.ljust(room) + " ", style="bold" if running else "")
        cell.stylize(char_target(code.key))  # a click on it presses its key
        return cell


def _flow_codes(book: Codebook) -> list[tuple[str, list[Code]]]:
    """Per actor with codes: (actor id, codes in codebook order)."""
    return [
        (a.id, [c for groups in column for c in groups[1]])
        for a, column in zip(
            [a for a in book.actors if any(c.actor == a.id for c in book.codes)],
            _columns(book),
            strict=True,
        )
    ]


def _flow_width(code: Code) -> int:
    return len(code.label) + 4  # " k " then the label and a space


def _flow_height(book: Codebook, width: int) -> int:
    height = 0
    for title, (_, codes) in zip(_actor_titles(book), _flow_codes(book), strict=True):
        used = len(title)
        height += 1
        for code in codes:
            cell = min(width, _flow_width(code))
            if used + 1 + cell > width:
                height += 1
                used = cell
            else:
                used += 1 + cell
    return height


def _actor_titles(book: Codebook) -> list[str]:
    return [a.label for a in book.actors if any(c.actor == a.id for c in book.codes)]


def _choose(
    book: Codebook, width: int, budget: int, flow_budget: int | None = None
) -> tuple[Layout, bool, int]:
    """The richest layout whose height fits ``budget`` lines (else the most compact);
    rather than shortening labels, the flow of full labels if it fits ``flow_budget``."""
    columns = _columns(book)
    n = max(1, len(columns))
    stacked = (width - GAP * (n - 1)) // n < 24
    col_w = width if stacked else (width - GAP * (n - 1)) // n
    longest = max((len(c.label) for c in book.codes), default=0)
    best: tuple[Layout, bool, int] | None = None
    for layout in LAYOUTS:
        if col_w // layout.per_row < 10 and layout is not LAYOUTS[0]:
            continue
        if longest > col_w // layout.per_row - 4:  # this layout would shorten labels
            flow = _flow_height(book, width)
            for extra, layout_ in zip((len(book.modifiers), 0), FLOWS, strict=True):
                if flow + extra <= (flow_budget or budget):
                    return layout_, True, flow + extra
        height = _height(columns, layout, stacked) + (len(book.modifiers) if layout.headings else 0)
        best = (layout, stacked, height)
        if height <= budget:
            return best
    assert best is not None
    return best
