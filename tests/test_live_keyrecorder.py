"""The key recorder in a real pseudo-terminal: stamps taken at arrival and on disk
while the event loop is blocked; a kill between key log and journal loses nothing."""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path

import orjson
import pytest

from benchmarks.common import Pty
from observer.live.keylog import KEYS_SUFFIX, read_keylog
from observer.live.recovery import find_journals, recover
from observer.sessionfile import Event, load_session

CHILD = Path(__file__).parent / "support" / "blocking_code.py"
POINTS = "tdowerfgyuzxcvbnm"  # point codes of cpp-attachment: one event per press

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")


def _start(folder: Path, marker: Path, *, delay: float = 0.0, hold: bool = False) -> Pty:
    env = {"PYTHONPATH": os.pathsep.join(sys.path), "OBSERVER_TEST_JOURNAL_DELAY": str(delay)}
    if hold:
        env["OBSERVER_TEST_JOURNAL_HOLD"] = "1"
    pty = Pty([sys.executable, str(CHILD), str(folder), str(marker)], env=env)
    pty.wait_for("WAITING", timeout=60)
    if delay:
        return pty  # the journal opens later
    ready = marker.with_name(marker.name + ".ready")
    deadline = time.monotonic() + 30
    while not ready.exists():  # the journal and key log open after the first frame
        assert time.monotonic() < deadline, pty.text()
        time.sleep(0.01)
    return pty


def _keylog(folder: Path) -> Path:
    (path,) = folder.glob(f"*{KEYS_SUFFIX}")
    return path


def _journal_keys(folder: Path) -> list[dict[str, object]]:
    (path,) = folder.glob("*.journal.jsonl")
    out = []
    for line in path.read_bytes().split(b"\n")[1:]:
        if line:
            action = orjson.loads(line)
            if action.get("a") == "key":
                out.append(action)
    return out


def _wait(predicate: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline
        time.sleep(0.005)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _block(pty: Pty, marker: Path) -> float:
    marker.unlink(missing_ok=True)
    os.kill(pty.process.pid, signal.SIGUSR1)
    _wait(lambda: marker.exists() and marker.read_text())
    return float(marker.read_text().split()[0])


ATTEMPTS = 5
"""Blocks tried (one where this process typed late does not count): the stamper is a
process the kernel must wake, and on a machine loaded far beyond its CPUs a wake-up
alone can take a few milliseconds. Every block must have
every key on disk before it ends and no stamp before its key's arrival; one block in
``ATTEMPTS`` must have every stamp within 1 ms."""


def test_keys_stamped_at_arrival_and_on_disk_while_the_loop_is_blocked(tmp_path: Path) -> None:
    folder, marker = tmp_path / "s", tmp_path / "marker"
    late: list[float] = []
    with _start(folder, marker) as pty:
        pty.write(b" ")
        _wait(lambda: len(read_keylog(_keylog(folder)).keys) == 1)
        for _ in range(ATTEMPTS):
            base = len(read_keylog(_keylog(folder)).keys)
            journaled_before = len(_journal_keys(folder))
            began = _block(pty, marker)
            sent = []
            for key in "tdo":
                before = time.monotonic()
                sent.append((key, before, pty.write(key.encode())))
                time.sleep(0.01)
            pty.write(b"\x1b[200~swkj\x1b[201~")  # a paste: passed on, not a key
            pty.write(b"\x1b[<0;10;5M\x1b[<0;10;5m")  # a mouse click: passed on, not a key
            _wait(lambda: len(marker.read_text().split()) == 3, timeout=5)
            on_disk = int(marker.read_text().split()[2])
            total = journaled_before + 3
            if sent[-1][2] > began + 0.05:  # this process typed late: the block does not count
                _wait(lambda: len(_journal_keys(folder)) == total)  # noqa: B023
                late.append(float("nan"))
                continue
            assert on_disk == base + 3, "not on disk before the loop unblocked"
            logged = read_keylog(_keylog(folder)).keys[-3:]
            assert [(k.key, k.char) for k in logged] == [(k, k) for k, _, _ in sent]
            assert all(before <= k.mono for k, (_, before, _) in zip(logged, sent, strict=True))
            worst = max(k.mono - written for k, (_, _, written) in zip(logged, sent, strict=True))
            _wait(lambda: len(_journal_keys(folder)) == total)  # noqa: B023 - the screen catches up
            journaled = _journal_keys(folder)[-3:]
            assert [a["mono"] for a in journaled] == [k.mono for k in logged]
            if worst <= 0.001:  # stamped within 1 ms of arrival
                break
            late.append(worst)
        else:
            raise AssertionError(f"stamps later than 1 ms after arrival in every block: {late}")
        assert pty.process.poll() is None


def _recovered_alone(folder: Path, alone: Path) -> list[Event]:
    """The events recovered from ``folder``'s key log moved alone into ``alone``."""
    alone.mkdir()
    _keylog(folder).rename(alone / _keylog(folder).name)
    (found,) = find_journals(alone)
    result = recover(found)
    assert result.session_path is not None
    return list(load_session(result.session_path).events)


def test_keys_the_screen_saw_before_the_key_log_existed_are_in_it(tmp_path: Path) -> None:
    """The first space and the keys after it, typed while the journal and key log are
    still being opened: the key log holds them, in order, and a SIGKILL later the key
    log alone (its journal gone) gives back every event."""
    folder, marker = tmp_path / "s", tmp_path / "marker"
    with _start(folder, marker, delay=1.5) as pty:
        assert not list(folder.glob(f"*{KEYS_SUFFIX}"))  # typed before it exists
        for key in " tdo":
            pty.write(key.encode())
            time.sleep(0.05)
        _wait(lambda: list(folder.glob(f"*{KEYS_SUFFIX}")))
        _wait(lambda: len(read_keylog(_keylog(folder)).keys) == 4)
        _wait(lambda: len(_journal_keys(folder)) == 3)
        os.kill(pty.process.pid, signal.SIGKILL)
        pty.wait()
    logged = read_keylog(_keylog(folder)).keys
    assert [k.key for k in logged] == ["space", "t", "d", "o"]
    assert [k.n for k in logged] == [1, 2, 3, 4]
    events = _recovered_alone(folder, tmp_path / "alone")
    assert [e.start for e in events] == sorted(e.start for e in events) and len(events) == 3


def test_keys_read_before_the_key_log_existed_but_handled_after_are_in_it(
    tmp_path: Path,
) -> None:
    """The space and 20 point keys typed while the event loop is held just as the
    journal opens: the driver reads them before the key log exists, the screen handles
    them after; the key log alone gives back every event."""
    folder, marker = tmp_path / "s", tmp_path / "marker"
    with _start(folder, marker, delay=0.5, hold=True) as pty:
        _wait(marker.with_name("marker.opening").exists)
        pty.write(b" ")
        for key in POINTS + "tdo":  # 20 point keys
            pty.write(key.encode())
        _wait(lambda: list(folder.glob("*.journal.jsonl")) and len(_journal_keys(folder)) == 20)
        _wait(lambda: len(read_keylog(_keylog(folder)).keys) == 21, timeout=2)
        os.kill(pty.process.pid, signal.SIGKILL)
        pty.wait()
    logged = read_keylog(_keylog(folder)).keys
    assert [k.key for k in logged][:2] == ["space", "t"]
    assert len(_recovered_alone(folder, tmp_path / "alone")) == 20


def test_sigkill_between_key_log_and_journal_loses_no_logged_key(tmp_path: Path) -> None:
    folder, marker = tmp_path / "s", tmp_path / "marker"
    with _start(folder, marker) as pty:
        pty.write(b" ")
        _wait(lambda: len(read_keylog(_keylog(folder)).keys) == 1)
        pty.write(b"t")
        _wait(lambda: len(_journal_keys(folder)) == 1)
        _block(pty, marker)
        for key in "dow":
            pty.write(key.encode())
            time.sleep(0.01)
        _wait(lambda: len(read_keylog(_keylog(folder)).keys) == 5, timeout=1)
        os.kill(pty.process.pid, signal.SIGKILL)  # the app alone: its stamper must follow
        pty.wait()
        _wait(lambda: not _group_alive(pty.process.pid), timeout=2)
    assert len(_journal_keys(folder)) == 1  # the screen never saw d, o, w
    (journal,) = find_journals(folder)
    result = recover(journal)
    assert result.keys is not None and result.keys.replayed == 3 and not result.keys.not_replayed
    assert result.session_path is not None
    session = load_session(result.session_path)
    assert len(session.events) == 4  # t from the journal; d, o, w from the key log
    assert session.stamper == "helper"  # the helper process stamped these keys
    assert result.keys_aside is not None and result.keys_aside.exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_instant_loses_no_logged_key(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    folder, marker = tmp_path / "s", tmp_path / "marker"
    with _start(folder, marker) as pty:
        pty.write(b" ")
        _wait(lambda: len(read_keylog(_keylog(folder)).keys) == 1)
        stop = time.monotonic() + rng.uniform(0.05, 0.4)
        keys = iter(POINTS * 100)
        while time.monotonic() < stop:
            pty.write(next(keys).encode())
            time.sleep(rng.uniform(0.0, 0.004))
        pty.kill()
        pty.wait()
    logged = [k for k in read_keylog(_keylog(folder)).keys if k.key != "space"]
    (journal,) = find_journals(folder)
    result = recover(journal)
    assert result.session_path is not None
    events = load_session(result.session_path).events
    assert len(events) == len(logged)  # every logged point key is an event


def test_the_terminal_and_web_drivers_get_the_key_recorder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual import constants

    from observer.tui.coding.app import CodingApp
    from observer.tui.driver import RecordingDriver
    from observer.tui.webdriver import WebRecordingDriver

    assert CodingApp(tmp_path).driver_class is RecordingDriver
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.web_driver:WebDriver")
    assert CodingApp(tmp_path).driver_class is WebRecordingDriver  # observer serve


def test_the_stamper_dies_with_its_app_even_while_keys_arrive(tmp_path: Path) -> None:
    """SIGKILL of the app alone (not its group), with keys still coming: the stamper,
    armed with a parent-death signal, goes too (the benchmark measures how fast)."""
    from benchmarks.bench_stamper import _stamper_of
    from benchmarks.common import process_runs

    folder, marker = tmp_path / "s", tmp_path / "marker"
    with _start(folder, marker) as pty:
        stamper = _stamper_of(pty.process.pid, time.monotonic() + 10)
        for key in "tdowe":
            pty.write(key.encode())
        os.kill(pty.process.pid, signal.SIGKILL)
        for key in "tdowe" * 4:  # the terminal keeps sending
            pty.write(key.encode())
        _wait(lambda: not process_runs(stamper), timeout=5)
