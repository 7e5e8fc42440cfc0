"""Small modal prompts shared by the screens: a line of text, a choice."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from observer.tui.plain import plain

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
