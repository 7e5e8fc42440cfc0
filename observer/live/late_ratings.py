"""Ratings given after the fact: a recovered session (its coding was cut short before
the ratings form) has every rating blank; ``observer recover --ratings`` asks for them
and writes them into its session file (an atomic rewrite; events never change)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from observer.codebook import Codebook, RatingScalar
from observer.errors import InputError
from observer.sessionfile import SESSION_PATTERNS, RatingValue, Session, load_session, save_ratings

FormValues = Mapping[tuple[str, str | None], RatingScalar]
"""(rating id, segment id or None) -> value, as the ratings form gives them."""


def blank(session: Session) -> bool:
    """Whether the session's codebook has ratings and none of them was given."""
    if not session.book.ratings:
        return False
    for value in session.ratings.values():
        if isinstance(value, dict):
            if any(v is not None for v in value.values()):
                return False
        elif value is not None:
            return False
    return True


def unrated(folder: Path) -> tuple[list[tuple[Path, Session]], list[InputError]]:
    """Recovered sessions in ``folder`` whose ratings are all blank, oldest id first;
    and the files that could not be read."""
    found: list[tuple[Path, Session]] = []
    problems: list[InputError] = []
    for path in sorted(p for pattern in SESSION_PATTERNS for p in folder.glob(pattern)):
        try:
            session = load_session(path)
        except InputError as error:
            problems.append(error)
            continue
        if session.status == "recovered" and blank(session):
            found.append((path, session))
    return found, problems


def coded_segments(session: Session) -> list[str]:
    return [span.segment for span in session.segments]


def shape_ratings(book: Codebook, values: FormValues) -> dict[str, RatingValue]:
    """Ratings in the session file's shape: every rating of ``book``, a rating per
    segment with every segment; what ``values`` lacks is blank (None)."""
    out: dict[str, RatingValue] = {}
    for rating in book.ratings:
        if rating.scope == "segment":
            segments = book.rating_segments(rating)
            out[rating.id] = {s.id: values.get((rating.id, s.id)) for s in segments}
        else:
            out[rating.id] = values.get((rating.id, None))
    return out


def add_ratings(path: Path, session: Session, values: FormValues) -> Session:
    """Write ``values`` into the session file at ``path``; InputError if it changed."""
    return save_ratings(path, session, shape_ratings(session.book, values))[0]
