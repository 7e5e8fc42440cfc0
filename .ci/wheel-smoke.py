"""CI: observer installed from its wheel alone (a fresh venv, nothing of the checkout)
lists its codebooks and codes a session in a real terminal (tmux).

Usage: python wheel-smoke.py PATH/TO/venv/bin/observer   (run outside the checkout)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

DEADLINE_S = 30.0


def main(observer: str) -> None:
    listed = subprocess.run([observer, "codebook", "list"], capture_output=True, text=True)
    assert listed.returncode == 0 and "cpp-attachment" in listed.stdout, listed
    folder = Path(tempfile.mkdtemp(prefix="observer-wheel-"))
    server = f"observer-wheel-{uuid.uuid4().hex[:8]}"

    def tmux(*args: str) -> str:
        done = subprocess.run(["tmux", "-L", server, *args], capture_output=True, text=True)
        return done.stdout

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while text not in (screen := tmux("capture-pane", "-p", "-t", "smoke")):
            if time.monotonic() > deadline:
                raise SystemExit(f"wheel smoke: never saw {text!r}; the screen:\n{screen}")
            time.sleep(0.05)

    command = f"{observer} code --dyad D1 --observer o1 --session-dir {folder}; sleep 60"
    tmux("new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", command)
    try:
        wait_for("press space")
        for keys, then in [
            ("Space", "RUNNING"),
            ("s", "saved 2"),
            ("C-e", "End the session"),
            ("Enter", "Ratings"),
            ("C-s", "Session saved"),
        ]:
            tmux("send-keys", "-t", "smoke", keys)
            wait_for(then)
        tmux("send-keys", "-t", "smoke", "Enter")
        deadline = time.monotonic() + DEADLINE_S
        while not (files := sorted(folder.glob("*.json"))) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        tmux("kill-server")
    (path,) = files
    session = json.loads(path.read_text())
    assert session["dyad"] == "D1" and len(session["events"]) == 1, session
    print(f"wheel smoke: {path.name} with {len(session['events'])} event, from {observer}")


if __name__ == "__main__":
    main(sys.argv[1])
