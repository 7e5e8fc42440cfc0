"""Text from files, for the screen: literal (never Rich/Textual markup) and with its
control characters escaped (``observer.textsafe.safe``). A label such as
``[link=file:///etc/passwd]x[/link]`` or ``[/]`` is shown as typed."""

from __future__ import annotations

from rich.text import Text

from observer.textsafe import safe


def plain(text: str, style: str = "") -> Text:
    """``text`` as a Text that is shown, character for character, never interpreted."""
    return Text(safe(text), style=style)
