"""The replay screen's review actions: comment, flag, correction, edit, delete.

Each entry is made and checked by ``observer.review`` and saved at once with
``observer.sessionfile.save_reviews`` (an atomic rewrite; ``events`` never change).
The reviewer's id is asked the first time and remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import OptionList

from observer.errors import InputError
from observer.replay.clock import format_clock, parse_span
from observer.tui.replay.dialogs import ChoicePrompt, TextPrompt
from observer.tui.replay.panels import event_marks

if TYPE_CHECKING:
    from observer.sessionfile import Correction, Review, Session

ACTIONS = (
    ("recode", "recode: the event should have another code"),
    ("retime", "retime: the event should start (and end) at other times"),
    ("delete", "delete: the event should not be there"),
    ("add", "add: an event is missing here"),
)


def _times_check(
    state: bool, around: tuple[float, float | None] | None = None
) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        try:
            parse_span(text, state, around)
        except ValueError as error:
            return str(error)
        return None

    return check


class ReviewActions:
    """Mixed into ReplayScreen (which provides the attributes declared below)."""

    if TYPE_CHECKING:
        path: Path
        session: Session
        file_sha256: str | None
        config: Path | None
        marks: dict[int, str]
        playhead: Any
        comparison: Any
        index: Any
        app: Any
        _row: int | None

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def _fill_reviews(self) -> None: ...
        def _refill(self) -> None: ...
        def sync(self) -> None: ...

    reviewer: str | None = None
    draft: str = ""
    """The text of a comment or flag whose save was refused, offered again."""

    def review_by_id(self, review_id: str | None) -> Review | None:
        return next((r for r in self.session.reviews if r.id == review_id), None)

    def current_event(self) -> int | None:
        """Index into the session's events of the event at the playhead (A's in compare)."""
        row = self._row
        if row is None:
            return None
        if self.comparison is not None:
            pair = self.comparison.pairs[self.pair_rows[row]]
            return pair.a  # type: ignore[no-any-return]
        return self.index.shown[row]  # type: ignore[no-any-return]

    pair_rows: list[int]

    async def ensure_reviewer(self) -> str | None:
        from observer import review as rv

        if self.reviewer is None:
            self.reviewer = rv.load_reviewer(self.config)
        if self.reviewer is None:

            def check(text: str) -> str | None:
                try:
                    rv.check_reviewer(text)
                except rv.ReviewError as error:
                    return str(error)
                return None

            where = self.config or rv.config_path()
            answer = await self.app.push_screen_wait(
                TextPrompt(
                    "Your reviewer id (asked once)",
                    hint=f"remembered in {where}",
                    check=check,
                )
            )
            if answer is None:
                return None
            rv.save_reviewer(answer, self.config)
            self.reviewer = rv.check_reviewer(answer)
        return self.reviewer

    def save(self, reviews: tuple[Review, ...], done: str) -> bool:
        from observer.live.journal import failure_reason
        from observer.sessionfile import save_reviews

        try:
            self.session, self.file_sha256 = save_reviews(
                self.path, self.session, reviews, sha256=self.file_sha256
            )
        except InputError as error:
            problem = "; ".join(p.message for p in error.problems)
            self.notify(f"NOT SAVED: {problem}", severity="error", markup=False, timeout=10)
            return False
        except OSError as error:
            reason = failure_reason(error)
            self.notify(f"NOT SAVED: {reason}", severity="error", markup=False, timeout=10)
            return False
        self.marks = event_marks(self.session.reviews)
        self._fill_reviews()
        self._refill()
        self.sync()
        self.notify(done, timeout=2, markup=False)
        return True

    def _add(self, **entry: Any) -> bool:
        from observer import review as rv

        assert self.reviewer is not None
        try:
            review = rv.new_entry(self.session, self.reviewer, t=self.playhead.time(), **entry)
        except rv.ReviewError as error:
            self.notify(str(error), severity="error", markup=False)
            return False
        return self.save((*self.session.reviews, review), f"saved {review.kind} {review.id}")

    def _add_text(self, text: str, **entry: Any) -> None:
        """Save a typed entry; when that is refused its text is kept for the next prompt."""
        saved = self._add(text=text, **entry)
        self.draft = "" if saved else text
        if not saved:
            self.notify("your text is kept: it is offered again", markup=False)

    @work(exclusive=True, group="review")
    async def action_comment(self) -> None:
        if await self.ensure_reviewer() is None:
            return
        at = format_clock(self.playhead.time())
        text = await self.app.push_screen_wait(TextPrompt(f"Comment at {at}", value=self.draft))
        if text:
            self._add_text(text, kind="comment")

    @work(exclusive=True, group="review")
    async def action_flag(self) -> None:
        event = self.current_event()
        if event is None:
            self.notify("no event at the playhead to flag", severity="warning")
            return
        if await self.ensure_reviewer() is None:
            return
        code = self.session.events[event].code
        text = await self.app.push_screen_wait(
            TextPrompt(
                f"Flag {code} at {format_clock(self.session.events[event].start)}: why?",
                value=self.draft,
            )
        )
        if text is not None:
            self._add_text(text, kind="flag", event=event)

    @work(exclusive=True, group="review")
    async def action_correct(self) -> None:
        event = self.current_event()
        if await self.ensure_reviewer() is None:
            return
        options = ACTIONS if event is not None else ACTIONS[3:]
        action = await self.app.push_screen_wait(ChoicePrompt("Propose a correction", options))
        if action is None:
            return
        fix = await self._ask_correction(action, event)
        if fix is None:
            return
        text = await self.app.push_screen_wait(TextPrompt("Reason (optional)"))
        if text is not None:
            self._add(
                kind="correction",
                event=None if action == "add" else event,
                correction=fix,
                text=text,
            )

    async def _ask_correction(self, action: str, event: int | None) -> Correction | None:
        from observer.sessionfile import Correction

        book = self.session.book
        if action == "delete":
            return Correction("delete")
        if action in ("recode", "retime"):
            assert event is not None
            current = self.session.events[event]
            code = book.code_by_id[current.code]
            if action == "recode":
                options = [
                    (c.id, f"{c.key}  {c.id}")
                    for c in book.codes
                    if c.kind == code.kind and c.id != code.id and c.stream == code.stream
                ] + [
                    (c.id, f"{c.key}  {c.id}  (another stream)")
                    for c in book.codes
                    if c.kind == code.kind and c.stream != code.stream
                ]
                chosen = await self.app.push_screen_wait(
                    ChoicePrompt(f"Recode {current.code} as", options)
                )
                return None if chosen is None else Correction("recode", code=chosen)
            state = current.end is not None
            value = format_clock(current.start, decimals=2)
            if current.end is not None:
                value += f"-{format_clock(current.end, decimals=2)}"
            around = (current.start, current.end)
            times = await self.app.push_screen_wait(
                TextPrompt(
                    "New times (start-end for a state), or a shift in seconds (+0.5, -1.2)",
                    value=value,
                    check=_times_check(state, around),
                )
            )
            if times is None:
                return None
            start, end = parse_span(times, state, around)
            return Correction("retime", start=start, end=end)
        options = [(c.id, f"{c.key}  {c.id}") for c in book.codes]
        chosen = await self.app.push_screen_wait(ChoicePrompt("Add which code?", options))
        if chosen is None:
            return None
        state = book.code_by_id[chosen].kind == "state"
        t = format_clock(self.playhead.time(), decimals=2)
        times = await self.app.push_screen_wait(
            TextPrompt(
                "Times of the missing event" + (" (start-end)" if state else ""),
                value=f"{t}-{t}" if state else t,
                check=_times_check(state),
            )
        )
        if times is None:
            return None
        start, end = parse_span(times, state)
        return Correction("add", code=chosen, start=start, end=end)

    # --- the reviews list ----------------------------------------------------------------

    def _own(self, review: Review | None) -> bool:
        if review is None:
            return False
        if review.reviewer != self.reviewer:
            self.notify(
                f"only {review.reviewer} can change this entry", severity="warning", markup=False
            )
            return False
        return True

    @work(exclusive=True, group="review")
    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from observer import review as rv

        if event.option_list.id != "replay-reviews":
            return
        await self.ensure_reviewer()
        review = self.review_by_id(event.option.id)
        if review is None or not self._own(review):
            return
        text = await self.app.push_screen_wait(
            TextPrompt(f"Edit {review.kind} {review.id}", value=review.text)
        )
        if text is None:
            return
        assert self.reviewer is not None
        try:
            reviews = rv.edited(self.session, review.id, self.reviewer, text=text)
        except rv.ReviewError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.save(reviews, f"saved {review.id}")

    @work(exclusive=True, group="review")
    async def action_delete_review(self) -> None:
        from observer import review as rv

        await self.ensure_reviewer()
        reviews = self.query_one("#replay-reviews", OptionList)
        if not reviews.has_focus or reviews.highlighted is None:
            return
        review = self.review_by_id(reviews.get_option_at_index(reviews.highlighted).id)
        if review is None or not self._own(review):
            return
        answer = await self.app.push_screen_wait(
            ChoicePrompt(
                f"Delete {review.kind} {review.id}?",
                [("keep", "No, keep it"), ("delete", "Yes, delete it")],
            )
        )
        if answer == "delete":
            assert self.reviewer is not None
            self.save(rv.without(self.session, review.id, self.reviewer), f"deleted {review.id}")
