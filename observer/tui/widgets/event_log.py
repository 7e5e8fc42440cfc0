"""A log of rows drawn with Textual's Line API: only the visible lines are rendered.

Appending a row costs O(1) whatever the length of the log (a DataTable rebuilds
its row offsets on every added row and lags after a few thousand). The rows are
any objects; ``render_row`` turns one into a single line of Rich ``Text`` when it
scrolls into view, and the result is cached. Used by the coding screen (actions
as they happen) and by the replay screen (a session's events, with the event at
the playhead highlighted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

RenderRow = Callable[[Any], Text]


class EventLog(ScrollView, can_focus=True):
    """Rows, one line each, newest last; follows the end unless scrolled back."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"event-log--highlight"}
    DEFAULT_CSS = """
    EventLog {
        overflow-x: hidden;
        overflow-y: scroll;
    }
    EventLog > .event-log--highlight {
        background: $accent 40%;
    }
    """

    highlighted: reactive[int | None] = reactive(None)
    """Index of a row drawn with the highlight style (the replay playhead), or None."""

    def __init__(
        self,
        render_row: RenderRow,
        rows: Iterable[Any] = (),
        *,
        follow: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._render_row = render_row
        self._rows: list[Any] = list(rows)
        self._cache: LRUCache[int, Strip] = LRUCache(1024)
        self.follow = follow
        """Scroll to each new row while the view is at the end."""

    @property
    def rows(self) -> Sequence[Any]:
        """The rows (read only: change them with the methods below)."""
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def on_mount(self) -> None:
        self._resize()

    def append(self, row: Any) -> None:
        """Add one row at the end."""
        self.extend((row,))

    def extend(self, rows: Iterable[Any]) -> None:
        """Add rows at the end; the view follows them when it was at the end."""
        at_end = self.is_vertical_scroll_end or self.max_scroll_y == 0
        start = len(self._rows)
        self._rows.extend(rows)
        self._resize()
        self.refresh_lines(start - int(self.scroll_offset.y), len(self._rows) - start)
        if self.follow and at_end and not self.is_vertical_scrollbar_grabbed:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace every row."""
        self._rows = list(rows)
        self._cache.clear()
        self._resize()
        self.refresh()

    def update_row(self, index: int, row: Any) -> None:
        """Replace one row in place (for example to mark it undone)."""
        self._rows[index] = row
        self._cache.discard(index)
        self.refresh_lines(index - int(self.scroll_offset.y))

    def scroll_to_row(self, index: int, *, center: bool = True) -> None:
        """Bring a row into view, in the middle when ``center``."""
        height = self.scrollable_content_region.height
        y = index - height // 2 if center else index
        self.scroll_to(y=max(0, y), animate=False, immediate=True)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        for index in (old, new):
            if index is not None:
                self._cache.discard(index)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self) -> None:
        self._cache.clear()
        self._resize()

    def _resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, style)
        strip = self._cache.get(index)
        if strip is None:
            text = self._render_row(self._rows[index])
            text.no_wrap = True
            text.overflow = "ellipsis"
            text.truncate(width, overflow="ellipsis", pad=True)
            if index == self.highlighted:
                text.stylize(self.get_component_rich_style("event-log--highlight"))
            strip = Strip(text.render(self.app.console), width).simplify()
            strip = strip.apply_style(style)
            self._cache[index] = strip
        return strip.apply_offsets(0, index)
