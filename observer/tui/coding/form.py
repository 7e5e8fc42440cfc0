"""The metadata form shown before the clock starts when flags leave something out.

Codebook (a bundled one from the list, or a file path typed below it), dyad,
observer (remembered from the last session started here) and an optional label;
with ``observer code --passphrase``, the passphrase, masked and typed twice.
Enter on the last field, the Start button or ctrl+s starts; every problem is
shown in the form, nothing starts until all is well.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from observer.codebook import Codebook, bundled_paths, load_codebook
from observer.errors import InputError
from observer.settings import read_config, remember
from observer.tui import styles
from observer.tui.coding.feedback import COMPONENT_CLASSES, Styles
from observer.tui.coding.metadata import Metadata
from observer.tui.forms import FIELD_BINDINGS, FormField, hold_keys, keys_ready
from observer.tui.plain import plain

DEFAULT_CODEBOOK = "cpp-attachment"


def bundled_choices() -> list[tuple[str, str]]:
    """(shown text, id) for every bundled codebook that loads."""
    out = []
    for path in bundled_paths():
        try:
            book = load_codebook(path)
        except InputError:
            continue
        out.append((f"{book.id} — {book.title}", str(path)))
    return out


class MetadataForm(Screen[Metadata]):
    CSS_PATH = styles.CODING_SCREENS
    COMPONENT_CLASSES = COMPONENT_CLASSES
    BINDINGS = [*FIELD_BINDINGS, Binding("ctrl+s", "start", "start")]  # noqa: RUF012

    def __init__(
        self,
        book: Codebook | None,
        dyad: str | None,
        observer: str | None,
        label: str | None,
        config: Path | None = None,
        ask_passphrase: bool = False,
    ) -> None:
        super().__init__()
        self.book = book
        self.config = config
        self.ask_passphrase = ask_passphrase
        """``--passphrase``: two masked fields, the passphrase and its repetition."""
        """Where the observer id is remembered (None: the user's settings file)."""
        if not observer:
            remembered = read_config(config).get("observer")
            observer = remembered if isinstance(remembered, str) else None
        self.initial = (dyad or "", observer or "", label or "")
        self.first_field = (
            "#dyad"
            if not dyad
            else "#observer"
            if not observer
            else "#passphrase"
            if ask_passphrase
            else "#label"
        )
        """The first empty field (the label is optional): it has the cursor from the start."""
        self.last_field = "repeat" if ask_passphrase else "label"

    def compose(self) -> ComposeResult:
        dyad, observer, label = self.initial
        choices = bundled_choices()
        default = next((v for t, v in choices if t.startswith(DEFAULT_CODEBOOK + " ")), None)
        with Vertical(id="form"):
            yield Static("[b]New coding session[/b]", id="form-title")
            with Horizontal(classes="form-row"):
                yield Label("Codebook", classes="form-label")
                if self.book is None:
                    yield Select(
                        [(plain(shown), value) for shown, value in choices],
                        value=default or Select.BLANK,
                        id="codebook",
                        allow_blank=True,
                        compact=True,
                    )
                else:
                    yield Static(
                        Text.assemble(
                            plain(self.book.id, "bold"),
                            plain(f" {self.book.version} — {self.book.title}"),
                        )
                    )
            if self.book is None:
                with Horizontal(classes="form-row"):
                    yield Label("  or a file", classes="form-label")
                    yield FormField(
                        placeholder="path of a codebook file", id="codebook-path", compact=True
                    )
            for name, value, hint, title in (
                ("dyad", dyad, "e.g. D012", "Dyad id"),
                ("observer", observer, "your initials or id, e.g. obs1", "Observer id"),
                ("label", label, "optional, e.g. visit 2, home", "Label"),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(title, classes="form-label")
                    yield FormField(value, placeholder=hint, id=name, compact=True)
            if self.ask_passphrase:
                for name, hint, title in (
                    ("passphrase", "lets this laptop recover a crash", "Passphrase"),
                    ("repeat", "the same again", "  again"),
                ):
                    with Horizontal(classes="form-row"):
                        yield Label(title, classes="form-label")
                        yield FormField(placeholder=hint, id=name, password=True, compact=True)
            yield Static(id="form-errors")
            yield Button("Start", variant="primary", id="start", compact=True)
            yield Static(
                "tab moves · enter on the last field or ctrl+s starts ·"
                " the clock starts later, with space",
                id="form-keys",
            )

    def on_mount(self) -> None:
        self.query_one(self.first_field, Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == self.last_field:
            self.action_start()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_start()

    def action_start(self) -> None:
        problems: list[str] = []
        book = self.book
        if book is None:
            path = self.query_one("#codebook-path", Input).value.strip()
            choice = self.query_one("#codebook", Select).value
            source = path or (choice if isinstance(choice, str) else "")
            if not source:
                problems.append("choose a codebook, or type the path of one")
            else:
                try:
                    book = load_codebook(source)
                except InputError as error:
                    problems.extend(str(p) for p in error.problems[:5])
        dyad = self.query_one("#dyad", Input).value.strip()
        observer = self.query_one("#observer", Input).value.strip()
        label = self.query_one("#label", Input).value.strip()
        if not dyad:
            problems.append("the dyad id is needed")
        if not observer:
            problems.append("the observer id is needed")
        from observer.live.ids import typed_problems

        for name, problem in typed_problems(dyad=dyad, observer=observer, label=label):
            problems.append(f"the {name} {problem}")
        passphrase = self.typed_passphrase(problems)
        if problems or book is None:
            self.query_one("#form-errors", Static).update(
                Text("\n".join(problems), style=Styles(self)("refused"))
            )
            keys_ready(self)  # the form stays: keys typed after the enter are its own
            return
        with contextlib.suppress(OSError):  # a convenience: the session does not need it
            remember("observer", observer, self.config)
        hold_keys(self)  # keys typed after this are for the coding screen
        self.dismiss(Metadata(book, dyad, observer, label, passphrase))

    def typed_passphrase(self, problems: list[str]) -> str | None:
        """The passphrase typed twice (None when not asked for); a problem when it is
        empty or the two differ, and then both fields are emptied to be typed again."""
        if not self.ask_passphrase:
            return None
        first, again = self.query_one("#passphrase", Input), self.query_one("#repeat", Input)
        typed = first.value
        if not typed or typed != again.value:
            problems.append(
                "the two passphrases differ: type it again, twice"
                if typed
                else "a passphrase is needed: it lets this laptop recover a crash"
            )
            first.value = again.value = ""
            first.focus()
            return None
        return typed
