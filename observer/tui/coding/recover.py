"""Before a new session: unfinished journals in the session folder (a crash, a
killed terminal) are offered for recovery with the core's ``recover``.

Enter recovers them all and shows what each became; escape leaves them for
``observer recover``. Either way, the next enter goes on to the new session.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from observer.errors import InputError
from observer.live.keyrecovery import report
from observer.live.recovery import recover


def describe(path: Path) -> str:
    name = path.name.removesuffix(".journal.jsonl").removesuffix(".keys.jsonl")
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return f"{name}  ({size:,} bytes)"


class RecoverOffer(Screen[None]):
    def __init__(self, journals: list[Path]) -> None:
        super().__init__()
        self.journals = journals
        self.done = False

    def compose(self) -> ComposeResult:
        n = len(self.journals)
        yield Static(
            f"[b]{n} unfinished session{'s' if n != 1 else ''}[/b] in this folder"
            " (coding that was not ended: a crash, or a closed terminal).",
            id="recover-title",
        )
        with VerticalScroll(id="recover-list"):
            yield Static("\n".join(describe(p) for p in self.journals), id="recover-items")
        yield Static(
            "[b]enter[/b] recover them into session files now · "
            "[b]escape[/b] leave them (run `observer recover` later)",
            id="recover-keys",
        )

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
                lines.append(Text(f"✗ {error.problems[0]}", style="bold red"))
                continue
            except OSError as error:
                lines.append(Text(f"✗ {path.name}: {error}", style="bold red"))
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
            lines.append(Text(line, style="green"))
            lines.extend(Text(extra) for extra in report(result.keys))
        self.query_one("#recover-items", Static).update(Text("\n").join(lines))
        self.query_one("#recover-keys", Static).update("[b]enter[/b] goes on to the new session")
        self.done = True
