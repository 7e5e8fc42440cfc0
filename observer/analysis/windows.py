"""Response windows in a session's figures (the codebook's ``windows``).

For each window: ``commands`` (events of its ``after`` code), ``responses`` (for each
response code, the commands it answered: events linked by ``responds_to``),
``otherwise`` (commands given the window's ``otherwise`` code), ``unanswered`` (the
rest), and ``share``: each response code's count over the commands (None without
commands), so the share complied is ``share[<the complies code>]``. Only links the
codebook allows count (a response code of that window, linked to a command of it).
:func:`window_cells` gives the same as the columns of ``observer stats --wide``.
"""

from __future__ import annotations

from typing import Any

import attrs

from observer.sessionfile import Session
from observer.table import Cell, Column


@attrs.frozen
class WindowStats:
    after: str
    within_s: float
    commands: int
    responses: dict[str, int]
    otherwise: int
    unanswered: int
    share: dict[str, float | None]
    otherwise_code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "after": self.after,
            "within_s": self.within_s,
            "commands": self.commands,
            "responses": self.responses,
            "otherwise": {self.otherwise_code: self.otherwise} if self.otherwise_code else {},
            "unanswered": self.unanswered,
            "share": self.share,
        }


def window_stats(session: Session) -> tuple[WindowStats, ...]:
    """Every window of the session's codebook (nothing when it has none)."""
    book = session.book
    events = session.events
    out = []
    for window in book.windows:
        commands = [i for i, e in enumerate(events) if e.code == window.after]
        responses = dict.fromkeys(window.responses, 0)
        otherwise = 0
        answered: set[int] = set()
        for event in events:
            link = event.responds_to
            if link is None or link in answered or not 0 <= link < len(events):
                continue
            if events[link].code != window.after:
                continue
            if event.code in responses:
                responses[event.code] += 1
            elif event.code == window.otherwise:
                otherwise += 1
            else:
                continue
            answered.add(link)
        n = len(commands)
        share = {c: (round(k / n, 6) if n else None) for c, k in responses.items()}
        out.append(
            WindowStats(
                window.after,
                float(window.within_s),
                n,
                responses,
                otherwise,
                n - len(answered),
                share,
                window.otherwise,
            )
        )
    return tuple(out)


def window_cells(session: Session) -> list[tuple[Column, Cell]]:
    """The windows' figures as wide-table cells: ``AFTER_commands``, then per response
    ``AFTER_RESPONSE`` and ``AFTER_RESPONSE_share``, ``AFTER_OTHERWISE``, and
    ``AFTER_unanswered``."""
    book = session.book
    out: list[tuple[Column, Cell]] = []
    for w in window_stats(session):
        command = f"{book.code_by_id[w.after].label} ({w.after})"
        out.append((Column(f"{w.after}_commands", "integer", f"{command}: commands"), w.commands))
        for code, n in w.responses.items():
            answer = book.code_by_id[code].label
            out.append((Column(f"{w.after}_{code}", "integer", f"{command}: {answer}"), n))
            out.append(
                (
                    Column(f"{w.after}_{code}_share", "number", f"{command}: share {answer}"),
                    w.share[code],
                )
            )
        if w.otherwise_code is not None:
            label = book.code_by_id[w.otherwise_code].label
            name = f"{w.after}_{w.otherwise_code}"
            out.append((Column(name, "integer", f"{command}: {label}"), w.otherwise))
        name = f"{w.after}_unanswered"
        out.append((Column(name, "integer", f"{command}: unanswered"), w.unanswered))
    return out
