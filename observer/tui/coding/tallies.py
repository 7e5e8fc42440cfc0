"""The codebook's criteria on the coding screens: live tallies while coding, the
criteria table on the end summary.

``Tallies``: a compact panel beside the key legend while a segment that has criteria
is open (criteria of the whole session show from the first key): one line per rule,
its count against its target and a symbol, ``✓`` met and ``✗`` not (yet) met, so it
reads without colour; the colour is the theme's (``tallies--met``, ``tallies--unmet``
in styles/coding.tcss). It is measured by ``observer.codebook.measure`` on the recorder's
live events, with the open segment running to the moment of the key: the figures the
session file will store. It never takes the focus.

``criteria_table``: the session file's evaluated ``criteria`` as the end summary's
table (criterion, figure, target, met).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from observer.codebook import Codebook, Criterion, CriterionRule
from observer.tui.plain import plain

if TYPE_CHECKING:  # the measuring and the session file load after the first frame
    from textual.widget import Widget

    from observer.codebook.measure import CriterionResult, RuleResult
    from observer.live.recorder import Recorder
    from observer.sessionfile import CriterionFigure

MET, UNMET = "✓", "✗"
COMPONENT_CLASSES = {"tallies--met", "tallies--unmet"}
"""The colours of met and unmet rules (styles/coding.tcss); a widget showing either
declares these."""
LABEL_WIDTH = 17
"""A criterion's label in the panel is cut to this (the panel is about 30 wide)."""


def met_style(widget: Widget, met: bool) -> Style:
    role = "tallies--met" if met else "tallies--unmet"
    return widget.get_component_rich_style(role, partial=True)


def short_target(rule: CriterionRule) -> str:
    """A rule's target in a few characters: ``≥10``, ``≤3``, ``2–5``, ``≥1.5``."""

    def n(value: float | None) -> str:
        return "-" if value is None else f"{value:g}"

    if rule.min is not None and rule.max is not None:
        return f"{n(rule.min)}–{n(rule.max)}"
    return f"≥{n(rule.min)}" if rule.min is not None else f"≤{n(rule.max)}"


def figure(value: float | None, ratio: bool) -> str:
    """A rule's value: a count as a whole number, a ratio to two places, ``–`` for a
    ratio over nothing."""
    if value is None:
        return "–"
    return f"{value:.2f}" if ratio else f"{value:.0f}"


def shown_criteria(book: Codebook, segment: str | None) -> list[Criterion]:
    """The criteria to tally while ``segment`` is open (None: none is): the segment's
    own, and those of the whole session."""
    return [c for c in book.criteria if c.segment is None or c.segment == segment]


def live_results(rec: Recorder, t: float) -> tuple[CriterionResult, ...]:
    """The criteria tallied now, on the live events up to session time ``t``."""
    from observer.codebook.measure import measure

    criteria = shown_criteria(rec.book, open_segment(rec))
    return measure(criteria, rec.events, rec.segments, max(t, rec.last_t))


def open_segment(rec: Recorder) -> str | None:
    spans = rec.segments
    return spans[-1].segment if spans and spans[-1].end is None else None


class Tallies(Static):
    """Live counts against the criteria; hidden while there is nothing to tally."""

    COMPONENT_CLASSES = COMPONENT_CLASSES
    DEFAULT_CSS = """
    Tallies { width: auto; height: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.results: tuple[CriterionResult, ...] = ()
        self.display = False

    def show(self, rec: Recorder, t: float) -> None:
        """Measure and redraw (each key, each undo or redo, each segment change)."""
        self.results = live_results(rec, t) if rec.clock.started else ()
        self.display = bool(self.results)
        if self.results:
            self.update(self.panel(rec.book))

    def panel(self, book: Codebook) -> Text:
        segments = [r.criterion.segment for r in self.results if r.criterion.segment]
        title = book.segment_by_id[segments[0]].label if segments else "criteria"
        lines = [plain(f"{title[: LABEL_WIDTH + 8]} · tallies", "bold")]
        for result in self.results:
            for i, rule in enumerate(result.rules):
                lines.append(self.line(result.criterion, rule, i == 0))
        return Text("\n").join(lines)

    def line(self, criterion: Criterion, rule: RuleResult, first: bool) -> Text:
        style = met_style(self, rule.met)
        label = criterion.label if first else ""
        if len(label) > LABEL_WIDTH:
            label = label[: LABEL_WIDTH - 1] + "…"
        count = figure(rule.value, rule.rule.ratio is not None)
        return Text.assemble(
            (MET if rule.met else UNMET, style),
            " ",
            plain(label.ljust(LABEL_WIDTH)),
            " ",
            (f"{count:>4}", style + Style(bold=True)),
            f"/{short_target(rule.rule):<4}",
        )


def criteria_table(widget: Widget, book: Codebook, stored: Sequence[CriterionFigure]) -> Table:
    """The evaluated criteria as a table: one row per rule, the criterion's label and
    its segment on its first row; met in words and with a symbol."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name, justify in (
        ("criterion", "left"),
        ("in", "left"),
        ("figure", "right"),
        ("target", "left"),
        ("met", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    by_id = {c.id: c for c in book.criteria}
    for result in stored:
        criterion = by_id[result.id]
        where = "session" if criterion.segment is None else book.segment_by_id[criterion.segment]
        place = where if isinstance(where, str) else where.label
        for i, (rule, fig) in enumerate(zip(criterion.rules, result.rules, strict=True)):
            style = met_style(widget, fig.met)
            verdict = f"{MET} met" if fig.met else f"{UNMET} not met"
            table.add_row(
                plain(criterion.label) if i == 0 else "",
                plain(place) if i == 0 else "",
                Text(figure(fig.value, rule.ratio is not None), style),
                plain(fig.target),
                Text(verdict, style),
            )
        if len(criterion.rules) > 1:
            overall = f"{MET} all met" if result.met else f"{UNMET} not all met"
            table.add_row("", "", "", "", Text(overall, met_style(widget, result.met)))
        elif not result.met and all(f.met for f in result.rules):
            # every rule met but the segment was never marked
            table.add_row("", "", "", "", Text("segment not marked", met_style(widget, False)))
    return table
