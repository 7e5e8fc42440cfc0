"""What every form shares: keys reach the field they were typed for, in order.

A terminal hands fast typing (or a macro pad, or ``tmux send-keys``) to the app as
one read, and the App hands every key of it out at once: before the focused field
has handled the first. Three things keep such a burst in order:

- Tab and shift+tab are priority bindings (``FIELD_BINDINGS``), so the App moves the
  focus as it takes each key. As plain bindings they would run only once the key had
  bubbled up from the focused field, and the keys typed right after them would
  already have gone to the previous field.
- A field (``FormField``) runs its own bindings (backspace, delete, the arrows, home,
  end, a rating's up and down) as each key reaches it. Textual runs them only once the
  key has bubbled up to the App: after the characters typed behind it, and in
  whichever field had the focus by then ("5", backspace, "6" gave "5").
- Keys that arrive while the next screen is being set up wait for it (``KeyHold``):
  from the moment a dialog or a field's enter accepts until the screen after it has
  the focus (or the screen has acted on the enter), the App keeps them, then hands
  them out in order, with their own times.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App, ReturnType
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

FIELD_BINDINGS = [
    Binding("tab", "app.focus_next", "next field", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "previous field", show=False, priority=True),
]


HOLD_S = 5.0
"""The longest keys are held for a screen being set up; then they go wherever the focus
is (a screen that never said it was ready must not leave the app deaf)."""


class KeysReady(Message):
    """Bubbles up from a field after its enter's ``Submitted``: the screen has acted on
    it, so the keys typed after the enter may go on (to the focus it left)."""


class FormField(Input):
    """An input that edits in the order the keys were typed (see the module). Enter
    holds the keys typed after it until its screen has acted on it (moved the focus,
    closed the form): they go where the enter sent the focus, not into this field."""

    async def on_key(self, event: events.Key) -> None:
        if passed_on(self.screen, event):
            event.prevent_default()  # not typed here: the screen is being left
            return
        if event.is_printable:
            return  # Input's own handler types it, as the key reaches the field
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return

    async def action_submit(self) -> None:
        hold_keys(self.screen)
        await super().action_submit()
        self.post_message(KeysReady())  # after Submitted, on the same way up


class KeyHold(App[ReturnType]):
    """An App that keeps the keys typed while its next screen is being set up.

    ``hold_keys(screen)`` starts keeping every key from the terminal (a screen calls
    it as it accepts); the keys ``screen`` itself still gets (the App handed them out
    before) are handed on too (``passed_on``) and go first, being older.
    ``release_keys()`` hands them all out, in order and with their own times, once the
    next screen has the focus (``keys_ready``), or after :data:`HOLD_S` at the latest.
    """

    _held: list[events.Key] | None = None
    _from: Screen[Any] | None = None
    _handed_on = 0
    _deadline: Timer | None = None

    def hold_keys(self, screen: Screen[Any]) -> None:
        if self._held is None:
            self._held, self._from, self._handed_on = [], screen, 0
            self._deadline = self.set_timer(HOLD_S, self.release_keys)

    def keep_key(self, screen: Screen[Any], event: events.Key) -> bool:
        """Keep a key that reached ``screen`` after it started the hold."""
        if self._held is None or screen is not self._from:
            return False
        event.stop()
        again = events.Key(event.key, event.character)
        again.time = event.time  # coding times come from the key's own arrival
        self._held.insert(self._handed_on, again)
        self._handed_on += 1
        return True

    async def release_keys(self) -> None:
        held, self._from = self._held, None  # from now on every screen takes its keys
        if self._deadline is not None:
            self._deadline.stop()
            self._deadline = None
        while held:  # keys that arrive meanwhile are appended, and handed out in turn
            await super().on_event(held.pop(0))
        self._held = None

    async def on_event(self, event: events.Event) -> None:
        held = self._held
        if held is not None and isinstance(event, events.Key) and not event.is_forwarded:
            held.append(event)
            return
        await super().on_event(event)

    async def on_keys_ready(self, message: KeysReady) -> None:
        await self.release_keys()


def hold_keys(screen: Screen[Any]) -> None:
    """``screen`` accepted: keys typed from now on wait for the screen that follows."""
    if isinstance(screen.app, KeyHold):
        screen.app.hold_keys(screen)


def passed_on(screen: Screen[Any], event: events.Key) -> bool:
    """A key that reached ``screen`` after it accepted (the App hands a burst out
    before the screen has handled its first key): kept for what follows, in order."""
    app = screen.app
    return isinstance(app, KeyHold) and app.keep_key(screen, event)


def keys_ready(screen: Screen[Any]) -> None:
    """``screen`` has the focus: the keys held for it are handed out (on the App's own
    message queue, so keys still arriving queue behind them)."""
    app = screen.app
    if isinstance(app, KeyHold):
        app.call_later(app.release_keys)
