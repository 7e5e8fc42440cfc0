"""Text for the replay screen's list rows and side panels (Rich Text, no widgets)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from observer.replay.clock import format_clock
from observer.textsafe import safe
from observer.tui.replay.timeline import MARKS, REVIEW_MARKS

if TYPE_CHECKING:
    from observer.replay.compare import Comparison
    from observer.sessionfile import Correction, Event, Review, Session


def event_row(
    events: Sequence[Event],
    index: int,
    colours: Mapping[str, Style],
    actors: Mapping[str, str],
    marks: Mapping[int, str],
) -> Text:
    e = events[index]
    text = Text(no_wrap=True)
    text.append(f"{format_clock(e.start):>10}  ", "dim")
    text.append(f"{actors.get(e.code, ''):<10} ")
    text.append(f"{e.code:<22} ", colours.get(e.code))
    text.append(f"{e.duration:7.1f} s" if e.duration is not None else "  point  ", "dim")
    if e.modifiers:
        text.append("  " + " ".join(f"{k}={v}" for k, v in sorted(e.modifiers.items())))
    if index in marks:
        text.append(f"  {marks[index]}", "bold cyan")
    return text


def pair_row(comparison: Comparison, position: int) -> Text:
    pair = comparison.pairs[position]
    a, b = comparison.a.events, comparison.b.events
    symbol, style = MARKS[pair.kind]
    text = Text(no_wrap=True)
    text.append(f"{format_clock(comparison.times[position]):>10}  ", "dim")
    text.append(f"{symbol} {pair.kind:<12} ", style)
    text.append(f"A {a[pair.a].code if pair.a is not None else '—':<20} ")
    text.append(f"B {b[pair.b].code if pair.b is not None else '—':<20}")
    if pair.a is not None and pair.b is not None:
        text.append(f" Δ {b[pair.b].start - a[pair.a].start:+.2f} s", "dim")
    return text


def running_text(sides: Sequence[tuple[str, Session, list[int]]]) -> Text:
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
            text.append(f"{prefix}{e.code}  {span}\n")
    text.rstrip()
    return text


def summary_text(session: Session, allowed: Collection[str] | None) -> Text:
    """Counts, rates and durations per code (observer.analysis.stats) for the codes shown."""
    from observer.analysis.stats import session_stats

    stats = session_stats(session)
    text = Text(f"{session.id}\n{format_clock(session.duration)} long\n\n", "bold", no_wrap=True)
    text.append(f"{'code':<20}{'n':>5}{'/min':>6}{'total s':>8}{'mean s':>7}{'prop':>5}\n", "dim")
    for row in stats.codes:
        if allowed is not None and row.code not in allowed:
            continue
        rate = "" if row.rate_per_min is None else f"{row.rate_per_min:.2f}"
        total = "" if row.total_s is None else f"{row.total_s:.1f}"
        mean = "" if row.mean_s is None else f"{row.mean_s:.1f}"
        prop = "" if row.proportion is None else f"{row.proportion:.2f}"
        line = f"{row.code[:19]:<20}{row.count:>5}{rate:>6}{total:>8}{mean:>7}{prop:>5}\n"
        text.append(line, "dim" if row.count == 0 else "")
    text.append(ratings_text(session))
    text.rstrip()
    return text


def ratings_text(session: Session) -> Text:
    """The session's ratings and computed composites (observer.scores);
    nothing when no rating was given (blank ones are then all there is)."""
    from observer.scores import BLANK, score_rows

    rows = score_rows(session.book, session.ratings)
    text = Text()
    if any(value != BLANK for _, value in rows):
        text.append("\nRatings\n", "bold")
        for label, value in rows:
            text.append(f"{label}: ", "dim")
            text.append(f"{value}\n")
    return text


def correction_text(fix: Correction) -> str:
    if fix.action == "recode":
        return f"recode → {fix.code}"
    if fix.action == "delete":
        return "delete"
    times = format_clock(fix.start or 0.0, decimals=2)
    if fix.end is not None:
        times += f"–{format_clock(fix.end, decimals=2)}"
    if fix.action == "retime":
        return f"retime → {times}"
    return f"add {fix.code} at {times}"


def review_label(review: Review, events: Sequence[Event]) -> Text:
    text = Text(no_wrap=True)
    text.append(f"{format_clock(review.t):>9} {REVIEW_MARKS[review.kind]} ", "bold cyan")
    text.append(f"{safe(review.reviewer)}: ", "bold")
    if review.event is not None:
        text.append(f"[{events[review.event].code}] ", "dim")
    if review.correction is not None:
        fix = correction_text(review.correction) + (" · " if review.text else "")
        text.append(safe(fix), "yellow")
    text.append(safe(review.text))
    if review.edited_at:
        text.append(" (edited)", "dim")
    return text


def event_marks(reviews: Sequence[Review]) -> dict[int, str]:
    """Per event index, the marks of the flags and corrections attached to it."""
    out: dict[int, str] = {}
    for review in reviews:
        if review.event is not None:
            out[review.event] = out.get(review.event, "") + REVIEW_MARKS[review.kind]
    return out
