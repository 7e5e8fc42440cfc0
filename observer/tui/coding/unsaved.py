"""The session ended but its file could not be written: nothing is given up.

``NotSaved`` stays until the session is on disk. It says what failed and what is
held, copies the session at once into a second folder (``fallback_folder()``;
then the observer has a file to point to), retries the session folder every
``RETRY_S`` seconds and on ctrl+r, and saves into any folder typed in its field
(enter); once the session file is durable in the session folder, the copy is
removed. ctrl+q quits without the session file only when pressed twice, and the
command then says exactly what is where. Dismissed with ``(path, note)`` once the
session file is written (``note`` says why it is outside the session folder), or
``(None, message)`` when the observer quit without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from observer.errors import InputError
from observer.live.journal import failure_reason
from observer.textsafe import safe
from observer.tui import styles
from observer.tui.coding.feedback import COMPONENT_CLASSES, Styles

if TYPE_CHECKING:
    from observer.live.journal import JournalWriter
    from observer.live.keylog import KeyLog
    from observer.live.recorder import Recorder

RETRY_S = 2.0


class NotSaved(ModalScreen[tuple[Path | None, str]]):
    CSS_PATH = styles.CODING_SCREENS
    COMPONENT_CLASSES: ClassVar[set[str]] = COMPONENT_CLASSES

    def __init__(
        self,
        folder: Path,
        reason: str,
        recorder: Recorder,
        writer: JournalWriter,
        key_log: KeyLog | None,
    ) -> None:
        super().__init__()
        self.folder = folder
        self.reason = reason
        self.recorder, self.writer, self.key_log = recorder, writer, key_log
        self.copy: Path | None = None
        self.copied: bytes | None = None
        """The plaintext the copy was made of (encrypted, it is other bytes)."""
        self.quit_asked = False
        self.last_error = ""

    def compose(self) -> ComposeResult:
        from observer.live.copies import fallback_folder

        with Vertical(id="confirm-box"):
            yield Static(id="unsaved-text")
            yield Input(str(fallback_folder()), id="unsaved-folder")
            yield Static(
                "enter  save into the folder above    ctrl+r  retry the session folder\n"
                "ctrl+q twice  quit without the session file",
                id="confirm-keys",
            )

    def on_mount(self) -> None:
        from observer.live.copies import fallback_folder

        self.copy = self._try(fallback_folder())
        self.show()
        self.set_interval(RETRY_S, self.retry)

    def _try(self, folder: Path) -> Path | None:
        from observer.live.recovery import save_copy
        from observer.sessionfile import session_to_bytes

        try:
            path = save_copy(folder, self.recorder, self.writer.recipients)
        except (OSError, InputError) as error:
            self.last_error = f"{folder}: {failure_reason(error)}"
            return None
        self.copied = session_to_bytes(self.recorder.session())
        return path

    def show(self, extra: str = "") -> None:
        rec, writer = self.recorder, self.writer
        durable = writer.durable
        text = Text()
        text.append(" NOT SAVED ", style=Styles(self)("not-saved"))
        text.append("\n")
        text.append(
            safe(f"The session file could not be written in {self.folder}: {self.reason}.") + "\n"
            f"All {len(rec.events)} events are held in memory (keep this window open);"
            f" the journal holds {durable} of {rec.seq} actions.\n"
        )
        if self.copy is not None:
            text.append(safe(f"A complete copy is saved at {self.copy}") + "\n", style="bold")
        else:
            text.append("No copy could be written yet: type a folder (a USB stick) below.\n")
        if extra:
            text.append(safe(extra), style="bold")
        self.query_one("#unsaved-text", Static).update(text)

    def retry(self) -> None:
        from observer.live.recovery import finish

        try:
            path = finish(self.folder, self.recorder, self.writer, keys=self.key_log)
        except (OSError, InputError) as error:
            self.reason = failure_reason(error)
            self.show()
            return
        if self.copy is not None:  # saved where it belongs: the copy must not pile up
            from observer.live.copies import remove_if_saved
            from observer.sessionfile import session_to_bytes

            # Encrypted, the two are different bytes: the same session when the copy was
            # made of the very plaintext the session file was just made of.
            same = self.copied == session_to_bytes(self.recorder.session())
            remove_if_saved(self.copy, path, made_of=self.copied if same else None)
        self.dismiss((path, ""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        folder = Path(event.value.strip()).expanduser()
        path = self._try(folder)
        if path is None:
            self.show(f"Not saved there either: {self.last_error}")
            return
        writer, keys = self.writer, self.key_log
        if keys is not None:
            keys.close(remove=True)
        writer.abandon()
        writer.path.unlink(missing_ok=True)
        self.dismiss((path, f"not in the session folder {self.folder} ({self.reason})"))

    def on_key(self, event: events.Key) -> None:
        if event.key == "ctrl+r":
            event.stop()
            self.retry()
        elif event.key in ("ctrl+q", "ctrl+c"):
            event.stop()
            if not self.quit_asked:
                self.quit_asked = True
                self.show("Press ctrl+q again to quit without the session file.")
                return
            self.dismiss((None, self.message()))

    def message(self) -> str:
        rec, writer = self.recorder, self.writer
        durable = writer.durable
        where = f"; a complete copy is at {self.copy}" if self.copy is not None else ""
        return (
            f"the session file could not be written in {self.folder} ({self.reason}){where};"
            f" the journal {writer.path} holds {durable} of {rec.seq}"
            " actions: run `observer recover` once the folder is writable"
        )
