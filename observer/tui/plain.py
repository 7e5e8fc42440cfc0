"""Text from files, for the screen: literal (never Rich/Textual markup) and with its
control characters escaped (``observer.textsafe.safe``). A label such as
``[link=file:///etc/passwd]x[/link]`` or ``[/]`` is shown as typed.

Every place text from a codebook, a session, a journal or an imported file reaches a
widget goes through :func:`plain` (a ``Text``, which Textual and Rich never parse) or,
for a notification, :func:`notice`: a plain ``str`` handed to ``Static``, ``update``,
a Rich table cell or ``notify`` is read as markup, where ``[/]`` is an error and
``[link=…]`` a live link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text

from observer.textsafe import safe

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget


def plain(text: str, style: str | Style = "", *, lines: bool = False) -> Text:
    """``text`` as a Text that is shown, character for character, never interpreted;
    ``lines``: its newlines and tabs are kept (prose, a report of many lines)."""
    return Text(safe(text, lines=lines), style=style)


def notice(node: Widget | App[Any], message: str, **options: Any) -> None:
    """``node.notify(message)`` with the message shown literally (never markup)."""
    node.notify(safe(message), markup=False, **options)
