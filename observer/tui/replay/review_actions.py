"""The replay screen's review actions: comment, flag, correction, edit, delete.

The dialogs ask; ``observer.replay.reviewing.ReviewDesk`` makes, checks and saves
each entry at once. Every dialog names the event it acts on (its code's label and
time). The reviewer's id is asked the first time and remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen
from textual.widgets import OptionList

from observer.replay.clock import format_clock, parse_span
from observer.replay.reviewing import Outcome, ReviewDesk
from observer.replay.view import ReplayView, code_label, event_name
from observer.tui.plain import notice
from observer.tui.widgets.dialogs import ChoicePrompt, TextPrompt

if TYPE_CHECKING:
    from observer.sessionfile import Correction, Review

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
            start, end = parse_span(text, state, around)
        except ValueError as error:
            return str(error)
        if end is not None and end <= start:
            return "a state bout must last: its end must come after its start"
        return None

    return check


class ReviewActions(Screen[None]):
    """The review half of the replay screen: dialogs in, :class:`ReviewDesk` out."""

    model: ReplayView
    desk: ReviewDesk

    def after_save(self) -> None:
        """Redraw what the saved entries change (the replay screen does)."""

    def review_by_id(self, review_id: str | None) -> Review | None:
        return next((r for r in self.model.session.reviews if r.id == review_id), None)

    async def ensure_reviewer(self) -> str | None:
        from observer import review as rv

        desk = self.desk
        if desk.known_reviewer() is None:

            def check(text: str) -> str | None:
                try:
                    rv.check_reviewer(text)
                except rv.ReviewError as error:
                    return str(error)
                return None

            answer = await self.app.push_screen_wait(
                TextPrompt(
                    "Your reviewer id (asked once)",
                    hint=f"remembered in {desk.config_path()}",
                    check=check,
                )
            )
            if answer is None:
                return None
            desk.remember(answer)
        return desk.reviewer

    draft = ""
    """The text of a comment whose save was refused: offered again at the next prompt."""

    def _report(self, outcome: Outcome) -> None:
        if outcome.saved:
            self.after_save()
            notice(self, outcome.message, timeout=2)
        else:
            notice(self, f"NOT SAVED: {outcome.message}", severity="error")

    def _add(self, **entry: Any) -> bool:
        outcome = self.desk.add(self.model, **entry)
        self._report(outcome)
        return outcome.saved

    def _named(self, event: int) -> str:
        return event_name(self.model.book, self.model.session.events[event])

    @work(exclusive=True, group="review")
    async def action_comment(self) -> None:
        if await self.ensure_reviewer() is None:
            return
        at = format_clock(self.model.time())
        text = await self.app.push_screen_wait(TextPrompt(f"Comment at {at}", value=self.draft))
        if text:
            self.draft = "" if self._add(kind="comment", text=text) else text

    @work(exclusive=True, group="review")
    async def action_flag(self) -> None:
        event = self.model.current_event()
        if event is None:
            notice(self, "no event at the playhead to flag", severity="warning")
            return
        if await self.ensure_reviewer() is None:
            return
        text = await self.app.push_screen_wait(TextPrompt(f"Flag {self._named(event)}: why?"))
        if text is not None:
            self._add(kind="flag", event=event, text=text)

    @work(exclusive=True, group="review")
    async def action_correct(self) -> None:
        event = self.model.current_event()
        if await self.ensure_reviewer() is None:
            return
        options = ACTIONS if event is not None else ACTIONS[3:]
        title = "Propose a correction"
        if event is not None:
            title += f" (the event at the playhead: {self._named(event)})"
        action = await self.app.push_screen_wait(ChoicePrompt(title, options))
        if action is None:
            return
        fix = await self._ask_correction(action, event)
        if fix is None:
            return
        what = self._correction_name(fix, None if action == "add" else event)
        text = await self.app.push_screen_wait(TextPrompt(f"{what}: reason (optional)"))
        if text is not None:
            self._add(
                kind="correction",
                event=None if action == "add" else event,
                correction=fix,
                text=text,
            )

    def _correction_name(self, fix: Correction, event: int | None) -> str:
        book = self.model.book
        if event is None:
            return f"Add {code_label(book, fix.code or '')}"
        return f"{fix.action.capitalize()} {self._named(event)}"

    async def _ask_correction(self, action: str, event: int | None) -> Correction | None:
        from observer.sessionfile import Correction

        book = self.model.book
        if action == "delete":
            return Correction("delete")
        if action in ("recode", "retime"):
            assert event is not None
            current = self.model.session.events[event]
            code = book.code_by_id[current.code]
            named = self._named(event)
            if action == "recode":
                options = [
                    (c.id, f"{c.key}  {c.label}")
                    for c in book.codes
                    if c.kind == code.kind and c.id != code.id and c.stream == code.stream
                ] + [
                    (c.id, f"{c.key}  {c.label}  (another stream)")
                    for c in book.codes
                    if c.kind == code.kind and c.stream != code.stream
                ]
                keys = {book.code_by_id[i].key: i for i, _ in options}
                chosen = await self.app.push_screen_wait(
                    ChoicePrompt(f"Recode {named} as (its key, or enter)", options, keys=keys)
                )
                return None if chosen is None else Correction("recode", code=chosen)
            state = current.end is not None
            value = format_clock(current.start, decimals=2)
            if current.end is not None:
                value += f"-{format_clock(current.end, decimals=2)}"
            around = (current.start, current.end)
            shape = "start-end" if state else "time"
            times = await self.app.push_screen_wait(
                TextPrompt(
                    f"Retime {named}: new {shape}, or a shift in seconds (+0.5, -1.2)",
                    value=value,
                    check=_times_check(state, around),
                )
            )
            if times is None:
                return None
            start, end = parse_span(times, state, around)
            return Correction("retime", start=start, end=end)
        options = [(c.id, f"{c.key}  {c.label}") for c in book.codes]
        keys = {c.key: c.id for c in book.codes}
        chosen = await self.app.push_screen_wait(
            ChoicePrompt("Add which code? (its key, or the arrows and enter)", options, keys=keys)
        )
        if chosen is None:
            return None
        code = book.code_by_id[chosen]
        state = code.kind == "state"
        t = format_clock(self.model.time(), decimals=2)
        until = format_clock(min(self.model.time() + 1.0, self.model.session.duration), decimals=2)
        times = await self.app.push_screen_wait(
            TextPrompt(
                f"Add {code.label} ({code.kind}): "
                + ("start-end of the missing bout" if state else "time of the missing event"),
                value=f"{t}-{until}" if state else t,
                check=_times_check(state),
            )
        )
        if times is None:
            return None
        start, stop = parse_span(times, state)
        return Correction("add", code=chosen, start=start, end=stop)

    # --- the reviews list ----------------------------------------------------------------

    def _own(self, review: Review | None) -> bool:
        if review is None:
            return False
        refused = self.desk.owns(review)
        if refused is not None:
            notice(self, refused, severity="warning")
            return False
        return True

    def _entry_name(self, review: Review) -> str:
        name = f"{review.kind} {review.id} at {format_clock(review.t)}"
        if review.event is not None:
            name += f" (on {self._named(review.event)})"
        return name

    @work(exclusive=True, group="review")
    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "replay-reviews":
            return
        await self.ensure_reviewer()
        review = self.review_by_id(event.option.id)
        if review is None or not self._own(review):
            return
        text = await self.app.push_screen_wait(
            TextPrompt(f"Edit {self._entry_name(review)}", value=review.text)
        )
        if text is not None:
            self._report(self.desk.edit(self.model, review.id, text))

    @work(exclusive=True, group="review")
    async def action_delete_review(self) -> None:
        await self.ensure_reviewer()
        reviews = self.query_one("#replay-reviews", OptionList)
        if not reviews.has_focus or reviews.highlighted is None:
            return
        review = self.review_by_id(reviews.get_option_at_index(reviews.highlighted).id)
        if review is None or not self._own(review):
            return
        answer = await self.app.push_screen_wait(
            ChoicePrompt(
                f"Delete {self._entry_name(review)}?",
                [("keep", "No, keep it"), ("delete", "Yes, delete it")],
            )
        )
        if answer == "delete":
            self._report(self.desk.delete(self.model, review.id))
