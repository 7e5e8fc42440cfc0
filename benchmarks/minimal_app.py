"""The smallest Textual app: the floor under any Textual program's start-up time.

Started by ``bench_code`` the same way as ``observer code`` (a fresh interpreter in
a pseudo-terminal), so the two first-frame times compare directly.
"""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("MINIMAL READY")


if __name__ == "__main__":
    Minimal().run()
