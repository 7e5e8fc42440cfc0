"""The replay screen's own dialogs: the filter and the help page (the shared prompts
are in ``observer/tui/widgets/dialogs.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static

from observer.replay.index import Filter
from observer.tui.plain import plain

if TYPE_CHECKING:
    from observer.codebook import Codebook


class FilterPrompt(ModalScreen[Filter | None]):
    """Actors, groups and codes to show: ``space`` ticks, ``enter`` applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
        Binding("enter", "apply", "apply", priority=True),
        Binding("ctrl+r", "clear", "show all"),
    ]

    def __init__(self, book: Codebook, current: Filter) -> None:
        super().__init__(classes="replay-dialog")
        self.book, self.current = book, current

    def compose(self) -> ComposeResult:
        cur = self.current
        items: list[tuple[Text, str, bool]] = []
        items += [
            (plain(f"actor  {a.label}"), f"actor:{a.id}", a.id in cur.actors)
            for a in self.book.actors
        ]
        items += [
            (plain(f"group  {g.label}"), f"group:{g.id}", g.id in cur.groups)
            for g in self.book.groups
        ]
        items += [
            (plain(f"code   {c.id}"), f"code:{c.id}", c.id in cur.codes) for c in self.book.codes
        ]
        with Vertical(classes="replay-box"):
            yield Static(
                "Show only… (nothing ticked in a part = all of it)", classes="replay-dialog-title"
            )
            yield SelectionList[str](*items, id="filter-list")
            yield Static(
                "space tick · enter apply · ctrl+r show all · escape cancel",
                classes="replay-dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        chosen = self.query_one(SelectionList).selected
        parts: dict[str, set[str]] = {"actor": set(), "group": set(), "code": set()}
        for value in chosen:
            kind, _, ident = str(value).partition(":")
            parts[kind].add(ident)
        self.dismiss(
            Filter(frozenset(parts["actor"]), frozenset(parts["group"]), frozenset(parts["code"]))
        )

    def action_clear(self) -> None:
        self.dismiss(Filter())

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpPrompt(ModalScreen[None]):
    """Every key of the replay screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close"),
        Binding("question_mark", "close", "close", show=False),
        Binding("q", "close", "close", show=False),
    ]

    def __init__(self, text: str) -> None:
        super().__init__(classes="replay-dialog")
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="replay-box replay-help"):
            with VerticalScroll(id="help-text"):
                yield Static(plain(self.text, lines=True), id="help-body")
            yield Static(
                "escape close · ↑↓ scroll if the keys go on below", classes="replay-dialog-hint"
            )

    def action_close(self) -> None:
        self.dismiss(None)
