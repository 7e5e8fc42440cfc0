"""Small modal prompts of the replay screen: a line of text, a choice, a filter, help."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from observer.replay.index import Filter
from observer.tui.plain import plain

if TYPE_CHECKING:
    from observer.codebook import Codebook

Check = Callable[[str], str | None]
"""Returns an error message for a value that cannot be accepted, else None."""


class TextPrompt(ModalScreen[str | None]):
    """One line of text; ``enter`` accepts (after ``check``), ``escape`` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(
        self, title: str, *, value: str = "", hint: str = "", check: Check | None = None
    ) -> None:
        super().__init__(classes="replay-dialog")
        self.title_text, self.value, self.hint = title, value, hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="replay-box"):
            yield Static(plain(self.title_text), classes="replay-dialog-title")
            yield Input(self.value, id="prompt-input")
            yield Static(plain(self.hint), id="prompt-error", classes="replay-dialog-hint")

    def on_mount(self) -> None:
        # Focus now, before the first frame: keys typed as soon as the box shows land in it.
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.check(event.value) if self.check else None
        if error:
            hint = self.query_one("#prompt-error", Static)
            hint.update(plain(error))  # the message may quote what was typed: never markup
            hint.add_class("-error")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[str | None]):
    """Pick one of ``options`` (id, label) with the arrows and ``enter``, or by typing
    its key (``keys``: a typed character → the id it picks)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str, str]],
        *,
        keys: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(classes="replay-dialog")
        self.title_text = title
        self.options = options
        self.keys = dict(keys or {})

    def compose(self) -> ComposeResult:
        with Vertical(classes="replay-box"):
            yield Static(plain(self.title_text), classes="replay-dialog-title")
            yield OptionList(*(Option(plain(label), id=key) for key, label in self.options))
            yield Static("enter choose · escape cancel", classes="replay-dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_key(self, event: Key) -> None:
        chosen = self.keys.get(event.character or "")
        if chosen is not None:
            event.stop()
            event.prevent_default()
            self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
