"""Shared pieces of the benchmarks: rows, percentiles, the printed table, a pseudo-terminal.

A benchmark module exposes ``run(quick: bool = False) -> list[dict]``; each dict
is one row: ``what``, ``measured`` (a number, or None when it could not be
measured), ``budget`` (text), ``unit``, ``ok`` (True, False, or None when there
is no pass/miss), ``load`` (the machine's load average when the row was made: a row
missed under load can be told from a real miss), and optionally ``note`` (how it was
measured, or why it was not), ``digits`` (decimals shown), ``result`` (the result
column's text, where it says more than pass or MISS), ``cpu_s`` and ``peak_mib`` (a
command's CPU time and peak memory, columns of their own: :func:`process_row`). :func:`budget_row`
makes a row whose pass or miss is decided on the figure as printed, so a row never
shows ``33.3 ms`` against ``<= 33.3 ms`` and says MISS.

:class:`Pty` runs the real program in a pseudo-terminal this process owns, so
the benchmarks see exactly what a terminal would: the bytes the program draws
(read on a thread, each chunk stamped with ``time.monotonic()``) and the keys
written to it at measured instants. ``CLOCK_MONOTONIC`` is system-wide on
Linux, so those instants compare directly with the times the program records.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b."
)


def row(
    what: str,
    measured: float | None,
    budget: str,
    unit: str,
    ok: bool | None,
    note: str = "",
) -> dict[str, Any]:
    return {
        "what": what,
        "measured": measured,
        "budget": budget,
        "unit": unit,
        "ok": ok,
        "note": note,
        "load": round(os.getloadavg()[0], 2),
    }


def budget_row(
    what: str, measured: float, budget: float, unit: str, note: str = "", *, digits: int = 1
) -> dict[str, Any]:
    """A row for ``measured <= budget``, both as printed with ``digits`` decimals: the
    comparison is on exactly the figures the table shows."""
    shown, limit = round(measured, digits), round(budget, digits)
    made = row(what, shown, f"<= {limit:.{digits}f} {unit}", unit, shown <= limit, note)
    return {**made, "digits": digits}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def observer_command() -> list[str]:
    """How to start the real ``observer`` program with this interpreter."""
    script = Path(sys.executable).with_name("observer")
    return [str(script)] if script.exists() else [sys.executable, "-m", "observer"]


def listing(times: Sequence[float]) -> str:
    """Every run's figure, for a note: ``0.41, 0.44, 0.65``."""
    return ", ".join(f"{t:.2f}" for t in times)


def above_floor(times: Sequence[float], floor: Sequence[float]) -> float:
    """Median of each run minus the smallest Textual app's run right after it."""
    return median([t - f for t, f in zip(times, floor, strict=True)])


def cpu_s(pid: int) -> float | None:
    """CPU time (user + system) of process ``pid`` so far, from ``/proc`` (Linux; None
    elsewhere or once it is gone). Ticks of 10 ms: a median of several runs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_rows(cpu: Sequence[float], floor: Sequence[float], ratio: float) -> list[dict[str, Any]]:
    """The start-up's CPU time to its first frame over the smallest Textual app's (each
    run over the floor's run beside it; median), budget ``ratio``: the wall clock of a
    shared machine measures the neighbours too, the CPU time much less so, so this row
    fails when what a command does before its first frame grows, whatever the load."""
    if not cpu or len(cpu) != len(floor):
        return [row("  CPU time to the first frame / floor's", None, f"<= {ratio}", "×", None)]
    ratios = median([c / f for c, f in zip(cpu, floor, strict=True)])
    above = median([c - f for c, f in zip(cpu, floor, strict=True)])
    note = f"CPU time above the floor's: median {above:.3f} s (ticks of 10 ms)"
    return [
        budget_row("  CPU time to the first frame / floor's", ratios, ratio, "×", note, digits=2)
    ]


def process_runs(pid: int) -> bool:
    """Whether ``pid`` still runs, from ``/proc`` (a zombie no longer runs; Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def floor_rows(
    times: Sequence[float], floor: Sequence[float], ratio: float, overhead_s: float
) -> list[dict[str, Any]]:
    """The start-up rows against the floor measured beside them: the median of each
    run's time over the smallest Textual app's run right after it (budget ``ratio``),
    and the median overhead above it (budget ``overhead_s``: it fails when what a
    command does before its first frame grows, whatever the machine's speed)."""
    ratios = median([t / f for t, f in zip(times, floor, strict=True)])
    above = above_floor(times, floor)
    return [
        budget_row("  first frame / floor", ratios, ratio, "×", digits=2),
        budget_row("  overhead above the floor", above, overhead_s, "s", digits=3),
    ]


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder on a real disk (fsync must mean something), removed after."""
    base = os.environ.get("OBSERVER_BENCH_TMP") or None
    folder = Path(tempfile.mkdtemp(prefix=f"observer-bench-{prefix}-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def format_table(rows: list[dict[str, Any]]) -> str:
    """The table: what, measured, budget, result (a row's own ``result`` text where it has
    one), load; and CPU and peak memory columns when any row has ``cpu_s`` / ``peak_mib``."""
    head: tuple[str, ...] = ("what", "measured", "budget", "result", "load")
    extra = [k for k in ("cpu_s", "peak_mib") if any(k in r for r in rows)]
    head += tuple({"cpu_s": "CPU", "peak_mib": "peak memory"}[k] for k in extra)
    lines: list[tuple[str, ...]] = []
    for r in rows:
        measured = r["measured"]
        if measured is None:
            shown = "not measured"
        elif isinstance(measured, float):
            shown = f"{measured:.{r.get('digits', 3)}f} {r['unit']}".strip()
        else:
            shown = f"{measured} {r['unit']}".strip()
        result = r.get("result") or {True: "pass", False: "MISS", None: "-"}[r["ok"]]
        load = r.get("load")
        cells = [r["what"], shown, r["budget"], result, "" if load is None else f"{load:.1f}"]
        if "cpu_s" in extra:
            cells.append("" if r.get("cpu_s") is None else f"{r['cpu_s']:.2f} s")
        if "peak_mib" in extra:
            cells.append("" if r.get("peak_mib") is None else f"{r['peak_mib']:.0f} MiB")
        lines.append(tuple(cells))
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    out = []
    for i, line in enumerate([head, *lines]):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def run_process(command: Sequence[str]) -> tuple[float, float, float]:
    """Run ``command`` in a fresh process, its output discarded: its wall-clock seconds, CPU
    seconds (user + system) and peak memory (its maximum resident set, MiB), from
    ``wait4``; RuntimeError with its standard error when it fails."""
    start = time.perf_counter()
    child = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:])} exited {child.returncode}: {err.decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def process_row(
    what: str, runs: Sequence[tuple[float, float, float]], budget_s: float, note: str = ""
) -> dict[str, Any]:
    """A budget row for a command run in fresh processes (:func:`run_process`): the median
    wall clock against the budget, the median CPU time and the largest peak memory in
    their columns, the load average when the row was made. A row that misses on the wall
    clock while its CPU time is within the budget says so (``MISS (wall clock only)``): on
    a shared machine the wall clock measures the neighbours too."""
    wall = median([w for w, _, _ in runs])
    cpu = median([c for _, c, _ in runs])
    made = budget_row(what, wall, budget_s, "s", note, digits=3)
    made.update(cpu_s=cpu, peak_mib=max(p for _, _, p in runs))
    if made["ok"] is False and round(cpu, 3) <= round(budget_s, 3):
        made["result"] = "MISS (wall clock only)"
        why = (
            f"missed on the wall clock only: CPU {cpu:.2f} s is within the {budget_s:g} s"
            f" budget, at load average {made['load']:.1f}"
        )
        made["note"] = f"{note}; {why}" if note else why
    return made


class Pty:
    """The real program in a pseudo-terminal of ``width`` x ``height``."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        width: int = 100,
        height: int = 32,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TMUX"))}
        full_env.update({"TERM": "xterm-256color", "COLUMNS": str(width), "LINES": str(height)})
        full_env.update(env or {})
        self.master = master
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            list(command),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self._chunks: list[tuple[float, bytes]] = []
        self._text = bytearray()  # everything drawn, escape sequences removed
        self._changed = threading.Condition()
        self._closed = False
        self.rusage: Any = None
        self._reader = threading.Thread(target=self._read, name="pty reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        pending = b""
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            now = time.monotonic()
            with self._changed:
                if not data:
                    self._closed = True
                    self._changed.notify_all()
                    return
                self._chunks.append((now, data))
                # Keep an incomplete escape sequence for the next chunk.
                pending += data
                cut = pending.rfind(b"\x1b")
                tail = b""
                if cut >= 0 and len(pending) - cut < 64 and not ANSI.match(pending, cut):
                    pending, tail = pending[:cut], pending[cut:]
                self._text += ANSI.sub(b"", pending)
                pending = tail
                self._changed.notify_all()

    def text(self) -> str:
        with self._changed:
            return self._text.decode("utf-8", "replace")

    def wait_for(
        self, pattern: str | re.Pattern[str], timeout: float = 30.0, start: int = 0
    ) -> float:
        """Wait until ``pattern`` appears in the drawn text after character ``start``;
        return the monotonic time of the chunk that completed it."""
        deadline = time.monotonic() + timeout
        needle = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        with self._changed:
            while True:
                text = self._text.decode("utf-8", "replace")
                if needle.search(text, start):
                    return self._chunks[-1][0] if self._chunks else time.monotonic()
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise TimeoutError(
                        f"{needle.pattern!r} did not appear; screen text:\n{text[-2000:]}"
                    )
                self._changed.wait(min(left, 0.5))

    def write(self, data: bytes) -> float:
        """Write ``data`` as typed input; return the monotonic time right after it was
        in the terminal (the instant the keys arrived)."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]
        return time.monotonic()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def wait(self, timeout: float = 30.0) -> int:
        """Reap the program (its resource usage kept in ``rusage``); return its status."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.rusage = usage
                code = os.waitstatus_to_exitcode(status)
                self.process.returncode = code
                return code
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the program still runs after {timeout} s:\n{self.text()[-2000:]}"
                )
            time.sleep(0.005)

    @property
    def peak_mb(self) -> float | None:
        return None if self.rusage is None else self.rusage.ru_maxrss / 1024

    def close(self) -> None:
        if self.process.returncode is None:
            self.kill()
            with contextlib.suppress(TimeoutError, ChildProcessError):
                self.wait(10)
        self._reader.join(2)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def __enter__(self) -> Pty:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command_row(what: str, command: Sequence[str], repeats: int, budget_s: float) -> dict[str, Any]:
    """A budget row for a real command run ``repeats`` times in fresh processes: the
    median wall-clock seconds, with the median CPU time (user + system) and the load
    average in the note (on a busy machine the wall clock measures the neighbours too)."""
    runs: list[tuple[float, float]] = []
    for _ in range(repeats):
        cpu, start = _children_cpu(), time.perf_counter()
        subprocess.run(list(command), check=True, capture_output=True)
        runs.append((time.perf_counter() - start, _children_cpu() - cpu))
    measured = median([wall for wall, _ in runs])
    cpu_used = median([used for _, used in runs])
    note = f"wall clock, median of {repeats}; CPU {cpu_used:.3f} s"
    return budget_row(what, measured, budget_s, "s", note, digits=3)
