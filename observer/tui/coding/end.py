"""The end of a session: confirm, rate, summary.

``ConfirmEnd``: enter ends the session, escape goes back to coding (ctrl+q
also accepts: it is how an observer quits a running session). ``RatingsForm``:
every rating of the codebook in one form (one field per segment for
segment-scoped ratings); ctrl+s saves, a blank field is saved as null.
``Summary``: counts and durations per code of the file just written.
"""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from observer.analysis.stats import session_stats
from observer.codebook import Codebook, Rating
from observer.sessionfile import Session
from observer.structure import Number
from observer.tui.forms import FIELD_BINDINGS
from observer.tui.plain import plain
from observer.tui.widgets.clock import format_clock


class ConfirmEnd(ModalScreen[str]):
    """Enter accepts ("end"), ctrl+q accepts and quits afterwards ("quit"), escape
    declines (""); any other key is refused with a reminder."""

    def __init__(self, t: float, events_count: int, quitting: bool) -> None:
        super().__init__()
        self.t = t
        self.events_count = events_count
        self.quitting = quitting

    def compose(self) -> ComposeResult:
        then = " and quit" if self.quitting else ""
        with Vertical(id="confirm-box"):
            yield Static(
                f"End the session{then} at {format_clock(self.t)}?\n"
                f"{self.events_count} events; running states stop at that time.",
                id="confirm-text",
            )
            yield Static("enter  end the session    escape  keep coding", id="confirm-keys")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        if event.key == "enter":
            self.dismiss("quit" if self.quitting else "end")
        elif event.key == "ctrl+q":
            self.dismiss("quit")
        elif event.key == "escape":
            self.dismiss("")
        else:
            self.query_one("#confirm-keys", Static).update(
                "[b]enter[/b] ends the session · [b]escape[/b] keeps coding"
                f" (the key {event.key!r} did nothing)"
            )


def parse_rating(rating: Rating, text: str) -> tuple[Number | None, str | None]:
    """A typed value: (value, None), (None, None) for blank, or (None, problem)."""
    text = text.strip()
    if not text:
        return None, None
    try:
        value: Number = int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return None, f"{rating.label}: {text!r} is not a number"
    if not rating.accepts(value):
        step = "" if rating.step == 1 else f" in steps of {rating.step}"
        return None, f"{rating.label}: {text} is not on the scale {rating.min}-{rating.max}{step}"
    return value, None


def _field_id(rating: Rating, segment: str | None) -> str:
    return f"rate--{rating.id}--{segment or ''}"


Ratings = dict[tuple[str, str | None], Number | None]
"""(rating id, segment id or None) -> value, None for a blank field."""


class RatingsForm(Screen[tuple[Ratings, bool]]):
    """All ratings in one form; ctrl+s saves (blank = null). Dismisses with the values."""

    AUTO_FOCUS = ".rating-field"
    BINDINGS = [  # noqa: RUF012
        *FIELD_BINDINGS,
        Binding("ctrl+s", "save", "save ratings"),
        Binding("ctrl+q", "save(True)", "save and quit"),
    ]

    def __init__(self, book: Codebook, coded_segments: list[str]) -> None:
        super().__init__()
        self.book = book
        coded = [s for s in book.segments if s.id in coded_segments]
        self.segments = coded or list(book.segments)

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]Ratings[/b] · a value on each scale, blank = not rated · tab moves ·"
            " [b]ctrl+s[/b] saves",
            id="ratings-title",
        )
        with VerticalScroll(id="ratings"):
            for rating in self.book.ratings:
                title = Text.assemble(plain(rating.label, "bold"), f"  {rating.min}–{rating.max}")
                if rating.scope == "segment":
                    yield Label(title + " per segment", classes="rating-label -segmented")
                    with Grid(classes="segment-grid"):
                        for segment in self.segments:
                            with Horizontal(classes="segment-cell"):
                                yield Label(plain(segment.label[:12]), classes="segment-name")
                                yield self._field(rating, segment.id)
                else:
                    with Horizontal(classes="rating-row"):
                        yield Label(title, classes="rating-label")
                        yield self._field(rating, None)
                anchors = sorted(rating.anchors.items(), key=lambda kv: float(kv[0]))
                if anchors:
                    yield Label(
                        plain("  ".join(f"{k} = {v}" for k, v in anchors)),
                        classes="rating-anchors",
                    )
        yield Static(id="ratings-errors")

    @staticmethod
    def _field(rating: Rating, segment: str | None) -> Input:
        return Input(id=_field_id(rating, segment), classes="rating-field", restrict=r"[0-9.\-]*")

    def values(self) -> tuple[Ratings, list[str]]:
        out: Ratings = {}
        problems: list[str] = []
        for rating in self.book.ratings:
            targets = [s.id for s in self.segments] if rating.scope == "segment" else [None]
            for segment in targets:
                field = self.query_one(f"#{_field_id(rating, segment)}", Input)
                value, problem = parse_rating(rating, field.value)
                if problem:
                    where = f" ({self.book.segment_by_id[segment].label})" if segment else ""
                    problems.append(problem + where)
                out[(rating.id, segment)] = value
        return out, problems

    def action_save(self, then_quit: bool = False) -> None:
        """Dismiss with the values and whether to quit once the file is written."""
        values, problems = self.values()
        if problems:
            self.query_one("#ratings-errors", Static).update(
                Text("\n".join(problems), style="bold red")
            )
            return
        self.dismiss((values, then_quit))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary_table(session: Session) -> Table:
    """Counts and durations per code, in codebook order."""
    book = session.book
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name, justify in (
        ("key", "left"),
        ("code", "left"),
        ("actor", "left"),
        ("count", "right"),
        ("total", "right"),
        ("mean", "right"),
        ("% of session", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for code, stats in zip(book.codes, session_stats(session).codes, strict=True):
        if not stats.count:
            continue
        actor = book.actor_by_id[code.actor].label
        cells = ("", "", "")
        if stats.total_s is not None and stats.mean_s is not None:
            share = "–" if stats.proportion is None else f"{100 * stats.proportion:.1f}"
            cells = (f"{stats.total_s:.1f} s", f"{stats.mean_s:.1f} s", share)
        table.add_row(plain(code.key), plain(code.label), plain(actor), str(stats.count), *cells)
    return table


class Summary(Screen[None]):
    """What was saved: the file, the duration, counts and durations per code."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter,q,escape", "app.quit", "close"),
    ]

    def __init__(self, session: Session, path: Path) -> None:
        super().__init__()
        self.session = session
        self.path = path

    def compose(self) -> ComposeResult:
        s = self.session
        yield Static(
            Text.assemble(
                ("Session saved", "bold"),
                plain(f" · {self.path}"),
                "\n",
                plain(
                    f"{s.dyad} · {s.observer} · {format_clock(s.duration)} coded"
                    f" · {_count(len(s.events), 'event')} · {_count(len(s.notes), 'note')}"
                    f" · {_count(len(s.pauses), 'pause')}"
                ),
            ),
            id="summary-title",
        )
        with VerticalScroll(id="summary"):
            yield Static(summary_table(s))
        yield Static("enter, q or ctrl+q closes", id="summary-keys")
