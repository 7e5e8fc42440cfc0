"""What every form screen shares: moving between fields in key order.

Tab and shift+tab are priority bindings so that the App moves the focus as it
takes each key. As plain bindings they would run only once the key had bubbled
up from the focused field, and keys typed right after them in the same burst
(fast typing, a macro pad) would already have gone to the previous field.
"""

from __future__ import annotations

from textual.binding import Binding

FIELD_BINDINGS = [
    Binding("tab", "app.focus_next", "next field", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "previous field", show=False, priority=True),
]
