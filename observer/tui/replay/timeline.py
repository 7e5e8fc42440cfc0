"""The timeline widget: a ruler, then one row per lane, drawn with the Line API.

Each row's cells come from the core (``observer.replay.timeline.lane_cells`` and
friends) for the current window and width, and are cached as a strip until the
window, the width or the data change. The playhead is an overlay: moving it
repaints two one-column regions, so playback redraws only what changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from observer.replay.clock import format_clock
from observer.replay.timeline import Cell, Lane, column_of, lane_cells, tick_step, ticks
from observer.replay.view import REVIEW_MARKS

LABEL_WIDTH = 26
"""The lanes' labels take at least this many columns (more if a label is longer)."""
MAX_LABEL_WIDTH = 40
CODE_COLOURS = 9
"""How many code colours the stylesheet gives (``timeline--code-0`` …): neighbouring
codes of a stream differ."""
SYMBOLS = {"agreement": "✓", "disagreement": "✗", "omission": "−", "commission": "+"}
ROLES = (*SYMBOLS, "review", "note", "on-bar", "mark", "correction")
"""What the replay colours, each a component class ``timeline--ROLE`` in styles/replay.tcss."""

if TYPE_CHECKING:
    from observer.codebook import Codebook
    from observer.replay.compare import Comparison
    from observer.sessionfile import Event, Note, Review
REVIEW_ORDER = {"comment": 0, "flag": 1, "correction": 2}
PLAYHEAD = Style(reverse=True)
LABEL = Style(dim=True)
BLANK = Style()

Cells = list[tuple[str, Style]]
Draw = Callable[[float, float, int], Cells]


@dataclass
class Row:
    """One line of the timeline: a label and a function drawing its cells."""

    label: str
    draw: Draw


@dataclass
class Palette:
    """The replay's colours, read from the theme and styles/replay.tcss (component classes
    of the Timeline), never written in Python: a theme switch or NO_COLOR reaches them."""

    roles: dict[str, Style]
    codes: tuple[Style, ...]

    def code_styles(self, book: Codebook) -> dict[str, Style]:
        """A colour per code, so neighbouring codes of a stream differ."""
        n = len(self.codes)
        return {c.id: self.codes[i % n] for i, c in enumerate(book.codes)} if n else {}


def lane_row(
    lane: Lane,
    events: Sequence[Event],
    book: Codebook,
    colours: dict[str, Style],
    bar: Style,
    label: str = "",
) -> Row:
    """``bar``: the style of a letter on a coloured bar (its colour is the text's);
    ``label``: the lane's name (default: its stream id)."""
    keys = {c.id: c.key for c in book.codes}

    def glyph(cell: Cell) -> tuple[str, Style]:
        bg = colours[cell.state].color if cell.state and cell.state in colours else None
        if cell.points:
            char = keys[cell.point or ""] if cell.points == 1 else str(min(cell.points, 9))
            point = colours.get(cell.point or "")
            fg = point.color if bg is None and point is not None else bar.color
            return char, Style(color=fg, bgcolor=bg, bold=True)
        if cell.state:
            char = keys[cell.state] if cell.onset else NARROW_MARK if cell.narrow else " "
            # reverse (not False) only where no colour: the playhead must still reverse it
            return char, Style(color=bar.color, bgcolor=bg, reverse=True if bg is None else None)
        return " ", BLANK

    def draw(t0: float, span: float, width: int) -> Cells:
        return [glyph(cell) for cell in lane_cells(lane, events, t0, span, width)]

    return Row(label or lane.label, draw)


def marks_row(comparison: Comparison, stream: str, palette: Palette) -> Row:
    def draw(t0: float, span: float, width: int) -> Cells:
        return [
            (SYMBOLS[kind], palette.roles[kind]) if kind else (" ", BLANK)
            for kind in comparison.marks(stream, t0, span, width)
        ]

    return Row("  A vs B", draw)


def reviews_row(reviews: Callable[[], Sequence[Review]], style: Style) -> Row:
    def draw(t0: float, span: float, width: int) -> Cells:
        kinds: list[str | None] = [None] * width
        for review in reviews():
            c = column_of(review.t, t0, span, width)
            old = kinds[c] if 0 <= c < width else "correction"
            if old is None or REVIEW_ORDER[review.kind] > REVIEW_ORDER[old]:
                kinds[c] = review.kind
        return [(REVIEW_MARKS[k], style) if k else (" ", BLANK) for k in kinds]

    return Row("Reviews", draw)


NOTE_MARK = "¶"
NARROW_MARK = "|"
"""Where a bout too short for its letter begins."""


def notes_row(notes: Sequence[Note], style: Style) -> Row:
    """The session's notes, one mark in each column a note falls in."""

    def draw(t0: float, span: float, width: int) -> Cells:
        cells: Cells = [(" ", BLANK)] * width
        for note in notes:
            c = column_of(note.t, t0, span, width)
            if 0 <= c < width:
                cells[c] = (NOTE_MARK, style)
        return cells

    return Row("Notes", draw)


def ruler(t0: float, span: float, width: int) -> Cells:
    chars = [" "] * width
    decimals = 1 if tick_step(span, width) < 1 else 0
    for c, t in ticks(t0, span, width):
        label = "┊" + format_clock(t, decimals=decimals)
        if all(ch == " " for ch in chars[c : c + len(label) + 1]) and c + len(label) <= width:
            chars[c : c + len(label)] = label
    return [(ch, LABEL) for ch in chars]


def to_strip(label: str, cells: Cells, total: int, width: int = LABEL_WIDTH) -> Strip:
    segments = [Segment(f"{label[: width - 1]:<{width}}", LABEL)]
    run, style = "", None
    for char, cell_style in cells:
        if cell_style != style and run:
            segments.append(Segment(run, style))
            run = ""
        run += char
        style = cell_style
    if run:
        segments.append(Segment(run, style))
    return Strip(segments).adjust_cell_length(total)


class Timeline(Widget, can_focus=True):
    """Lanes over a time window, with a playhead; a click seeks."""

    DEFAULT_CSS = """
    Timeline {
        height: auto;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"timeline--{role}" for role in ROLES),
        *(f"timeline--code-{i}" for i in range(CODE_COLOURS)),
    }

    class Seek(Message):
        def __init__(self, t: float) -> None:
            super().__init__()
            self.t = t

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.label_width = LABEL_WIDTH
        self.t0 = 0.0
        self.span = 60.0
        self.playhead = 0.0
        self._cache: dict[int, Strip] = {}
        self._cache_key: tuple[float, float, int] | None = None

    def palette(self) -> Palette:
        """The colours of the theme now in use (read again after a theme switch)."""
        style = self.get_component_rich_style
        return Palette(
            {role: style(f"timeline--{role}", partial=True) for role in ROLES},
            tuple(style(f"timeline--code-{i}", partial=True) for i in range(CODE_COLOURS)),
        )

    @property
    def lane_width(self) -> int:
        return max(1, self.size.width - self.label_width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows) + 1

    def set_rows(self, rows: list[Row]) -> None:
        self.rows = rows
        longest = max((len(row.label) + 1 for row in rows), default=0)
        self.label_width = min(max(LABEL_WIDTH, longest), MAX_LABEL_WIDTH)
        self.invalidate()
        self.refresh(layout=True)

    def invalidate(self) -> None:
        """Redraw every row (the data changed)."""
        self._cache.clear()
        self.refresh()

    def set_window(self, t0: float, span: float) -> None:
        if (t0, span) != (self.t0, self.span):
            self.t0, self.span = t0, span
            self.invalidate()

    def playhead_column(self, t: float | None = None) -> int:
        return column_of(self.playhead if t is None else t, self.t0, self.span, self.lane_width)

    def set_playhead(self, t: float) -> None:
        old, new = self.playhead_column(), self.playhead_column(t)
        self.playhead = t
        if old != new:
            height = len(self.rows) + 1
            self.refresh(
                Region(self.label_width + old, 0, 1, height),
                Region(self.label_width + new, 0, 1, height),
            )

    def time_at(self, x: int) -> float | None:
        column = x - self.label_width
        if column < 0:
            return None
        return self.t0 + (column + 0.5) * self.span / self.lane_width

    def on_click(self, event: Click) -> None:
        t = self.time_at(event.x)
        if t is not None:
            self.post_message(self.Seek(t))

    def on_resize(self) -> None:
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.lane_width
        total = self.size.width
        key = (self.t0, self.span, width)
        if key != self._cache_key:
            self._cache.clear()
            self._cache_key = key
        strip = self._cache.get(y)
        if strip is None:
            if y == 0:
                label = f"window {format_clock(self.span, decimals=0)}"
                strip = to_strip(label, ruler(self.t0, self.span, width), total, self.label_width)
            elif y <= len(self.rows):
                row = self.rows[y - 1]
                strip = to_strip(
                    row.label, row.draw(self.t0, self.span, width), total, self.label_width
                )
            else:
                strip = Strip.blank(total)
            self._cache[y] = strip
        column = self.playhead_column()
        if 0 <= column < width:
            x = self.label_width + column
            left, middle, right = strip.divide([x, x + 1, total])
            if y == 0:
                middle = Strip([Segment("▼", PLAYHEAD)])
            strip = Strip.join([left, middle.apply_style(PLAYHEAD), right])
        return strip.apply_style(self.rich_style)
