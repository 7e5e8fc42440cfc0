"""Crash safety: SIGKILL ``observer code`` at random instants; recovery keeps every
acknowledged action.

Each iteration starts the real program in a pseudo-terminal, starts the clock,
and types a random script at a random pace (single keys and bursts of 5-20 keys
in one write): point codes, state codes (a state key never again within 0.3 s,
so no press is refused as a held key's repeat), modifier values right after
their code, undo, redo right after an undo, pause and resume. Every key of such
a script is one journal action. At a random instant the screen's last "saved N"
(the writer's acknowledgement: on disk after fsync) is read and the program is
killed with SIGKILL. Then ``observer recover`` runs on the folder (its CLI entry
point, in the benchmark's process).

Passes when, every time: recovery exits 0 and writes a session file; the
recovered journal holds at least N actions; its actions are exactly the first
ones typed, in order (nothing lost, nothing invented); and the session file's
events are those the journal's actions make.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Pty, observer_command, row, scratch_dir

POINT = "tdowerfgyuzxcvbnm"
WITH_MODIFIER = "werfgyuzxcvbnm"
STATE = "sqakjhlip"
SAVED = re.compile(r"saved (\d+)")


def make_script(rng: random.Random, n: int = 100) -> list[tuple[str, float]]:
    """(key bytes, gap before it in seconds); each key is one journal action."""
    script: list[tuple[str, float]] = []
    last_state: dict[str, float] = {}
    t = 0.0
    undoable = 0
    while len(script) < n:
        burst = rng.random() < 0.25
        gap = 0.0 if burst and script else rng.uniform(0.005, 0.06)
        t += gap
        roll = rng.random()
        if roll < 0.08 and undoable:
            script.append(("\x1a", gap))  # ctrl+z
            undoable -= 1
            if rng.random() < 0.5:
                script.append(("\x19", 0.0))  # ctrl+y
                undoable += 1
        elif roll < 0.11:
            script += [(" ", gap), (" ", rng.uniform(0.0, 0.05))]  # pause, resume
        elif roll < 0.4:
            key = rng.choice([k for k in STATE if t - last_state.get(k, -1.0) > 0.3] or ["t"])
            if key in STATE:
                last_state[key] = t
            script.append((key, gap))
            undoable += 1
        else:
            key = rng.choice(POINT)
            script.append((key, gap))
            undoable += 1
            if key in WITH_MODIFIER and rng.random() < 0.5:
                script.append((rng.choice("123"), 0.0))
                undoable += 1
    return script


def _action_key(action: dict[str, Any]) -> str:
    kind = action.get("a")
    return {"undo": "\x1a", "redo": "\x19", "clock": " "}.get(kind, action.get("key", "?"))  # type: ignore[arg-type]


def _recover(folder: Path) -> tuple[int, str]:
    """``observer recover --session-dir FOLDER`` through the CLI's own entry point (in this
    process: the same code as the command, without another interpreter start-up)."""
    from observer.cli import main

    errors = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        try:
            main(["recover", "--session-dir", str(folder)])
        except SystemExit as done:
            return int(done.code or 0), errors.getvalue()
    return 0, errors.getvalue()


def crash_once(
    rng: random.Random, folder: Path, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """One scripted session killed at a random instant; what was seen and recovered."""
    from observer.live.journal import read_journal
    from observer.live.recorder import Recorder
    from observer.live.recovery import parse_header
    from observer.sessionfile import load_session

    script = make_script(rng)
    total = sum(gap for _, gap in script)
    kill_at = rng.uniform(0.0, total)
    command = [*observer_command(), "code", "--dyad", "D1", "--observer", "crash"]
    typed = [" "]
    with Pty([*command, "--session-dir", str(folder)], env=env) as pty:
        pty.wait_for("WAITING", timeout=60)
        pty.write(b" ")
        began = time.monotonic()
        i = 0
        while i < len(script) and time.monotonic() - began < kill_at:
            chunk = script[i][0]
            i += 1
            while i < len(script) and script[i][1] == 0.0:  # a burst: one write
                chunk += script[i][0]
                i += 1
            pty.write(chunk.encode())
            typed += list(chunk)
            if i < len(script):
                time.sleep(script[i][1])
        seen = SAVED.findall(pty.text())
        acked = int(seen[-1]) if seen else 0
        pty.kill()
        pty.wait(30)
    status, errors = _recover(folder)
    result: dict[str, Any] = {"acked": acked, "typed": len(typed), "ok": False, "problem": ""}
    sessions = list(folder.glob("*.json"))
    # Set aside by recover (a kill mid-start may also leave a hidden temporary file).
    journals = [p for p in folder.glob("*.journal.jsonl.*") if not p.name.startswith(".")]
    if status == 0 and not journals and not sessions and acked == 0:
        result["ok"] = True  # killed before the journal was created: nothing to lose
        result["journaled"] = 0
        return result
    if status != 0 or len(journals) != 1:
        found = ", ".join(p.name for p in folder.iterdir())
        result["problem"] = f"recover exited {status} ({errors.strip()}); folder: {found}"
        return result
    contents = read_journal(journals[0])
    actions = contents.actions
    result["journaled"] = len(actions)
    if journals[0].name.endswith(".empty"):
        ok = acked <= 1 and not sessions
        result.update(ok=ok, problem="" if ok else "journal set aside as empty after acks")
        return result
    if len(sessions) != 1:
        result["problem"] = "no session file after recovery"
        return result
    keys = [_action_key(a) for a in actions]
    if len(actions) < acked:
        result["problem"] = f"{acked} acknowledged, only {len(actions)} recovered"
    elif keys != typed[: len(keys)]:
        result["problem"] = "the recovered actions are not the keys typed, in order"
    else:
        meta, book = parse_header(contents.header, str(journals[0]))
        expected = Recorder.replay(book, meta, actions).recovered_session()
        session = load_session(sessions[0])
        same = [(e.code, e.start, e.end, e.modifiers) for e in session.events] == [
            (e.code, e.start, e.end, e.modifiers) for e in expected.events
        ]
        result["events"] = len(session.events)
        result["ok"] = same
        result["problem"] = "" if same else "session events differ from the journal's"
    return result


def run(quick: bool = False) -> list[dict[str, Any]]:
    iterations = 5 if quick else 50
    rng = random.Random(20261122)
    failures = []
    lost = 0
    acked_total = journaled_total = 0
    with scratch_dir("crash-bytecode") as cache:
        env = {"PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": ""}
        results = []
        for n in range(iterations):
            with scratch_dir(f"crash{n}") as folder:
                results.append(crash_once(rng, folder, env))
    for n, result in enumerate(results):
        acked_total += result["acked"]
        journaled_total += result.get("journaled", 0)
        if not result["ok"]:
            failures.append(f"#{n}: {result['problem']}")
            lost += 1
    note = (
        f"{iterations} kills at random instants; {acked_total} actions acknowledged on screen"
        f" before the kills, {journaled_total} recovered"
        + (f"; failures: {'; '.join(failures[:3])}" if failures else "")
    )
    return [
        row(
            "SIGKILL at a random instant: recoveries with every acknowledged action",
            iterations - lost,
            "every one",
            f"of {iterations}",
            lost == 0,
            note,
        )
    ]


if __name__ == "__main__":
    from benchmarks.common import format_table

    rows = run("--quick" in sys.argv)
    print(format_table(rows))
    print(rows[0]["note"])
