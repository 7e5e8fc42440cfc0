"""Before a new session: unfinished journals in the session folder (a crash, a
killed terminal) are offered for recovery with the core's ``recover``.

Each is shown by who, when, how many events and how long; a journal whose clock
never started (nothing was coded) is not offered. Enter recovers them all and
shows what each became; escape leaves them for ``observer recover``. Either way, the next enter goes on to the new session.
"""

from __future__ import annotations

from pathlib import Path

import attrs
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from observer.errors import InputError
from observer.live.keyrecovery import report
from observer.live.recovery import notes, recover, replay_journal
from observer.textsafe import safe
from observer.tui import styles
from observer.tui.coding.feedback import COMPONENT_CLASSES, Styles
from observer.tui.plain import plain
from observer.tui.targets import TapsAsKeys, target
from observer.tui.widgets.clock import format_clock
from observer.wording import plural


@attrs.frozen
class Unfinished:
    """One unfinished journal as the offer shows it."""

    path: Path
    line: str
    coded: bool
    """Whether its clock ever started (a journal that never started is not a crash)."""


def describe(path: Path) -> Unfinished:
    """Who, when it was coded (local time), how many events, how long; from the journal."""
    name = path.name.removesuffix(".journal.jsonl").removesuffix(".keys.jsonl")
    try:
        rec = replay_journal(path).recorder
    except (InputError, OSError):
        return Unfinished(path, f"{name}  (cannot be read: `observer recover` says why)", True)
    started = rec.clock.started_wall
    if not rec.clock.started or started is None:
        return Unfinished(path, f"{name}  (the clock never started)", False)
    n = len(rec.events)
    when = started.astimezone().strftime("%Y-%m-%d %H:%M")
    who = f"{rec.meta.dyad} · {rec.meta.observer}"
    return Unfinished(
        path,
        f"{who}  coded {when}  {plural(n, 'event')}  {format_clock(rec.last_t)[:5]} long",
        True,
    )


class RecoverOffer(TapsAsKeys, Screen[None]):
    CSS_PATH = styles.CODING_SCREENS
    COMPONENT_CLASSES = COMPONENT_CLASSES

    def __init__(self, journals: list[Unfinished]) -> None:
        super().__init__()
        self.unfinished = journals
        self.journals = [j.path for j in journals]
        self.done = False

    def compose(self) -> ComposeResult:
        n = len(self.journals)
        yield Static(
            f"[b]{n} unfinished session{'s' if n != 1 else ''}[/b] in this folder"
            " (coding that was not ended: a crash, or a closed terminal).",
            id="recover-title",
        )
        with VerticalScroll(id="recover-list"):
            yield Static(
                plain("\n".join(safe(j.line) for j in self.unfinished), lines=True),
                id="recover-items",
            )
        keys = Text()
        keys.append("enter", style=target("enter") + Style(bold=True))
        keys.append(" recover them into session files now", style=target("enter"))
        keys.append(" · ")
        keys.append("escape", style=target("escape") + Style(bold=True))
        keys.append(" leave them (run `observer recover` later)", style=target("escape"))
        yield Static(keys, id="recover-keys")  # each answer a target: a tap answers

    def on_key(self, event: events.Key) -> None:
        event.stop()
        if self.done:
            if event.key in ("enter", "escape"):
                self.dismiss()
            return
        if event.key == "escape":
            self.dismiss()
        elif event.key == "enter":
            self.recover_all()

    def recover_all(self) -> None:
        lines = []
        for path in self.journals:
            try:
                result = recover(path)
            except InputError as error:
                lines.append(plain(f"✗ {error.problems[0]}", Styles(self)("refused")))
                continue
            except OSError as error:
                lines.append(plain(f"✗ {path.name}: {error}", Styles(self)("refused")))
                continue
            if result.outcome == "recovered":
                closed = f", {result.closed} running states closed" if result.closed else ""
                line = f"✓ {result.session_path}: {result.events} events{closed}"
                if result.renamed_from is not None:
                    line += f" (a different {result.renamed_from}.json exists: new id)"
            elif result.outcome == "already-saved":
                line = f"✓ {result.session_path} was already saved; journal set aside"
            else:
                line = f"· {path.name}: the clock never started, nothing to recover"
            lines.append(plain(line, Styles(self)("ok")))
            lines.extend(plain(extra) for extra in (*report(result.keys), *notes(result)))
        self.query_one("#recover-items", Static).update(Text("\n").join(lines))
        goes_on = Text("enter", style=target("enter") + Style(bold=True))
        goes_on.append(" goes on to the new session", style=target("enter"))
        self.query_one("#recover-keys", Static).update(goes_on)
        self.done = True
