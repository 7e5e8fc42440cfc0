"""Drive a program in a real terminal through tmux, for end-to-end tests.

Each :class:`Tmux` runs its own tmux server (a private socket), so tests never
touch a user's tmux and never see each other. The server's configuration sets
``remain-on-exit on`` (a program that dies leaves its last screen to inspect)
and ``escape-time 0`` (escape reaches the program at once)::

    with Tmux(width=80, height=24) as term:
        term.start(["observer", "code", "--dyad", "D1"], env={"OBSERVER_SESSION_DIR": d})
        term.wait_for("press space")          # polls capture-pane; no fixed sleeps
        term.send_keys("Space")               # tmux key names: Enter, C-e, Escape, ...
        term.send_literal("aaa")              # text, sent as one write
        term.kill9()                          # SIGKILL the program itself

``require_tmux()`` skips the calling test with a clear reason where tmux is
missing. The program runs under a tiny wrapper (:data:`WRAPPER`) that forks it
in the same terminal, notes its pid, waits for it and writes how it ended to a
file: tmux 3.3a sometimes marks a pane dead without ever reporting the status,
so the status is read from that file, and ``kill9`` kills the program itself.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pytest

CONFIG = "set -g remain-on-exit on\nset -sg escape-time 0\nset -g history-limit 10000\n"

WRAPPER = """
import os, signal, sys
status_file, pid_file, *command = sys.argv[1:]
pid = os.fork()
if pid == 0:
    os.execvp(command[0], command)
signal.signal(signal.SIGINT, signal.SIG_IGN)
with open(pid_file + ".tmp", "w") as out:
    out.write(str(pid))
os.rename(pid_file + ".tmp", pid_file)
_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    ended, code = f"signal {os.WTERMSIG(status)}", 128 + os.WTERMSIG(status)
else:
    ended, code = f"exit {os.WEXITSTATUS(status)}", os.WEXITSTATUS(status)
with open(status_file + ".tmp", "w") as out:
    out.write(ended)
os.rename(status_file + ".tmp", status_file)
sys.exit(code)
"""


def observer_code_argv(
    folder: Path, *, codebook: str = "cpp-attachment", dyad: str = "D012", observer: str = "obs1"
) -> list[str]:
    """The command line of ``observer code`` with every flag, so no form is shown."""
    return [
        sys.executable,
        "-m",
        "observer",
        "code",
        "--codebook",
        codebook,
        "--dyad",
        dyad,
        "--observer",
        observer,
        "--session-dir",
        str(folder),
    ]


def require_tmux() -> str:
    """The tmux executable, or skip the test."""
    path = shutil.which("tmux")
    if path is None:
        pytest.skip(
            "tmux is not installed: end-to-end terminal tests need it (apt-get install tmux)"
        )
    return path


class WaitTimeout(AssertionError):
    """What was waited for did not appear; the message holds the last screen."""


class Tmux:
    def __init__(self, width: int = 80, height: int = 24) -> None:
        self.tmux = require_tmux()
        self.width, self.height = width, height
        self.name = f"obs-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._dir = Path(tempfile.mkdtemp(prefix="tmuxdriver-"))
        self._config = self._dir / "tmux.conf"
        self._config.write_text(CONFIG)
        self._wrapper = self._dir / "wrapper.py"
        self._wrapper.write_text(WRAPPER)
        self._pid_file = self._dir / "pid"
        self._status_file = self._dir / "status"
        self.started = False

    # --- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> Tmux:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.tmux, "-L", self.name, "-f", str(self._config), *args],
            capture_output=True,
            text=True,
            check=check,
        )

    def start(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
    ) -> None:
        """Start ``command`` in a new detached session of the given size."""
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        wrapped = shlex.join(
            [
                sys.executable,
                str(self._wrapper),
                str(self._status_file),
                str(self._pid_file),
                *command,
            ]
        )
        line = f"exec env {exports} {wrapped}" if exports else f"exec {wrapped}"
        self._pid_file.unlink(missing_ok=True)
        self._status_file.unlink(missing_ok=True)
        args = ["new-session", "-d", "-s", self.name, "-x", str(self.width), "-y", str(self.height)]
        if cwd is not None:
            args += ["-c", str(cwd)]
        self._run(*args, line)
        self.started = True

    def close(self) -> None:
        """Kill the server (and with it the program), remove the temporary files."""
        if self.started:
            self._run("kill-server", check=False)
            self.started = False
        shutil.rmtree(self._dir, ignore_errors=True)

    # --- input -------------------------------------------------------------------

    def send_keys(self, *keys: str) -> None:
        """Keys by tmux name: ``Space``, ``Enter``, ``Escape``, ``C-e``, ``a`` ..."""
        self._run("send-keys", "-t", self.name, *keys)

    def send_literal(self, text: str) -> None:
        """``text`` as typed characters, in one ``send-keys -l``."""
        self._run("send-keys", "-t", self.name, "-l", text)

    # --- output ------------------------------------------------------------------

    def capture(self) -> str:
        """The visible screen, one line per row."""
        return self._run("capture-pane", "-p", "-t", self.name).stdout

    def wait_until(
        self, predicate: Callable[[str], bool], *, timeout: float = 15.0, what: str = "condition"
    ) -> str:
        """Poll the screen until ``predicate(screen)`` holds; return that screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while True:
            screen = self.capture()
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise WaitTimeout(f"timed out after {timeout} s waiting for {what}:\n{screen}")
            time.sleep(0.02)

    def wait_for(self, pattern: str, *, timeout: float = 15.0, regex: bool = False) -> str:
        """Wait until ``pattern`` (text, or a regular expression) is on the screen."""
        if regex:
            compiled = re.compile(pattern)
            return self.wait_until(
                lambda s: compiled.search(s) is not None, timeout=timeout, what=repr(pattern)
            )
        return self.wait_until(lambda s: pattern in s, timeout=timeout, what=repr(pattern))

    # --- the program -------------------------------------------------------------

    def _pane(self, fmt: str) -> str:
        return self._run("display-message", "-p", "-t", self.name, fmt).stdout.strip()

    def pane_pid(self) -> int:
        """The program's own pid (the wrapper's child), once it has started."""
        deadline = time.monotonic() + 15.0
        while not self._pid_file.exists():
            if time.monotonic() > deadline:
                raise WaitTimeout(f"the program did not start:\n{self.capture()}")
            time.sleep(0.01)
        return int(self._pid_file.read_text())

    def dead(self) -> bool:
        """Whether the program has ended (the wrapper has recorded how)."""
        return self._status_file.exists()

    def _ended(self) -> tuple[str, int] | None:
        if not self.dead():
            return None
        kind, value = self._status_file.read_text().split()
        return kind, int(value)

    def exit_status(self) -> int | None:
        """The program's exit status once it has exited (None while it runs or if a
        signal killed it: see ``killed_by``)."""
        ended = self._ended()
        return ended[1] if ended is not None and ended[0] == "exit" else None

    def killed_by(self) -> int | None:
        """The signal that killed the program, if one did."""
        ended = self._ended()
        return ended[1] if ended is not None and ended[0] == "signal" else None

    def wait_dead(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.dead():
            if time.monotonic() > deadline:
                raise WaitTimeout(f"the program still runs after {timeout} s:\n{self.capture()}")
            time.sleep(0.02)

    def kill9(self) -> None:
        """SIGKILL the program, as a power cut or an OOM kill would, and wait until it
        is gone (a zombie or reaped) and its terminal closed."""
        pid = self.pane_pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15.0
        while process_alive(pid):
            if time.monotonic() > deadline:
                raise WaitTimeout(f"process {pid} survived SIGKILL for 15 s")
            time.sleep(0.01)
        self.wait_dead()


def save_ratings_and_exit(term: Tmux) -> None:
    """On the ratings form: ctrl+s, then enter on the summary; observer ends with 0."""
    term.send_keys("C-s")
    term.wait_for("Session saved")
    term.send_keys("Enter")
    term.wait_dead()
    assert term.exit_status() == 0


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie no longer runs)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
