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
ones typed, in order (nothing lost, nothing invented); so are the raw key log's keys;
and the session file's events are those the journal's actions make, then the keys the
key log holds past them (logged, not yet journaled at the kill: recovery replays them).

Two more cases. The session folder deleted mid-session (``rm -rf``): every action
typed before and after must be acknowledged (the journal re-created from memory,
the status line warning), and recovered after a SIGKILL. The disk full at the end
(a 20 MB tmpfs, mounted when running as root; else the row says it was not run):
the folder is filled, more keys are typed, the session ended; the app must stay
open on NOT SAVED with a complete copy in a second folder, and once the filler is
removed save into the session folder the very events the typed keys make.
"""

from __future__ import annotations

import contextlib
import io
import os
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
        elif roll < 0.11 and script:
            # pause, then resume: slower than a held space repeats (its repeats are refused),
            # with room for a late read under load; never first (the clock's own start is a
            # space typed just before the script, and a space right after it is its repeat)
            script += [(" ", gap), (" ", rng.uniform(0.25, 0.35))]
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
    key = {"undo": "\x1a", "redo": "\x19", "clock": " "}.get(str(kind), action.get("key", "?"))
    return str(key)


def _recover(folder: Path, identity: Path | None = None) -> tuple[int, str]:
    """``observer recover --session-dir FOLDER`` through the CLI's own entry point (in this
    process: the same code as the command, without another interpreter start-up)."""
    from observer.cli import main

    errors = io.StringIO()
    given = [] if identity is None else ["--identity", str(identity)]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        try:
            main(["recover", "--session-dir", str(folder), *given])
        except SystemExit as done:
            return int(done.code or 0), errors.getvalue()
    return 0, errors.getvalue()


ENCRYPTED_DYAD = "DYX7341Q"
"""The dyad id of the encrypted runs: long enough that finding it in ciphertext by
chance is out of the question (a two-letter id would match random bytes)."""


def crash_once(
    rng: random.Random, folder: Path, env: dict[str, str] | None = None, keys: Keys | None = None
) -> dict[str, Any]:
    """One scripted session killed at a random instant; what was seen and recovered.
    With ``keys``, in a folder encrypted to them (``--encrypt-to``): also no byte of the
    dyad id or of a code label in any file of the folder, before or after recovery."""
    from observer.crypto import agefile

    script = make_script(rng)
    total = sum(gap for _, gap in script)
    kill_at = rng.uniform(0.0, total)
    dyad = "D1" if keys is None else ENCRYPTED_DYAD
    command = [*observer_command(), "code", "--dyad", dyad, "--observer", "crash"]
    if keys is not None:
        command += ["--encrypt-to", str(keys.recipient)]
    typed = [" "]
    with Pty([*command, "--session-dir", str(folder)], env=env) as pty:
        pty.wait_for("WAITING", timeout=60)
        pty.write(b" ")
        typed += _type(pty, script, until=time.monotonic() + kill_at)
        seen = SAVED.findall(pty.text())
        acked = int(seen[-1]) if seen else 0
        leaked = _leaks(folder, keys)
        pty.kill()
        pty.wait(30)
    leaked += _leaks(folder, keys)
    status, errors = _recover(folder, None if keys is None else keys.identity)
    leaked += _leaks(folder, keys)
    result: dict[str, Any] = {"acked": acked, "typed": len(typed), "ok": False, "problem": ""}
    if leaked:
        result["problem"] = f"plaintext in {', '.join(sorted(set(leaked)))}"
        return result
    agefile.use_identities([] if keys is None else [keys.identity])
    try:
        return _check(result, folder, typed, acked, status, errors)
    finally:
        agefile.use_identities([])


class Keys:
    """An age identity and its recipients file, for the encrypted runs."""

    def __init__(self, base: Path) -> None:
        from observer.crypto.keys import new_identity

        self.identity, self.recipient = base / "study.key", base / "study.pub"
        new_identity(self.identity, self.recipient)
        os.chmod(self.recipient, 0o600)


def _leaks(folder: Path, keys: Keys | None) -> list[str]:
    """The files under ``folder`` (hidden and temporary ones too) holding the dyad id or
    a code label in their raw bytes; none looked for in a plain folder."""
    if keys is None:
        return []
    from observer.codebook import load_codebook

    book = load_codebook("cpp-attachment")
    secrets = [ENCRYPTED_DYAD.encode(), *(code.label.encode() for code in book.code_by_id.values())]
    found = []
    for path in folder.rglob("*") if folder.is_dir() else []:
        with contextlib.suppress(OSError):  # a temporary file gone meanwhile
            data = path.read_bytes() if path.is_file() else b""
            if any(secret in data for secret in secrets):
                found.append(path.name)
    return found


def _check(
    result: dict[str, Any], folder: Path, typed: list[str], acked: int, status: int, errors: str
) -> dict[str, Any]:
    from observer.live.journal import read_journal
    from observer.live.keylog import read_keylog
    from observer.live.keyrecovery import replay_logged
    from observer.live.recorder import Recorder
    from observer.live.recovery import parse_header
    from observer.sessionfile import load_session

    sessions = [*folder.glob("*.json"), *folder.glob("*.json.age")]
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
        at = next(i for i, (k, t) in enumerate(zip(keys, typed, strict=False)) if k != t)
        result["problem"] = (
            "the recovered actions are not the keys typed, in order"
            f" (action {at + 1}: {keys[at]!r} recovered, {typed[at]!r} typed)"
        )
    else:
        meta, book = parse_header(contents.header, str(journals[0]))
        rec = Recorder.replay(book, meta, actions)
        journaled_events = len(rec.events)
        # Keys the key log holds past the journal (logged, not yet journaled at the kill)
        # are replayed by recovery too: they must be keys typed, in order, and the session
        # what the journal's actions and then those keys make.
        logs = [p for p in folder.glob("*.keys.jsonl.*") if not p.name.startswith(".")]
        logged = [_logged_key(k) for k in read_keylog(logs[0]).keys] if len(logs) == 1 else []
        if logged != typed[: len(logged)]:
            result["problem"] = "the key log's keys are not the keys typed, in order"
            return result
        if len(logs) == 1:
            replay_logged(logs[0], rec, actions)
        expected = rec.recovered_session()
        session = load_session(sessions[0])
        same = [(e.code, e.start, e.end, e.modifiers) for e in session.events] == [
            (e.code, e.start, e.end, e.modifiers) for e in expected.events
        ]
        result["events"] = len(session.events)
        result["from_keys"] = len(rec.events) - journaled_events
        result["ok"] = same
        result["problem"] = "" if same else _difference(session.events, expected.events)
    return result


def _difference(got: Any, made: Any) -> str:
    """Where the recovered session's events part from those the journal and key log make."""
    pairs = list(zip(got, made, strict=False))
    at = next((i for i, (a, b) in enumerate(pairs) if a != b), len(pairs))
    seen = got[at] if at < len(got) else None
    want = made[at] if at < len(made) else None
    return (
        f"session events differ from the journal's and key log's: {len(got)} against"
        f" {len(made)}, from event {at}: {seen} against {want}"
    )


def _logged_key(key: Any) -> str:
    """A key log's key as the script typed it."""
    return {"space": " ", "ctrl+z": "\x1a", "ctrl+y": "\x19"}.get(key.key, key.char or "?")


def _type(pty: Pty, script: list[tuple[str, float]], until: float = float("inf")) -> list[str]:
    """Type ``script`` (bursts as one write) until the monotonic time ``until``; the
    keys typed."""
    typed: list[str] = []
    i = 0
    while i < len(script) and time.monotonic() < until:
        chunk = script[i][0]
        i += 1
        while i < len(script) and script[i][1] == 0.0:  # a burst: one write
            chunk += script[i][0]
            i += 1
        pty.write(chunk.encode())
        typed += list(chunk)
        if i < len(script):
            time.sleep(script[i][1])
    return typed


def _wait_saved(pty: Pty, n: int, timeout: float = 30.0) -> int:
    """The last ``saved N`` on screen once it reaches ``n`` (or the timeout)."""
    deadline = time.monotonic() + timeout
    acked = 0
    while time.monotonic() < deadline:
        seen = SAVED.findall(pty.text())
        acked = int(seen[-1]) if seen else 0
        if acked >= n:
            break
        time.sleep(0.1)
    return acked


def _expected_codes(script_keys: list[str]) -> list[str]:
    """The codes the typed keys make, by the recorder itself (times one apart)."""
    from observer.codebook import load_codebook
    from observer.live.recorder import Recorder, SessionMeta

    rec = Recorder(load_codebook("cpp-attachment"), SessionMeta("x", "D1", "o"))
    for n, key in enumerate(script_keys):
        mono = 1000.0 + n
        {" ": rec.toggle_clock, "\x1a": rec.undo, "\x19": rec.redo}.get(
            key, lambda m, k=key: rec.key(k, m)
        )(mono)
    return [e.code for e in sorted(rec.events, key=lambda e: e.start)]


def folder_deleted_once(
    rng: random.Random, folder: Path, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """The session folder deleted mid-session: every action typed before and after is
    acknowledged (the journal re-created from memory), then SIGKILL and recover."""
    import shutil

    from observer.live.journal import read_journal

    script = make_script(rng, 60)
    command = [*observer_command(), "code", "--dyad", "D1", "--observer", "gone"]
    with Pty([*command, "--session-dir", str(folder)], env=env) as pty:
        pty.wait_for("WAITING", timeout=60)
        typed = _type(pty, [(" ", 0.0), *script[:30]])
        _wait_saved(pty, len(typed))
        shutil.rmtree(folder)
        typed += _type(pty, script[30:])
        acked = _wait_saved(pty, len(typed))
        warned = "WARNING" in pty.text()
        pty.kill()
        pty.wait(30)
    status, errors = _recover(folder)
    journals = [p for p in folder.glob("*.journal.jsonl.*") if not p.name.startswith(".")]
    actions = read_journal(journals[0]).actions if journals else []
    ok = status == 0 and warned and acked == len(typed) == len(actions)
    problem = "" if ok else f"typed {len(typed)}, acked {acked}, recovered {len(actions)};"
    return {"ok": ok, "acked": acked, "journaled": len(actions), "problem": problem + errors}


def disk_full_once(rng: random.Random, base: Path, env: dict[str, str]) -> dict[str, Any] | None:
    """Code on a 20 MB tmpfs, fill it, type more, end: the app must stay open with a
    complete copy elsewhere, then save into the session folder once space is freed.
    None when no tmpfs can be mounted here (root is needed)."""
    import subprocess

    from observer.sessionfile import load_session

    mount = base / "tmpfs"
    mount.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], capture_output=True
    ).returncode:
        return None
    try:
        folder = mount / "sessions"
        env = {**env, "XDG_STATE_HOME": str(base / "state")}
        script = make_script(rng, 60)
        command = [*observer_command(), "code", "--dyad", "D1", "--observer", "full"]
        with Pty([*command, "--session-dir", str(folder)], env=env, width=140) as pty:
            pty.wait_for("WAITING", timeout=60)
            typed = _type(pty, [(" ", 0.0), *script[:30]])
            _wait_saved(pty, len(typed))
            filler = mount / "filler"
            with open(filler, "wb") as out, contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * (1 << 20))
                    out.flush()
            typed += _type(pty, script[30:])
            began = time.monotonic()
            pty.write(b"\x05")  # ctrl+e
            pty.wait_for("End the session", timeout=30, start=len(pty.text()))
            pty.write(b"\r")
            pty.wait_for("Ratings", timeout=30, start=len(pty.text()))
            pty.write(b"\x13")  # ctrl+s
            pty.wait_for("NOT SAVED", timeout=30, start=len(pty.text()))
            kept_open = time.monotonic() - began
            copies = list((base / "state" / "observer" / "unsaved").glob("*.json"))
            filler.unlink()
            pty.wait_for("Session saved", timeout=30, start=len(pty.text()))
            pty.kill()
            pty.wait(30)
        expected = _expected_codes(typed)
        saved = list(folder.glob("*.json"))
        codes = [e.code for e in load_session(saved[0]).events] if len(saved) == 1 else []
        copy = [e.code for e in load_session(copies[0]).events] if len(copies) == 1 else []
        ok = codes == copy == expected and not list(folder.glob("*.journal.jsonl"))
        problem = "" if ok else f"expected {len(expected)} events, saved {len(codes)}"
        return {"ok": ok, "events": len(codes), "problem": problem, "seconds": kept_open}
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def run(quick: bool = False) -> list[dict[str, Any]]:
    iterations = 5 if quick else 50
    rng = random.Random(20261122)
    failures = []
    lost = 0
    acked_total = journaled_total = from_keys = used_keys = 0
    with scratch_dir("crash-bytecode") as cache:
        env = {"PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": ""}
        results = []
        for n in range(iterations):
            with scratch_dir(f"crash{n}") as folder:
                results.append(crash_once(rng, folder, env))
    for n, result in enumerate(results):
        acked_total += result["acked"]
        journaled_total += result.get("journaled", 0)
        from_keys += result.get("from_keys", 0)
        used_keys += bool(result.get("from_keys"))
        if not result["ok"]:
            failures.append(f"#{n}: {result['problem']}")
            lost += 1
    note = (
        f"{iterations} kills at random instants; {acked_total} actions acknowledged on screen"
        f" before the kills, {journaled_total} recovered from the journals and {from_keys}"
        f" more events from the key logs alone (in {used_keys} recoveries)"
        + (f"; failures: {'; '.join(failures[:3])}" if failures else "")
    )
    rows = [
        row(
            "SIGKILL at a random instant: recoveries with every acknowledged action",
            iterations - lost,
            "every one",
            f"of {iterations}",
            lost == 0,
            note,
        )
    ]
    with scratch_dir("crash-bytecode") as cache:
        env = {"PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": ""}
        rows.append(_encrypted(rng, 3 if quick else 20, env))
    return rows + _folder_and_disk(rng, 2 if quick else 5, env_of_run())


def _encrypted(rng: random.Random, n: int, env: dict[str, str]) -> dict[str, Any]:
    """The same kills in an encrypted folder, recovered with ``--identity``."""
    results = []
    for i in range(n):
        with scratch_dir(f"sealed{i}") as base:
            folder = base / "sessions"
            results.append(crash_once(rng, folder, env, Keys(base)))
    good = sum(r["ok"] for r in results)
    problems = "; ".join(f"#{i}: {r['problem']}" for i, r in enumerate(results) if not r["ok"])
    return row(
        "  encrypted folder: every acknowledged action recovered, no plaintext in any file",
        good,
        "every one",
        f"of {n}",
        good == n,
        f"{n} kills; {sum(r['acked'] for r in results)} actions acknowledged,"
        f" {sum(r.get('journaled', 0) for r in results)} recovered with --identity; the raw bytes"
        " of every file in the folder (hidden and temporary ones too) grepped for the dyad id"
        " and every code label before the kill, after it and after recovery"
        + (f"; failures: {problems[:300]}" if problems else ""),
    )


def env_of_run() -> dict[str, str]:
    return {"PYTHONDONTWRITEBYTECODE": "1"}


def _folder_and_disk(rng: random.Random, n: int, env: dict[str, str]) -> list[dict[str, Any]]:
    deleted = []
    for i in range(n):
        with scratch_dir(f"gone{i}") as folder:
            deleted.append(folder_deleted_once(rng, folder / "sessions", env))
    full = []
    for i in range(n):
        with scratch_dir(f"full{i}") as base:
            result = disk_full_once(rng, base, env)
            if result is not None:
                full.append(result)
    good = sum(r["ok"] for r in deleted)
    problems = "; ".join(r["problem"] for r in deleted if not r["ok"])[:300]
    rows = [
        row(
            "session folder deleted mid-session: every action acknowledged and recovered",
            good,
            "every one",
            f"of {n}",
            good == n,
            f"{sum(r['acked'] for r in deleted)} actions acknowledged, journal re-created"
            + (f"; failures: {problems}" if problems else ""),
        )
    ]
    if full:
        good = sum(r["ok"] for r in full)
        problems = "; ".join(r["problem"] for r in full if not r["ok"])[:300]
        rows.append(
            row(
                "disk full at the end (20 MB tmpfs): the app stays open, copies, then saves",
                good,
                "every one",
                f"of {len(full)}",
                good == len(full),
                f"{sum(r['events'] for r in full)} events saved; NOT SAVED shown"
                f" {max(r['seconds'] for r in full):.2f} s at most after ctrl+e"
                + (f"; failures: {problems}" if problems else ""),
            )
        )
    else:
        rows.append(
            row(
                "disk full at the end (20 MB tmpfs)",
                0,
                "every one",
                "not run",
                True,
                "needs root to mount a tmpfs",
            )
        )
    return rows


if __name__ == "__main__":
    from benchmarks.common import format_table

    rows = run("--quick" in sys.argv)
    print(format_table(rows))
    for one in rows:
        print(one["note"])
