"""The ratings form at the end of a session: every rating of the codebook in one form.

One field per rating, and per segment for a segment-scoped rating (only the
segments it is asked in, and of those only the ones coded when any were). A scale
takes a number on the scale; a category its value's id, typed in either case
(``b2``), or chosen from its list with up and down; a check ``y`` or ``n``, or
up and down through yes, no and blank; an allocation one field per part (its
points), with the running sum beside it: it is saved when the parts sum to the
total, or all are blank (not rated), and refused otherwise. A blank field is saved
as null. Anchors
and category values are listed in full under their rating, wrapped to the width
of the screen. Composites are computed live below the form as the items are
filled, and can never be typed. ctrl+s saves; ctrl+q saves and quits.

The form dismisses with ``(values, then_quit)``: ``values`` maps (rating id,
segment id or None) to the value (a number, a value id, true/false, or None).
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from observer.codebook import AllocationPart, Codebook, Rating, RatingScalar, Segment
from observer.scores import label_of, scores, shown
from observer.structure import Number
from observer.textsafe import safe
from observer.tui import styles
from observer.tui.forms import FIELD_BINDINGS, FormField, keys_ready
from observer.tui.plain import plain
from observer.tui.targets import TapsAsKeys, target

Ratings = dict[tuple[str, str | None], RatingScalar]
"""(rating id, segment id or None) -> value, None for a blank field."""

CHECK_ANSWERS = {"y": True, "yes": True, "n": False, "no": False}


def parse_rating(rating: Rating, text: str) -> tuple[RatingScalar, str | None]:
    """A typed value: (value, None), (None, None) for blank, or (None, problem)."""
    text = text.strip()
    if not text:
        return None, None
    if rating.kind == "check":
        answer = CHECK_ANSWERS.get(text.casefold())
        if answer is None:
            return None, f"{rating.label}: {text!r} is not y (yes) or n (no)"
        return answer, None
    if rating.kind == "category":
        found = next((v.id for v in rating.values if v.id.casefold() == text.casefold()), None)
        if found is None:
            known = ", ".join(v.id for v in rating.values)
            return None, f"{rating.label}: {text!r} is not one of {known}"
        return found, None
    try:
        value: Number = int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return None, f"{rating.label}: {text!r} is not a number"
    if not rating.accepts(value):
        step = "" if rating.step == 1 else f" in steps of {rating.step}"
        return None, f"{rating.label}: {text} is not on the scale {rating.min}-{rating.max}{step}"
    return value, None


def parse_allocation(rating: Rating, texts: dict[str, str]) -> tuple[RatingScalar, str | None]:
    """An allocation's part fields (part id → text): (the points per part, None),
    (None, None) when every part is blank, or (None, problem)."""
    points: dict[str, int] = {}
    for part in rating.parts:
        text = texts.get(part.id, "").strip()
        if not text:
            continue
        if not text.isdigit() or not 0 <= int(text) <= rating.part_max(part):
            return None, (
                f"{rating.label}: {part.label}: {text!r} is not from 0 to {rating.part_max(part)}"
            )
        points[part.id] = int(text)
    if not points:
        return None, None
    given = sum(points.values())
    if len(points) < len(rating.parts) or given != rating.total:
        blank = len(rating.parts) - len(points)
        more = f", {blank} part{'s' if blank > 1 else ''} blank" if blank else ""
        return None, (
            f"{rating.label}: the parts sum to {given} of {rating.total}{more}"
            " (give every part its points to make the total, or leave them all blank)"
        )
    return points, None


def running_sum(rating: Rating, texts: dict[str, str]) -> str:
    """The sum an allocation's fields make so far, against its total."""
    given = sum(int(t) for t in (v.strip() for v in texts.values()) if t.isdigit())
    if given == rating.total:
        return f"sum {given} of {rating.total}"
    gap = (rating.total or 0) - given
    return (
        f"sum {given} of {rating.total} ({gap} to go)"
        if gap > 0
        else (f"sum {given} of {rating.total} ({-gap} too many)")
    )


def choices(rating: Rating, part: AllocationPart | None = None) -> list[str]:
    """What up and down step through in a field: blank first, then the answers."""
    if part is not None:
        return ["", *(str(v) for v in rating.part_scale(part))]
    if rating.kind == "check":
        return ["", "y", "n"]
    if rating.kind == "category":
        return ["", *(v.id for v in rating.values)]
    return ["", *(str(v) for v in rating.scale())]


class RatingField(FormField):
    """A rating's field: typed, or stepped through its answers with up and down."""

    BINDINGS = [  # noqa: RUF012
        Binding("down", "step(1)", "next answer", show=False),
        Binding("up", "step(-1)", "previous answer", show=False),
    ]

    def __init__(
        self, rating: Rating, segment: str | None, part: AllocationPart | None = None
    ) -> None:
        restrict = {
            "scale": r"[0-9.\-]*",
            "check": r"[yYnNeEsSoO]*",
            "allocation": r"[0-9]*",
        }.get(rating.kind)
        super().__init__(classes="rating-field", restrict=restrict)
        self.rating = rating
        self.segment = segment
        self.part = part

    def action_step(self, delta: int) -> None:
        options = choices(self.rating, self.part)
        current = self.value.strip().casefold()
        folded = [o.casefold() for o in options]
        at = folded.index(current) if current in folded else 0
        self.value = options[(at + delta) % len(options)]
        self.cursor_position = len(self.value)


def _title(rating: Rating) -> Text:
    if rating.kind == "check":
        kind = "  y / n"
    elif rating.kind == "category":
        kind = "  choose one (type it, or up/down)"
    elif rating.kind == "allocation":
        kind = f"  {rating.total} points over its parts"
    else:
        kind = f"  {rating.min}–{rating.max}"
    return Text.assemble((safe(rating.label), "bold"), kind)


def _notes(rating: Rating) -> str:
    """Anchors, or the category's values, one a line (wrapped by the screen)."""
    if rating.kind == "category":
        lines = []
        for v in rating.values:
            cls = f" (class {v.class_})" if v.class_ and v.class_ != v.id else ""
            lines.append(f"{v.id} = {v.label or v.id}{cls}")
        return "\n".join(lines)
    anchors = sorted(rating.anchors.items(), key=lambda kv: float(kv[0]))
    return "\n".join(f"{k} = {v}" for k, v in anchors)


class RatingsForm(TapsAsKeys, Screen[tuple[Ratings, bool]]):
    """All ratings in one form; ctrl+s saves (blank = null). Dismisses with the values."""

    CSS_PATH = styles.CODING_SCREENS
    AUTO_FOCUS = ".rating-field"
    BINDINGS = [  # noqa: RUF012
        *FIELD_BINDINGS,
        Binding("ctrl+s", "save", "save ratings"),
        Binding("ctrl+q", "save(True)", "save and quit"),
    ]

    def __init__(self, book: Codebook, coded_segments: list[str]) -> None:
        super().__init__()
        self.book = book
        self.coded = set(coded_segments)

    def asked(self, rating: Rating) -> list[Segment | None]:
        """Where ``rating`` is asked: once (None), or in each of its segments, keeping
        only the coded ones when the session coded any of them."""
        if rating.scope != "segment":
            return [None]
        applicable = list(self.book.rating_segments(rating))
        coded = [s for s in applicable if s.id in self.coded]
        return list(coded or applicable)

    def compose(self) -> ComposeResult:
        title = Text.assemble(
            ("Ratings", "bold"),
            " · blank = not rated · tab moves · up/down steps through the answers · ",
        )
        title.append("ctrl+s", style=target("ctrl+s") + Style(bold=True))
        title.append(" saves", style=target("ctrl+s"))  # a tap on it saves
        yield Static(title, id="ratings-title")
        with VerticalScroll(id="ratings", can_focus=False):
            for rating in self.book.ratings:
                yield from self._rating(rating)
        if self.book.composites:
            yield Static(id="ratings-composites")
        yield Static(id="ratings-errors")

    def _rating(self, rating: Rating) -> ComposeResult:
        segments = self.asked(rating)
        if rating.kind == "allocation":
            with Horizontal(classes="rating-row"):
                yield Label(_title(rating), classes="rating-label -allocation")
                yield Static(classes="allocation-sum")
            for part in rating.parts:
                with Horizontal(classes="segment-row"):
                    yield RatingField(rating, None, part)
                    most = "" if part.max is None else f" (at most {part.max})"
                    yield Static(plain(part.label + most), classes="segment-name")
            notes = "\n".join(f"{p.label} = {p.description}" for p in rating.parts if p.description)
        elif segments == [None]:
            with Horizontal(classes="rating-row"):
                yield RatingField(rating, None)  # first: beside its item, in one column
                yield Label(_title(rating), classes="rating-label")
        else:
            yield Label(_title(rating) + " per segment", classes="rating-label -segmented")
            for segment in segments:
                assert segment is not None
                with Horizontal(classes="segment-row"):
                    yield RatingField(rating, segment.id)
                    yield Static(plain(segment.label), classes="segment-name")
        if rating.kind != "allocation":
            notes = _notes(rating)
        if notes:
            yield Static(Text(safe(notes, lines=True)), classes="rating-anchors")

    def on_mount(self) -> None:
        self.show_composites()
        self.show_sums()
        self.call_after_refresh(keys_ready, self)  # keys typed as the form opened

    def on_input_changed(self, _: Input.Changed) -> None:
        self.show_composites()
        self.show_sums()

    def field(
        self, rating_id: str, segment: str | None = None, part: str | None = None
    ) -> RatingField:
        """The field of a rating (in a segment, or of one of its parts); ids may hold
        '.', which widget ids may not."""
        return next(
            f
            for f in self.query(RatingField)
            if f.rating.id == rating_id
            and f.segment == segment
            and (f.part.id if f.part is not None else None) == part
        )

    def part_texts(self, rating: Rating) -> dict[str, str]:
        """An allocation's fields as typed: part id → text."""
        return {p.id: self.field(rating.id, None, p.id).value for p in rating.parts}

    def show_sums(self) -> None:
        """Each allocation's running sum against its total, beside its title."""
        sums = iter(self.query(".allocation-sum").results(Static))
        for rating in self.book.ratings:
            if rating.kind == "allocation":
                sum_static = next(sums)
                text = running_sum(rating, self.part_texts(rating))
                sum_static.update(Text(text))
                sum_static.set_class(not text.endswith(f"of {rating.total}"), "-short")

    def values(self) -> tuple[Ratings, list[str]]:
        out: Ratings = {}
        problems: list[str] = []
        for rating in self.book.ratings:
            if rating.kind == "allocation":
                value, problem = parse_allocation(rating, self.part_texts(rating))
                if problem:
                    problems.append(problem)
                out[(rating.id, None)] = value
                continue
            for segment in self.asked(rating):
                where = None if segment is None else segment.id
                field = self.field(rating.id, where)
                value, problem = parse_rating(rating, field.value)
                if problem:
                    problems.append(problem + ("" if segment is None else f" ({segment.label})"))
                out[(rating.id, where)] = value
        return out, problems

    def stored(self) -> dict[str, Any]:
        """The form's valid values shaped as a session file's ``ratings``."""
        out: dict[str, Any] = {}
        for (rating, segment), value in self.values()[0].items():
            if segment is None:
                out[rating] = value
            else:
                out.setdefault(rating, {})[segment] = value
        return out

    def show_composites(self) -> None:
        if not self.book.composites:
            return
        computed = scores(self.book, self.stored())
        lines = []
        for composite in self.book.composites:
            value = computed[composite.id]
            if isinstance(value, dict):
                text = ", ".join(
                    f"{self.book.segment_by_id[s].label} {shown(self.book, composite.id, v)}"
                    for s, v in value.items()
                )
            else:
                text = shown(self.book, composite.id, value)
            lines.append(f"{label_of(self.book, composite.id)}: {text}")
        title = Text("computed (not editable): ", style="bold")
        self.query_one("#ratings-composites", Static).update(title + Text(" · ".join(lines)))

    def action_save(self, then_quit: bool = False) -> None:
        """Dismiss with the values and whether to quit once the file is written."""
        values, problems = self.values()
        if problems:
            self.query_one("#ratings-errors", Static).update(Text("\n".join(problems)))
            return
        self.dismiss((values, then_quit))
