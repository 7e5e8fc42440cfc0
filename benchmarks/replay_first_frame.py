"""Time from starting ``observer replay`` on a 50,000-event session to its first frame.

Runs the real command in tmux (as a user would) and polls the pane for two
markers: the first frame (the status line reads ``loading FILE…``: the screen is
up, the file is being parsed and validated behind it) and ready (``⏸ paused``
beside the session id: timeline, event list and running states drawn).
Budget (SPEC): first frame 0.5 s. Usage: ``python benchmarks/replay_first_frame.py [RUNS]``.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from observer.codebook import load_codebook
from observer.sessionfile import write_session
from observer.synthetic import make_session

EVENTS = 50_000
BUDGET_S = 0.5


def first_frame(path: Path, session_id: str, observer: str) -> tuple[float, float]:
    """Seconds to the first frame and to the ready screen."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    socket = ["tmux", "-L", name, "-f", "/dev/null"]
    first = None
    # The tmux server and its pane exist first; the clock starts when the pane is
    # respawned with the command, so only observer's own start is timed.
    subprocess.run([*socket, "new-session", "-d", "-x", "160", "-y", "45", "sleep 600"], check=True)
    try:
        start = time.perf_counter()
        subprocess.run([*socket, "respawn-pane", "-k", f"{observer} replay {path}"], check=True)
        while True:
            screen = subprocess.run(
                [*socket, "capture-pane", "-p"], capture_output=True, text=True, check=True
            ).stdout
            now = time.perf_counter() - start
            if first is None and ("loading" in screen or "⏸ paused" in screen):
                first = now
            if "⏸ paused" in screen and session_id in screen:
                return first or now, now
            if now > 20:
                raise RuntimeError(f"no first frame after 20 s:\n{screen}")
            time.sleep(0.02)  # each poll runs a tmux client: do not crowd the CPU
    finally:
        subprocess.run([*socket, "kill-server"], check=False)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    observer = shutil.which("observer") or str(Path(sys.executable).parent / "observer")
    with tempfile.TemporaryDirectory() as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=3)
        path = write_session(Path(folder), session)
        runs_ = [first_frame(path, session.id, observer) for _ in range(runs)]
    for label, times in (("first frame", [f for f, _ in runs_]), ("ready", [r for _, r in runs_])):
        median = statistics.median(times)
        verdict = ("OK" if median <= BUDGET_S else "OVER BUDGET") if label == "first frame" else ""
        print(
            f"replay {label}, {EVENTS} events: median {median:.3f} s, "
            f"min {min(times):.3f} s, max {max(times):.3f} s over {runs} runs {verdict}"
        )


if __name__ == "__main__":
    main()
