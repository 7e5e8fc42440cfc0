"""``observer replay`` on a 50,000-event session: start to first frame (budget 0.5 s).

The real command in a pseudo-terminal, from just before the process is spawned
to the first output chunk that draws the session: the replay screen's status line
(``⏸ paused`` beside the session id), drawn in the same frame as the timeline and
the event list with the session's first events. That first frame is a preview of
the session's beginning (``observer.replay.preview``); beside it, the moment the
whole file is loaded and validated (the summary panel's per-code table appears),
and for comparison the smallest Textual app measured the same way (with each
process's CPU time at its first frame). Medians of
several runs after one warm-up run; the session is synthetic (bundled
``cpp-attachment`` codebook).

Beside it, in the same runs, the same session encrypted (``<id>.json.age`` in a folder
with ``recipients.txt``) replayed with ``--identity``: the same first frame, after the
file is decrypted (budget: within 1.2 times the plain one, both medians of this run).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Pty,
    above_floor,
    cpu_rows,
    cpu_s,
    floor_rows,
    listing,
    median,
    observer_command,
    row,
    scratch_dir,
)

EVENTS = 50_000
BUDGET_S = 0.5
RATIO = 1.2
"""First frame of the replay over the smallest Textual app's, measured beside it."""
OVERHEAD_S = 0.1
"""Its overhead above that floor (0.14 s in a fast spell when the preview came)."""
CPU_RATIO = 2.0
"""Its CPU time to the first frame over the smallest app's: 1.7-1.8 (docs/benchmarks.md),
so a start-up that grows fails this row whatever the load."""
WHOLE = re.compile(r"total s")
"""The summary panel's table header: drawn once the whole session is loaded."""
ENCRYPTED_RATIO = 1.2
"""The encrypted session's first frame over the plain one's, measured in the same runs."""


def run(quick: bool = False) -> list[dict[str, Any]]:
    from observer.codebook import load_codebook
    from observer.sessionfile import write_session
    from observer.synthetic import make_session

    runs = 3 if quick else 7
    first: list[float] = []
    whole: list[float] = []
    floor: list[float] = []
    sealed_first: list[float] = []
    cpu: list[float | None] = []
    floor_cpu: list[float | None] = []
    peak = None
    with scratch_dir("replay") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=3)
        path = write_session(folder, session)
        sealed, identity = _encrypted(folder, session)
        env = {"PYTHONPYCACHEPREFIX": str(folder / "pycache"), "PYTHONDONTWRITEBYTECODE": ""}
        drawn = re.compile(rf"⏸ paused.*{re.escape(session.id)}")
        minimal = [sys.executable, str(Path(__file__).with_name("minimal_app.py"))]
        replay = [*observer_command(), "replay"]
        for i in range(runs + 1):
            # The plain and the encrypted replay one after the other, which goes first
            # alternating (the second finds the disk cache and the CPU as the first left them).
            for encrypted in (True, False) if i % 2 else (False, True):
                if encrypted:
                    argv = [*replay, "--identity", str(identity), str(sealed)]
                    with Pty(argv, env=env, width=160, height=45) as pty:
                        sealed_shown = pty.wait_for(drawn, timeout=60) - pty.started
                        pty.kill()
                        pty.wait(30)
                    continue
                with Pty([*replay, str(path)], env=env, width=160, height=45) as pty:
                    shown = pty.wait_for(drawn, timeout=60) - pty.started
                    shown_cpu = cpu_s(pty.process.pid)
                    loaded = pty.wait_for(WHOLE, timeout=60) - pty.started
                    pty.kill()
                    pty.wait(30)
                    peak = pty.peak_mb
            with Pty(minimal, env=env, width=160, height=45) as pty:
                smallest = pty.wait_for("MINIMAL", timeout=60) - pty.started
                smallest_cpu = cpu_s(pty.process.pid)
                pty.kill()
                pty.wait(30)
            if i:  # run 0 compiles the bytecode
                sealed_first.append(sealed_shown)
                first.append(shown)
                whole.append(loaded)
                floor.append(smallest)
                cpu.append(shown_cpu)
                floor_cpu.append(smallest_cpu)
    measured = median(first)
    above = above_floor(first, floor)
    note = (
        f"median of {runs} runs (all: {listing(first)} s); above the smallest Textual app"
        f" started right after it: median {above:.3f} s"
    )
    if peak:
        note += f"; peak RSS of the replay process {peak:.0f} MB"
    return [
        row(
            f"open a {len(session.events):,}-event session for replay, first frame",
            measured,
            f"<= {BUDGET_S} s",
            "s",
            measured <= BUDGET_S,
            note,
        ),
        row(
            "  (the whole session loaded and validated: summary drawn)",
            median(whole),
            "-",
            "s",
            None,
            f"median of {runs} runs (all: {listing(whole)} s)",
        ),
        row(
            "  (floor: smallest Textual app, first frame)",
            median(floor),
            "-",
            "s",
            None,
            f"median of {runs} runs (all: {listing(floor)} s)",
        ),
        *floor_rows(first, floor, RATIO, OVERHEAD_S),
        *cpu_rows(*_paired(cpu, floor_cpu), CPU_RATIO),
        *_encrypted_rows(first, sealed_first),
    ]


def _paired(a: list[float | None], b: list[float | None]) -> tuple[list[float], list[float]]:
    """The runs where both CPU times were read."""
    both = [(x, y) for x, y in zip(a, b, strict=True) if x and y]
    return [x for x, _ in both], [y for _, y in both]


def _encrypted(folder: Path, session: Any) -> tuple[Path, Path]:
    """``session`` written into an encrypted folder beside ``folder``'s plain copy; the
    encrypted file and the identity that opens it."""
    import os

    from observer.crypto.keys import new_identity
    from observer.sessionfile import write_session

    identity, public = folder / "study.key", folder / "study.pub"
    new_identity(identity, public)
    sealed = folder / "sealed"
    sealed.mkdir(mode=0o700)
    (sealed / "recipients.txt").write_bytes(public.read_bytes())
    os.chmod(sealed / "recipients.txt", 0o600)
    return write_session(sealed, session), identity


def _encrypted_rows(plain: list[float], sealed: list[float]) -> list[dict[str, Any]]:
    ratio = median(sealed) / median(plain)
    return [
        row(
            f"  encrypted ({EVENTS:,} events, .json.age with --identity), first frame",
            median(sealed),
            "-",
            "s",
            None,
            f"median of {len(sealed)} runs beside the plain ones (all: {listing(sealed)} s)",
        ),
        row(
            "  encrypted first frame / plain first frame",
            ratio,
            f"<= {ENCRYPTED_RATIO}",
            "x",
            ratio <= ENCRYPTED_RATIO,
        ),
    ]


if __name__ == "__main__":
    from benchmarks.common import format_table

    print(format_table(run("--quick" in sys.argv)))
