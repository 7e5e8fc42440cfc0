"""Time from starting ``observer replay`` on a 50,000-event session to its first frame.

Runs the real command in tmux (as a user would) and polls the pane until the
ready marker appears: the status line's ``⏸ paused`` beside the session id,
which the replay screen draws in the same frame as its timeline and event list.
Budget (SPEC): 0.5 s. Usage: ``python benchmarks/replay_first_frame.py [RUNS]``.
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


def first_frame(path: Path, session_id: str, observer: str) -> float:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    socket = ["tmux", "-L", name]
    subprocess.run(
        [*socket, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "45"], check=True
    )
    try:
        start = time.perf_counter()
        subprocess.run(
            [*socket, "send-keys", f"exec {observer} replay {path}", "Enter"], check=True
        )
        while True:
            screen = subprocess.run(
                [*socket, "capture-pane", "-p"], capture_output=True, text=True, check=True
            ).stdout
            if "⏸ paused" in screen and session_id in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > 20:
                raise RuntimeError(f"no first frame after 20 s:\n{screen}")
            time.sleep(0.005)
    finally:
        subprocess.run([*socket, "kill-server"], check=False)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    observer = shutil.which("observer") or str(Path(sys.executable).parent / "observer")
    with tempfile.TemporaryDirectory() as folder:
        session = make_session(load_codebook("cpp-attachment"), EVENTS, seed=3)
        path = write_session(Path(folder), session)
        times = [first_frame(path, session.id, observer) for _ in range(runs)]
    median = statistics.median(times)
    print(
        f"replay first frame, {EVENTS} events: median {median:.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s over {runs} runs "
        f"(budget {BUDGET_S} s) {'OK' if median <= BUDGET_S else 'OVER BUDGET'}"
    )


if __name__ == "__main__":
    main()
