"""Saving review entries from a replay: a thin controller over ``observer.review``.

The entries are made and checked by ``observer.review`` and written at once by
``observer.sessionfile.save_reviews`` (an atomic rewrite; ``events`` never change).
Here only the replay's side of it is kept: which file, the digest of its bytes as
last read or written, and the reviewer's id; every outcome is a message for the
reviewer, never an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from observer.errors import InputError

if TYPE_CHECKING:
    from observer.replay.view import ReplayView
    from observer.sessionfile import Review


@attrs.frozen
class Outcome:
    message: str
    saved: bool


class ReviewDesk:
    """Review entries of the session a :class:`ReplayView` shows, saved to ``path``."""

    def __init__(self, path: Path, sha256: str | None, config: Path | None = None) -> None:
        self.path, self.sha256, self.config = path, sha256, config
        """``sha256``: digest of the session file's bytes as last read or written."""
        self.reviewer: str | None = None

    def known_reviewer(self) -> str | None:
        """The reviewer's id, remembered from an earlier replay if there was one."""
        from observer.review import load_reviewer

        if self.reviewer is None:
            self.reviewer = load_reviewer(self.config)
        return self.reviewer

    def remember(self, answer: str) -> str:
        """Keep (and save in the config) the id just typed; ReviewError if invalid."""
        from observer.review import check_reviewer, save_reviewer

        self.reviewer = check_reviewer(answer)
        save_reviewer(self.reviewer, self.config)
        return self.reviewer

    def config_path(self) -> Path:
        from observer.review import config_path

        return self.config or config_path()

    def owns(self, review: Review) -> str | None:
        """Why the reviewer may not change ``review`` (None: they may)."""
        if review.reviewer != self.reviewer:
            return f"only {review.reviewer} can change this entry"
        return None

    def save(self, view: ReplayView, reviews: tuple[Review, ...], done: str) -> Outcome:
        from observer.sessionfile import save_reviews

        try:
            session, self.sha256 = save_reviews(
                self.path, view.session, reviews, sha256=self.sha256
            )
        except InputError as error:
            return Outcome("; ".join(p.message for p in error.problems), False)
        except OSError as error:
            return Outcome(f"not saved: {error}", False)
        view.replace_session(session)
        return Outcome(done, True)

    def add(self, view: ReplayView, **entry: Any) -> Outcome:
        """A new entry at the playhead (``entry``: ``observer.review.new_entry``'s)."""
        from observer.review import ReviewError, new_entry

        assert self.reviewer is not None
        try:
            review = new_entry(view.session, self.reviewer, t=view.time(), **entry)
        except ReviewError as error:
            return Outcome(str(error), False)
        return self.save(view, (*view.session.reviews, review), f"saved {review.kind} {review.id}")

    def edit(self, view: ReplayView, review_id: str, text: str) -> Outcome:
        from observer.review import ReviewError, edited

        assert self.reviewer is not None
        try:
            reviews = edited(view.session, review_id, self.reviewer, text=text)
        except ReviewError as error:
            return Outcome(str(error), False)
        return self.save(view, reviews, f"saved {review_id}")

    def delete(self, view: ReplayView, review_id: str) -> Outcome:
        from observer.review import ReviewError, without

        assert self.reviewer is not None
        try:
            reviews = without(view.session, review_id, self.reviewer)
        except ReviewError as error:
            return Outcome(str(error), False)
        return self.save(view, reviews, f"deleted {review_id}")
