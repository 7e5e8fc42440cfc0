"""``observer consensus A.json B.json``: walk each disagreement of the two codings and
decide it; every decision is journaled (fsync) as it is made, so quitting or a crash
loses nothing and the next start resumes; ``ctrl+s`` writes the consensus session.

All the logic is in :mod:`observer.study.consensus`; this screen shows an item and
turns keys into decisions.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from observer.review import utc_now
from observer.sessionfile import Event, Session
from observer.study.consensus import (
    Choice,
    Decision,
    DecisionJournal,
    Item,
    build,
    check_edit,
    consensus_id,
    to_decide,
    write_consensus,
)
from observer.textsafe import safe
from observer.tui import styles
from observer.tui.consensus.keys import BINDINGS, HINT
from observer.tui.plain import plain
from observer.wording import plural

KIND_TEXT = {
    "agreement": "agreement",
    "disagreement": "disagreement: A and B coded different codes",
    "omission": "only A coded an event here",
    "commission": "only B coded an event here",
}


def _clock(t: float) -> str:
    minutes, seconds = divmod(t, 60)
    return f"{int(minutes):02d}:{seconds:06.3f}"


def describe(session: Session, index: int | None) -> Text:
    """One coding's event of an item, as plain text (never markup)."""
    if index is None:
        return Text("(no event)")
    event = session.events[index]
    code = session.book.code_by_id[event.code]
    when = _clock(event.start) + ("" if event.end is None else f"–{_clock(event.end)}")
    mods = " ".join(f"{k}={v}" for k, v in event.modifiers.items())
    return Text(
        safe(f"{code.label} ({code.id}, {code.kind})")
        + f"\n{when}"
        + safe(f"  {mods}" if mods else "")
    )


def edit_text(session: Session, index: int | None) -> str:
    if index is None:
        return ""
    event = session.events[index]
    end = "" if event.end is None else f" {event.end:g}"
    return f"{event.code} {event.start:g}{end}"


def parse_edit(session: Session, text: str) -> tuple[Event | None, str | None]:
    """``CODE START [END]`` as an event of ``session``'s codebook, or why not."""
    parts = text.split()
    if len(parts) not in (2, 3):
        return None, "type: CODE START, or CODE START END for a state"
    try:
        times = [float(p) for p in parts[1:]]
    except ValueError:
        return None, "times are seconds, such as 12.5"
    event = Event(parts[0], times[0], times[1] if len(times) == 2 else None)
    reason = check_edit(session, event)
    return (None, reason) if reason else (event, None)


class ConsensusApp(App[Path | None]):
    # The replay's stylesheet too: its dialogs are the replay's.
    CSS_PATH: ClassVar[list[str | PurePath]] = [styles.REPLAY, styles.CONSENSUS]
    TITLE = "observer consensus"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)

    def __init__(
        self,
        a: Session,
        b: Session,
        items: list[Item],
        *,
        decided: list[Decision],
        journal: DecisionJournal,
        folder: Path,
        decided_by: str,
        tolerance: float,
        sha256: tuple[str, str],
        agreements: bool = False,
    ) -> None:
        super().__init__()
        self.a, self.b, self.items = a, b, items
        self.shown = to_decide(items, agreements)
        self.decisions = list(decided)
        self.journal, self.folder, self.decided_by = journal, folder, decided_by
        self.tolerance, self.sha256 = tolerance, sha256
        self.position = self._next_undecided(0)

    def compose(self) -> ComposeResult:
        yield Static(id="consensus-status")
        yield Static(id="consensus-item")
        yield Static(id="consensus-a", classes="consensus-side")
        yield Static(id="consensus-b", classes="consensus-side")
        yield Static(id="consensus-prompt")
        yield Static(Text(HINT), id="consensus-hint")

    def on_mount(self) -> None:
        self.refresh_item()

    # --- state -------------------------------------------------------------------

    def _decision(self, item: Item) -> Decision | None:
        found = [d for d in self.decisions if d.item == item.number]
        return found[-1] if found else None

    def _next_undecided(self, start: int) -> int:
        for offset in range(len(self.shown)):
            i = (start + offset) % len(self.shown)
            if self._decision(self.shown[i]) is None:
                return i
        return min(start, max(len(self.shown) - 1, 0))

    def undecided(self) -> int:
        return sum(1 for item in self.shown if self._decision(item) is None)

    def refresh_item(self, message: str = "") -> None:
        status = Text(
            safe(
                f"consensus · A {self.a.observer} ({self.a.id}) · B {self.b.observer} ({self.b.id})"
            )
            + f" · {len(self.shown) - self.undecided()} of {len(self.shown)} decided"
        )
        self.query_one("#consensus-status", Static).update(status)
        if not self.shown:
            self.query_one("#consensus-item", Static).update(
                Text("The two codings agree everywhere: nothing to decide. ctrl+s writes it.")
            )
            return
        item = self.shown[self.position]
        decision = self._decision(item)
        head = f"item {self.position + 1} of {len(self.shown)} · {item.stream} · {KIND_TEXT[item.kind]}"
        if decision is not None:
            head += f" · decided: {decision.choice} ({decision.decided_by})"
        self.query_one("#consensus-item", Static).update(plain(head))
        self.query_one("#consensus-a", Static).update(Text("A  ") + describe(self.a, item.a))
        self.query_one("#consensus-b", Static).update(Text("B  ") + describe(self.b, item.b))
        if self.undecided() == 0:
            done = "every item is decided: ctrl+s writes the consensus session"
            message = f"{message} · {done}" if message else done
        self.query_one("#consensus-prompt", Static).update(plain(message))

    # --- actions -------------------------------------------------------------------

    def _record(self, item: Item, choice: Choice, edited: Event | None = None) -> None:
        decision = Decision(item.number, choice, self.decided_by, utc_now(), edited)
        self.journal.decide(decision)  # on disk before it counts
        self.decisions.append(decision)
        self.position = self._next_undecided(self.position)
        self.refresh_item(f"item decided: {choice}")

    def action_take(self, choice: Choice) -> None:
        if not self.shown:
            return
        item = self.shown[self.position]
        if (choice in ("a", "both") and item.a is None) or (
            choice in ("b", "both") and item.b is None
        ):
            side = "A" if item.a is None else "B"
            self.refresh_item(f"{side} has no event here: choose another")
            return
        self._record(item, choice)

    def action_edit(self) -> None:
        if not self.shown:
            return
        from observer.tui.widgets.dialogs import TextPrompt

        item = self.shown[self.position]
        start = edit_text(self.a, item.a) or edit_text(self.b, item.b)

        def check(text: str) -> str | None:
            return parse_edit(self.a, text)[1]

        def done(text: str | None) -> None:
            if text is not None:
                event, _ = parse_edit(self.a, text)
                self._record(item, "edited", event)

        prompt = TextPrompt(
            "The consensus event: CODE START [END] (seconds)", value=start, check=check
        )
        self.push_screen(prompt, done)

    def action_move(self, step: int) -> None:
        if self.shown:
            self.position = max(0, min(len(self.shown) - 1, self.position + step))
            self.refresh_item()

    def action_undo(self) -> None:
        if not self.decisions:
            self.refresh_item("nothing to undo")
            return
        self.journal.undo()
        undone = self.decisions.pop()
        self.position = next(
            (i for i, item in enumerate(self.shown) if item.number == undone.item), self.position
        )
        self.refresh_item("last decision undone")

    def action_write(self) -> None:
        if self.undecided():
            self.refresh_item(f"{plural(self.undecided(), 'item is', 'items are')} not decided yet")
            return
        latest = {d.item: d for d in self.decisions}
        session = build(
            self.a,
            self.b,
            self.items,
            list(latest.values()),
            decided_by=self.decided_by,
            now=utc_now(),
            session_id=consensus_id(self.a, self.folder),
            tolerance=self.tolerance,
            sha256=self.sha256,
        )
        path = write_consensus(self.folder, session)
        self.journal.close(remove=True)
        self.exit(path)

    def action_quit_consensus(self) -> None:
        self.journal.close()
        self.exit(None)
