"""What an agreement comparison is restricted to: ``--codes`` and ``--actors``.

As BORIS's behaviour and subject selection: only the chosen codes (and only the
codes of the chosen actors) are compared, by every method. A restriction gives a
smaller codebook (the same document with fewer codes, so fewer streams) and the
two sessions without the other codes' events; the methods then run unchanged on
them. ``actors`` also names the actors of the time-slice method explicitly, as
BORIS's subject selection does, even an actor with no events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from observer.codebook import Codebook
from observer.sessionfile import Session


@attrs.frozen
class Scope:
    """The asked-for code and actor ids (None: all), in the order given."""

    codes: tuple[str, ...] | None = None
    actors: tuple[str, ...] | None = None

    @property
    def restricted(self) -> bool:
        return self.codes is not None or self.actors is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "codes": None if self.codes is None else list(self.codes),
            "actors": None if self.actors is None else list(self.actors),
        }


def problems(book: Codebook, scope: Scope) -> list[str]:
    """One message per id of the scope that the codebook does not have."""
    out: list[str] = []
    for kind, asked, known in (
        ("code", scope.codes, book.code_by_id),
        ("actor", scope.actors, book.actor_by_id),
    ):
        out.extend(f"unknown {kind} {i!r} in --{kind}s" for i in asked or () if i not in known)
    return out


def restrict_book(book: Codebook, scope: Scope) -> Codebook:
    """The codebook with only the codes in scope (all of them without a restriction)."""
    if not scope.restricted:
        return book
    codes = tuple(
        c
        for c in book.codes
        if (scope.codes is None or c.id in scope.codes)
        and (scope.actors is None or c.actor in scope.actors)
    )
    return attrs.evolve(book, codes=codes)


def restrict_session(session: Session, book: Codebook) -> Session:
    """The session without the events of codes that ``book`` does not hold."""
    keep = book.code_by_id
    if all(e.code in keep for e in session.events):
        return session
    return attrs.evolve(session, events=tuple(e for e in session.events if e.code in keep))


def coded_actors(book: Codebook, sessions: Sequence[Session]) -> list[str]:
    """The actors (codebook order) with at least one event in any of the sessions."""
    used = {book.code_by_id[e.code].actor for s in sessions for e in s.events}
    return [a.id for a in book.actors if a.id in used]
