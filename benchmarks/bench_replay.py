"""``observer replay`` on a 50,000-event session: start to first frame (budget 0.5 s).

The real command in a pseudo-terminal, from just before the process is spawned
to the first output chunk that draws the replay screen's status line (``⏸ paused``
beside the session id, drawn in the same frame as the timeline and the event
list); median of several runs after one warm-up run. Beside it, for information,
the frame the screen shows while it reads the file (``loading FILE…``). The
session is synthetic (bundled ``cpp-attachment`` codebook).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from benchmarks.common import Pty, median, observer_command, row, scratch_dir

EVENTS = 50_000
BUDGET_S = 0.5


def run(quick: bool = False) -> list[dict[str, Any]]:
    from observer.codebook import load_codebook
    from observer.sessionfile import write_session
    from observer.synthetic import make_session

    runs = 2 if quick else 5
    times: list[float] = []
    loading: list[float] = []
    peak = None
    with scratch_dir("replay") as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=3)
        path = write_session(folder, session)
        env = {"PYTHONPYCACHEPREFIX": str(folder / "pycache"), "PYTHONDONTWRITEBYTECODE": ""}
        ready = re.compile(rf"⏸ paused.*{re.escape(session.id)}|{re.escape(session.id)}.*⏸ paused")
        first = re.compile(rf"loading {re.escape(path.name)}|⏸ paused")
        for i in range(runs + 1):
            with Pty(
                [*observer_command(), "replay", str(path)], env=env, width=160, height=45
            ) as pty:
                shown = pty.wait_for(first, timeout=60)
                seen = pty.wait_for(ready, timeout=60)
                if i:  # run 0 compiles the bytecode
                    loading.append(shown - pty.started)
                    times.append(seen - pty.started)
                pty.kill()
                pty.wait(30)
                peak = pty.peak_mb
    measured = median(times)
    note = f"median of {runs} runs (all: {', '.join(f'{t:.2f}' for t in times)} s)"
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
            "  (the loading frame before it: the screen up, the file being read)",
            median(loading),
            "-",
            "s",
            None,
            f"median of {runs} runs (all: {', '.join(f'{t:.2f}' for t in loading)} s)",
        ),
    ]


if __name__ == "__main__":
    from benchmarks.common import format_table

    print(format_table(run("--quick" in sys.argv)))
