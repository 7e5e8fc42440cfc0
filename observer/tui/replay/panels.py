"""Text for the replay screen's list rows and side panels (Rich Text, no widgets)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
from rich.style import Style
from rich.text import Text

from observer.replay.clock import format_clock
from observer.replay.view import REVIEW_MARKS
from observer.textsafe import safe
from observer.tui.replay.timeline import SYMBOLS, Palette

if TYPE_CHECKING:
    from observer.codebook import Codebook
    from observer.replay.compare import Comparison
    from observer.sessionfile import Correction, Event, Note, Review, Session


@attrs.frozen
class Columns:
    """Widths of the event list's columns, as narrow as the codebook and session allow
    (so modifiers and, in compare mode, B's code and Δ fit from 80 columns up), and the
    name each code is shown by (its label, or its id: :func:`code_names`)."""

    time: int
    actor: int
    code: int
    names: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    modifiers: int = 0
    """The longest modifiers text a row may end with."""

    @classmethod
    def of(
        cls,
        book: Codebook,
        duration: float,
        names: Mapping[str, str] | None = None,
        used: Collection[str] | None = None,
    ) -> Columns:
        """``used``: the codes the sessions hold (the code column is as wide as their names)."""
        names = code_names(book, ids=True) if names is None else names
        codes = [c for c in book.codes if used is None or c.id in used]
        return cls(
            time=len(format_clock(duration)),
            actor=max((len(a.id) for a in book.actors), default=5),
            code=max((len(names[c.id]) for c in codes), default=4),
            names=names,
            modifiers=max((_modifiers_width(book, c.modifiers) for c in codes), default=0),
        )

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def width(self, *, compare: bool) -> int:
        """The columns a row needs (a pair row in compare mode), with room for a scrollbar."""
        if compare:  # time, mark and kind, A's code, B's code, Δ
            return self.time + 1 + 15 + self.code + 3 + self.code + 2 + 7 + 2
        # time, actor, code, duration, review marks, modifiers
        return self.time + 1 + self.actor + 1 + self.code + 1 + 7 + 5 + self.modifiers + 2


def _modifiers_width(book: Codebook, modifiers: Sequence[str]) -> int:
    """The widest ``  id=value`` list a code's modifiers can make."""
    if not modifiers:
        return 0
    values = [max((len(v.id) for v in book.modifier_by_id[m].values), default=0) for m in modifiers]
    return 2 + sum(len(m) + 1 + n for m, n in zip(modifiers, values, strict=True)) + len(values) - 1


def code_names(book: Codebook, *, ids: bool) -> dict[str, str]:
    """Code id → the name shown: its label (as the coding screen shows it), or its id."""
    return {c.id: safe(c.id if ids else c.label) for c in book.codes}


def event_row(
    events: Sequence[Event],
    index: int,
    colours: Mapping[str, Style],
    actors: Mapping[str, str],
    marks: Mapping[int, str],
    columns: Columns,
    palette: Palette,
) -> Text:
    e = events[index]
    text = Text(no_wrap=True)
    text.append(f"{format_clock(e.start):>{columns.time}} ", "dim")
    text.append(safe(f"{actors.get(e.code, ''):<{columns.actor}} "))
    text.append(f"{columns.name(e.code):<{columns.code}} ", colours.get(e.code))
    text.append(f"{e.duration:5.1f} s" if e.duration is not None else "  point", "dim")
    if index in marks:
        text.append(f" {marks[index]}", palette.roles["mark"])
    if e.modifiers:
        text.append(safe("  " + " ".join(f"{k}={v}" for k, v in sorted(e.modifiers.items()))))
    return text


def note_row(note: Note, columns: Columns) -> Text:
    """A note in the event list: its time, then its text (data, never markup)."""
    text = Text(no_wrap=True)
    text.append(f"{format_clock(note.t):>{columns.time}} ", "dim")
    text.append(f"{'note':<{columns.actor}} ", "italic")
    text.append(safe(note.text), "italic")
    return text


def pair_row(comparison: Comparison, position: int, columns: Columns, palette: Palette) -> Text:
    pair = comparison.pairs[position]
    a, b = comparison.a.events, comparison.b.events
    symbol, style = SYMBOLS[pair.kind], palette.roles[pair.kind]
    text = Text(no_wrap=True)
    text.append(f"{format_clock(comparison.times[position]):>{columns.time}} ", "dim")
    text.append(f"{symbol} {pair.kind:<12} ", style)
    a_name = columns.name(a[pair.a].code) if pair.a is not None else "—"
    b_name = columns.name(b[pair.b].code) if pair.b is not None else "—"
    text.append(f"A {a_name:<{columns.code}} ")
    text.append(f"B {b_name:<{columns.code}}")
    if pair.a is not None and pair.b is not None:
        text.append(f" Δ{b[pair.b].start - a[pair.a].start:+.2f}", "dim")
    return text


def running_text(sides: Sequence[tuple[str, Session, list[int]]], names: Mapping[str, str]) -> Text:
    """The states running at the playhead, per session ("A"/"B" in compare mode, else "").

    Only their starts and ends are shown, so the text changes only when the set of
    running states does, and playback redraws it only then.
    """
    text = Text("Running at the playhead\n", style="bold")
    for side, session, running in sides:
        prefix = f"{side} " if side else ""
        if not running:
            text.append(f"{prefix}nothing\n", "dim")
        for i in running:
            e = session.events[i]
            span = f"{format_clock(e.start)}–{format_clock(e.end or e.start)}"
            text.append(f"{prefix}{names.get(e.code, safe(e.code))}  {span}\n")
    text.rstrip()
    return text


def summary_text(session: Session, allowed: Collection[str] | None) -> Text:
    """Counts, rates and durations per code (observer.analysis.stats) for the codes shown."""
    from observer.analysis.stats import session_stats

    stats = session_stats(session)
    text = Text(
        f"{safe(session.id)}\n{format_clock(session.duration)} long\n", "bold", no_wrap=True
    )
    append_ratings_and_pauses(text, session)
    text.append("\n")
    w = max((len(row.code) for row in stats.codes), default=4) + 1
    text.append(f"{'code':<{w}}{'n':>4}{'/min':>6}{'total s':>8}{'mean s':>7}{'prop':>5}\n", "dim")
    for row in stats.codes:
        if allowed is not None and row.code not in allowed:
            continue
        rate = "" if row.rate_per_min is None else f"{row.rate_per_min:.2f}"
        total = "" if row.total_s is None else f"{row.total_s:.1f}"
        mean = "" if row.mean_s is None else f"{row.mean_s:.1f}"
        prop = "" if row.proportion is None else f"{row.proportion:.2f}"
        line = f"{row.code:<{w}}{row.count:>4}{rate:>6}{total:>8}{mean:>7}{prop:>5}\n"
        text.append(line, "dim" if row.count == 0 else "")
    text.rstrip()
    return text


def append_ratings_and_pauses(text: Text, session: Session) -> None:
    """The session's ratings by label, with composites computed (observer.scores;
    ``not rated`` where none was given), and the coder's pauses, above the counts."""
    from observer.scores import BLANK, score_rows

    rows = score_rows(session.book, session.ratings)
    if rows:
        text.append("\nRatings\n", "bold")
        for label, value in rows:
            shown = "not rated" if value == BLANK else value
            text.append(f"{safe(label)}: ")
            text.append(f"{safe(shown)}\n", "dim" if value == BLANK else "")
    text.append("\nPauses\n", "bold")
    if not session.pauses:
        text.append("none: the clock ran throughout\n", "dim")
    for pause in session.pauses:
        text.append(f"at {format_clock(pause.at)} for {pause.wall_s:.0f} s of wall time\n")


def correction_text(fix: Correction, names: Mapping[str, str]) -> str:
    code = names.get(fix.code or "", fix.code or "")
    if fix.action == "recode":
        return f"recode → {code}"
    if fix.action == "delete":
        return "delete"
    times = format_clock(fix.start or 0.0, decimals=2)
    if fix.end is not None:
        times += f"–{format_clock(fix.end, decimals=2)}"
    if fix.action == "retime":
        return f"retime → {times}"
    return f"add {code} at {times}"


def review_label(
    review: Review, events: Sequence[Event], palette: Palette, names: Mapping[str, str]
) -> Text:
    text = Text(no_wrap=True)
    text.append(f"{format_clock(review.t):>9} {REVIEW_MARKS[review.kind]} ", palette.roles["mark"])
    text.append(f"{safe(review.reviewer)}: ", "bold")
    if review.event is not None:
        code = events[review.event].code
        text.append(f"[{names.get(code, safe(code))}] ", "dim")
    if review.correction is not None:
        fix = correction_text(review.correction, names) + (" · " if review.text else "")
        text.append(safe(fix), palette.roles["correction"])
    text.append(safe(review.text))
    if review.edited_at:
        text.append(" (edited)", "dim")
    return text
