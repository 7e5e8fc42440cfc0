"""Response windows on the coding screens: the window line, and the end summary's table.

A codebook with ``windows`` gets one line under the prompt (hidden while there is
nothing to show). While the last command's window is open it counts the time left and
names the response keys; once a command's window closed unanswered (broken, or the time
ran out) it offers the window's ``otherwise`` code: ``enter`` adds it, ``escape`` leaves
the command unanswered (both are targets, for a click or a tap). The recorder decides
everything (``observer.live.windows``); this only shows it.

``windows_table``: the saved session's windows on the end summary (commands, each
response with its share, ``otherwise``, unanswered), as ``observer stats`` counts them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from observer.tui.plain import plain
from observer.tui.targets import target
from observer.tui.widgets.clock import format_clock

if TYPE_CHECKING:  # the windows' state, and with it the session model: after the first frame
    from observer.live.windows import WindowState
    from observer.sessionfile import Session


class WindowLine(Static):
    """The open window's countdown and the command waiting for an answer."""

    def on_mount(self) -> None:
        self.display = False

    def show(self, rec: Any, t: float) -> None:
        """Redraw for session time ``t`` (``rec``: the screen's recorder)."""
        parts = [
            p
            for p in (
                open_part(rec, rec.window_open(t), t),
                waiting_part(rec, rec.window_waiting(t)),
            )
            if p
        ]
        self.display = bool(parts)
        if parts:
            self.update(Text("   ").join(parts))


def open_part(rec: Any, state: WindowState | None, t: float) -> Text | None:
    """``Direct command 3.2 s · y Complies · x Does not comply``."""
    if state is None:
        return None
    book = rec.book
    command = book.code_by_id[state.command.code]
    keys = [book.code_by_id[c] for c in state.window.responses]
    left = max(0.0, state.closes - t)
    return Text.assemble(
        plain(command.label, "bold"),
        (f" {left:.1f} s", "bold"),
        " · ",
        plain(" · ".join(f"{c.key} {c.label}" for c in keys)),
    )


def waiting_part(rec: Any, state: WindowState | None) -> Text | None:
    """``no response to Direct command at 00:30 · enter No opportunity · esc leave``."""
    if state is None or state.window.otherwise is None:
        return None
    book = rec.book
    command = book.code_by_id[state.command.code]
    otherwise = book.code_by_id[state.window.otherwise]
    why = "broken" if state.status == "broken" else "no response"
    return Text.assemble(
        (f"{why}: ", "bold"),
        plain(command.label),
        f" at {format_clock(state.command.start)[:8]} · ",
        Text.assemble(("enter", "bold"), " ", plain(otherwise.label), style=target("enter")),
        " · ",
        Text.assemble(("esc", "bold"), " leave it", style=target("escape")),
    )


def windows_table(session: Session) -> Table:
    """Each window: its commands, then each response with its share of them, the
    ``otherwise`` code, and the commands left unanswered (a row each: narrow screens)."""
    from observer.analysis.windows import window_stats

    book = session.book
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("response window")
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    for w in window_stats(session):
        table.add_row(
            plain(f"{book.code_by_id[w.after].label}, within {w.within_s:g} s"), str(w.commands), ""
        )
        for code, n in w.responses.items():
            share = w.share[code]
            table.add_row(
                plain(f"  {book.code_by_id[code].label}"),
                str(n),
                "" if share is None else f"{share:.0%}",
            )
        if w.otherwise_code is not None:
            table.add_row(
                plain(f"  {book.code_by_id[w.otherwise_code].label}"), str(w.otherwise), ""
            )
        table.add_row("  unanswered", str(w.unanswered), "")
    return table
