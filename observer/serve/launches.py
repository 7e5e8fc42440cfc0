"""What a browser page may start: ``observer code`` or ``observer replay``, as argv.

The landing page offers choices (the codebooks the server was given, the sessions
in its folder); a request names one of them, and typed ids are checked as the
terminal's form checks them. Nothing from a request becomes a path or a shell
word: the argv is built here from the server's own lists. A page gets a one-time
launch id for its websocket (:class:`Launches`), so reloading the page starts a new
child, and an old or forged id starts nothing.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import get_args

import attrs

from observer.codebook import Codebook, bundled_paths, load_codebook
from observer.live.folder import FolderEntry, scan_folder
from observer.live.ids import typed_problems
from observer.live.pairing import name_problem
from observer.sessionfile import Status

REPLAYABLE = frozenset(get_args(Status))
"""Every status a finished session file can hold: each one replays."""
LAUNCH_TTL = 120.0
"""Seconds a page's launch id stays valid before its websocket connects."""
TOUCH_ON = frozenset({"1", "on"})
"""What the landing page's "touch screen" box sends when ticked."""
MAX_WAITING = 16
"""Launch ids waiting for their websocket at once; one more is refused."""


@attrs.frozen
class Offer:
    """A codebook the landing page offers."""

    key: str
    """What the form sends: the codebook's id (unique among the offers)."""
    title: str
    path: Path


@attrs.frozen
class Launch:
    argv: tuple[str, ...]
    """``observer code …`` or ``observer replay …``, with this interpreter."""
    title: str
    touch: bool = False
    """The page is for a touch screen (``observer code --touch``): large targets, taps
    sent as clicks, the soft keyboard only where text is typed."""


def offers(given: tuple[Path, ...] = ()) -> list[Offer]:
    """The bundled codebooks and those given to ``observer serve --codebook``, each
    loaded (a bad one raises InputError); a given one replaces a bundled one of its id."""
    found: dict[str, Offer] = {}
    for path in (*bundled_paths(), *given):
        book = load_codebook(path)
        found[book.id] = Offer(book.id, _title(book), path.resolve())
    return sorted(found.values(), key=lambda o: o.key)


def _title(book: Codebook) -> str:
    return f"{book.title} ({book.id} {book.version})"


def replayable(folder: Path) -> list[FolderEntry]:
    """The sessions a page may open for replay: finished, readable files."""
    return [e for e in scan_folder(folder) if e.status in REPLAYABLE]


def _observer(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "observer", *args)


def code_launch(
    form: Mapping[str, str], folder: Path, books: list[Offer], ids: str | None = None
) -> Launch | list[str]:
    """``observer code`` for the landing page's form, or its problems (one line each).

    Dyad and observer may be left empty: the coding app's own form asks for them.
    ``ids``: the style of the session's id (``--ids``; ``observer serve --ids``)."""
    by_key = {o.key: o for o in books}
    problems: list[str] = []
    offer = by_key.get(form.get("codebook", ""))
    if offer is None:
        problems.append("codebook: choose one of the codebooks offered")
    fields = {name: form.get(name, "").strip() for name in ("dyad", "observer", "label")}
    for name, problem in typed_problems(**fields):
        problems.append(f"{name}: {problem}")
    pair_as = form.get("pair_as", "")
    pair = form.get("pair", "").strip()
    if pair_as not in ("", "start", "join"):
        problems.append("pair: start a paired session or join one")
    elif pair_as and (unsafe := name_problem(pair)) is not None:
        problems.append(f"pair name: {unsafe}")
    if problems:
        return problems
    assert offer is not None
    argv = ["code", "--session-dir", str(folder), "--codebook", str(offer.path)]
    if ids is not None:
        argv += ["--ids", ids]
    for name, value in fields.items():
        if value:
            argv += [f"--{name}", value]
    if pair_as:  # who starts is primary, who joins reliability (whoever comes first hosts)
        argv += ["--pair", pair, "--role", "primary" if pair_as == "start" else "reliability"]
    touch = form.get("touch", "") in TOUCH_ON
    if touch:
        argv.append("--touch")
    who = " ".join(v for v in (fields["dyad"], fields["observer"]) if v)
    paired = f" in pair {pair}" if pair_as else ""
    return Launch(_observer(*argv), f"coding {offer.key} {who}{paired}".strip(), touch)


def replay_launch(name: str, folder: Path) -> Launch | list[str]:
    """``observer replay`` of the session file ``name``, one of :func:`replayable`."""
    for entry in replayable(folder):
        if entry.path.name == name:
            argv = _observer("replay", str(entry.path))
            return Launch(argv, f"replay {entry.id}")
    return ["session: choose one of the sessions listed"]


@attrs.define
class Launches:
    """One-time launch ids, each good for one websocket within :data:`LAUNCH_TTL`, at
    most :data:`MAX_WAITING` at once."""

    pending: dict[str, tuple[float, Launch]] = attrs.field(factory=dict)

    def add(self, launch: Launch, now: float | None = None) -> str | None:
        """A new launch id; None when :data:`MAX_WAITING` are already waiting."""
        now = time.monotonic() if now is None else now
        self.pending = {k: v for k, v in self.pending.items() if now - v[0] < LAUNCH_TTL}
        if len(self.pending) >= MAX_WAITING:
            return None
        key = secrets.token_urlsafe(16)
        self.pending[key] = (now, launch)
        return key

    def peek(self, key: str, now: float | None = None) -> Launch | None:
        """The launch waiting under ``key``, if it is still good (its page is shown)."""
        now = time.monotonic() if now is None else now
        held = self.pending.get(key)
        return None if held is None or now - held[0] >= LAUNCH_TTL else held[1]

    def take(self, key: str, now: float | None = None) -> Launch | None:
        """The launch under ``key``, used up (its websocket starts it)."""
        launch = self.peek(key, now)
        self.pending.pop(key, None)
        return launch
