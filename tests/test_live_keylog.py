"""The raw key log (observer.live.keylog) and recovery's use of it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from support.clirun import run
from support.minibook import book
from textual import events
from textual._xterm_parser import XTermParser

from observer.live.journal import JournalWriter, journal_in_use, make_header
from observer.live.keylog import REPEAT_S, KeyLog, LoggedKey, read_keylog, replay_keys, tap
from observer.live.keyrecovery import unjournaled
from observer.live.recorder import Recorder, SessionMeta
from observer.live.recovery import find_journals, recover
from observer.sessionfile import load_session
from observer.tui.coding import screen
from observer.tui.driver import stamp_and_record

SID = "20261122T101503Z-D1-o1"


def _header() -> dict[str, object]:
    return make_header(SID, book(), "D1", "o1", "label")


def _meta() -> SessionMeta:
    return SessionMeta(SID, "D1", "o1", "label")


def test_key_log_is_private_locked_and_durable_line_by_line(tmp_path: Path) -> None:
    log = KeyLog.create(tmp_path, _header())
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert log.path.name == f"{SID}.keys.jsonl"
    assert journal_in_use(log.path)  # recovery leaves a running session's log alone
    assert log.record([(10.5, "space", " ")]) and log.record([(11.25, "p", "p"), (11.25, "t", "t")])
    assert log.durable == 3
    contents = read_keylog(log.path)
    assert contents.header["session"] == SID and contents.header["dyad"] == "D1"
    assert [(k.n, k.mono, k.key, k.char) for k in contents.keys] == [
        (1, 10.5, "space", " "),
        (2, 11.25, "p", "p"),
        (3, 11.25, "t", "t"),
    ]
    assert log.close(remove=True) and not log.path.exists()


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    log = KeyLog.create(tmp_path, _header())
    log.record([(1.0, "p", "p")])
    log.close()
    with log.path.open("ab") as f:
        f.write(b'{"n": 2, "mo')
    contents = read_keylog(log.path)
    assert contents.torn and len(contents.keys) == 1


def test_paste_and_responses_pass_through_unstamped_mouse_stamped_none_logged(
    tmp_path: Path,
) -> None:
    log = KeyLog.create(tmp_path, _header())
    parser = XTermParser()
    data = "t\x1b[200~swkj\x1b[201~\x1b[<0;10;5M\x1b[<0;10;5md"
    messages = [*parser.feed(data), *parser.tick()]
    times = {id(m): m.time for m in messages}
    stamp_and_record([(123.0, m) for m in messages], log)
    keys = [m for m in messages if isinstance(m, events.Key)]
    assert [k.key for k in keys] == ["t", "d"] and all(k.time == 123.0 for k in keys)
    pastes = [m for m in messages if isinstance(m, events.Paste)]
    assert [p.text for p in pastes] == ["swkj"]
    mouse = [m for m in messages if isinstance(m, events.MouseEvent)]
    assert [type(m) for m in mouse] == [events.MouseDown, events.MouseUp]
    assert all(m.time == 123.0 for m in mouse)  # a click is stamped as a key is
    others = [m for m in messages if not isinstance(m, events.Key | events.MouseEvent)]
    assert others and all(m.time == times[id(m)] for m in others)  # untouched
    assert [k.key for k in read_keylog(log.path).keys] == ["t", "d"]


def test_replay_follows_the_screen_rules() -> None:
    assert REPEAT_S == screen.REPEAT_S
    rec = Recorder(book(), _meta())
    keys = [
        LoggedKey(1, 1.0, "p", "p"),  # refused: the clock has not started
        LoggedKey(2, 2.0, "space", " "),
        LoggedKey(3, 3.0, "c", "c"),  # a state starts
        LoggedKey(4, 3.05, "c", "c"),  # its held-key repeat: refused
        LoggedKey(5, 4.0, "p", "p"),
        LoggedKey(6, 5.0, "ctrl+z", None),
        LoggedKey(7, 6.0, "ctrl+n", None),  # a note: what follows was its text
        LoggedKey(8, 6.5, "p", "p"),
    ]
    result = replay_keys(rec, keys)
    assert result.replayed == 6
    assert [k.n for k in result.not_replayed] == [7, 8]
    assert [e.code for e in rec.events] == ["ch-cry"]  # the praise was undone


def test_keys_read_together_with_the_last_journaled_one(tmp_path: Path) -> None:
    actions: list[dict[str, object]] = []
    rec = Recorder(book(), _meta(), sink=actions.append)
    rec.toggle_clock(1.0)
    rec.key("p", 2.0)  # p and t were read together; only p reached the journal
    keys = [
        LoggedKey(1, 1.0, "space", " "),
        LoggedKey(2, 2.0, "p", "p"),
        LoggedKey(3, 2.0, "t", "t"),
        LoggedKey(4, 3.0, "p", "p"),
    ]
    assert [k.n for k in unjournaled(actions, keys, book(), _meta())] == [3, 4]


def test_recover_replays_keys_missing_from_the_journal(tmp_path: Path) -> None:
    header = _header()
    writer = JournalWriter.create(tmp_path, header)
    log = KeyLog.create(tmp_path, header)
    rec = Recorder(book(), _meta(), sink=writer.append)
    for mono, key in ((1.0, " "), (2.0, "p")):
        log.record([(mono, "space" if key == " " else key, key)])
        rec.toggle_clock(mono) if key == " " else rec.key(key, mono)
    log.record([(3.0, "p", "p")])  # logged; the screen never handled it
    log.record([(4.0, "p", "p")])
    writer.close()
    log.close()
    result = recover(writer.path)
    assert result.outcome == "recovered" and result.keys is not None
    assert result.keys.replayed == 2 and result.keys.changed == 2
    assert result.session_path is not None
    session = load_session(result.session_path)
    assert [e.start for e in session.events] == [1.0, 2.0, 3.0]
    assert result.keys_aside == tmp_path / f"{SID}.keys.jsonl.recovered"
    assert not log.path.exists() and result.keys_aside.exists()


def test_recovery_from_a_key_log_alone(tmp_path: Path) -> None:
    log = KeyLog.create(tmp_path, _header())
    log.record([(10.0, "space", " ")])
    log.record([(11.0, "p", "p"), (11.0, "p", "p")])
    log.record([(12.5, "t", "t")])
    log.close()
    (found,) = find_journals(tmp_path)  # the journal is gone: the key log is offered
    assert found == log.path
    result = recover(found)
    assert result.outcome == "recovered" and result.session_path is not None
    session = load_session(result.session_path)
    assert session.id == SID and session.dyad == "D1" and session.status == "recovered"
    assert len(session.events) == 3 and session.events[0].start == 1.0
    assert not log.path.exists() and result.set_aside.exists()
    assert find_journals(tmp_path) == []


def test_clicks_logged_as_their_keys_recover_as_the_keys_do(tmp_path: Path) -> None:
    by_keys, by_clicks = tmp_path / "keys", tmp_path / "clicks"
    for folder, click in ((by_keys, False), (by_clicks, True)):
        folder.mkdir()
        log = KeyLog.create(folder, _header())
        log.record([(10.0, "space", " ")])
        log.record([(11.0, "p", "p")], click=click)
        log.record([(11.5, "t", "t")])  # a key typed after the click, logged before it
        log.record([(11.2, "p", "p")], click=click)  # read with the click, logged after
        log.close()
        lines = log.path.read_text().splitlines()[1:]
        assert sum('"click":true' in line for line in lines) == (2 if click else 0)
    recovered = [recover(next(f.glob("*.keys.jsonl"))) for f in (by_keys, by_clicks)]
    events = [load_session(r.session_path).events for r in recovered if r.session_path]
    assert len(events) == 2 and events[0] == events[1]
    assert [e.start for e in events[1]] == [1.0, 1.2, 1.5]  # in stamp order (p is a point)


def test_observer_recover_reports_what_the_key_log_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = _header()
    writer = JournalWriter.create(tmp_path, header)
    log = KeyLog.create(tmp_path, header)
    rec = Recorder(book(), _meta(), sink=writer.append)
    log.record([(1.0, "space", " ")])
    rec.toggle_clock(1.0)
    log.record([(2.0, "p", "p"), (2.0, "ctrl+n", None), (2.0, "h", "h")])  # a kill: none handled
    writer.close()
    log.close()
    code, out, _ = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 0
    assert "  1 key found only in the key log replayed (1 action)\n" in out
    assert "  2 keys found only in the key log not replayed, from 'ctrl+n' (key 3;" in out
    assert len(load_session(tmp_path / f"{SID}.json").events) == 1


def test_the_stamper_process_ends_when_its_life_pipe_ends() -> None:
    """What the kernel does when the app dies (it closes the app's end of the pipe),
    done here with the app alive: the stamper returns on its own (on any system)."""
    import os

    from observer.live.keylog import _start_helper

    master, terminal = os.openpty()
    helper = _start_helper(terminal)
    assert helper is not None
    try:
        os.close(helper.alive)
        assert helper.process.wait(timeout=10) == 0  # returned, not killed
    finally:
        helper.process.kill()
        helper.process.wait()
        os.close(master)
        os.close(terminal)


def test_a_killed_stamper_process_is_replaced_by_a_thread() -> None:
    import os
    import signal
    import threading
    import time
    import tty

    master, terminal = os.openpty()
    tty.setraw(terminal)
    got: list[bytes] = []
    stop = threading.Event()

    def handle(reads: list[tuple[float, bytes]]) -> bool:
        got.extend(data for _, data in reads)
        return True

    before = set(os.listdir("/proc"))
    stampers: list[str] = []
    tapper = threading.Thread(
        target=tap, args=(terminal, stop, handle), kwargs={"on_stamper": stampers.append},
        daemon=True,
    )  # fmt: skip
    tapper.start()
    try:
        deadline = time.monotonic() + 10
        helpers: list[int] = []
        while not helpers and time.monotonic() < deadline:
            for pid in set(os.listdir("/proc")) - before:
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"stamper.py" in cmd:
                    helpers.append(int(pid))
            time.sleep(0.01)
        (helper,) = helpers
        os.write(master, b"a")
        while b"a" not in b"".join(got) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(helper, signal.SIGKILL)
        time.sleep(0.3)
        os.write(master, b"b")
        while b"b" not in b"".join(got) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert b"".join(got) == b"ab"
        assert stampers == ["helper", "thread"]  # told, so the session file says which
    finally:
        stop.set()
        tapper.join(5)
        os.close(master)
        os.close(terminal)


def test_replay_treats_a_held_space_as_the_screen_does() -> None:
    rec = Recorder(book(), _meta())
    keys = [
        LoggedKey(1, 1.0, "space", " "),  # starts the clock
        LoggedKey(2, 1.5, "space", " "),  # the first repeat: taken for a press, pauses
        LoggedKey(3, 1.533, "space", " "),  # a rapid repeat: the pause is undone at 1.5
        LoggedKey(4, 1.566, "space", " "),  # repeats: refused
        LoggedKey(5, 1.6, "space", " "),
    ]
    assert replay_keys(rec, keys).replayed == 5
    assert rec.clock.state == "running"  # a hold is one press, as on the screen
    assert rec.clock.pauses == []  # no pause of 0 s left behind


def test_two_deliberate_presses_are_never_merged() -> None:
    rec = Recorder(book(), _meta())
    keys = [LoggedKey(1, 1.0, "space", " "), LoggedKey(2, 1.5, "space", " "),
            LoggedKey(3, 3.0, "space", " ")]  # fmt: skip
    replay_keys(rec, keys)
    assert rec.clock.state == "running"  # start, pause, resume: no rapid repeat followed


def _log_with(tmp_path: Path, tail: bytes) -> Path:
    """A key log of five point keys after a space, then ``tail`` (raw bytes)."""
    log = KeyLog.create(tmp_path, _header())
    log.record([(10.0, "space", " ")])
    for i in range(5):
        log.record([(11.0 + i, "p", "p")])
    log.close()
    with log.path.open("ab") as out:
        out.write(tail)
    return log.path


@pytest.mark.parametrize(
    "tail",
    [b'{"n": 7, "mono": 16.5, "ke', b'{"n": 7, "mono": 16.5, "ke\n'],
    ids=["no newline", "with its newline"],
)
def test_a_torn_last_line_is_left_out_however_it_ends(tmp_path: Path, tail: bytes) -> None:
    contents = read_keylog(_log_with(tmp_path, tail))
    assert contents.torn and contents.corrupt_at is None and len(contents.keys) == 6


@pytest.mark.parametrize(
    "bad",
    [b"garbage\n", b'{"n": 7, "mono": 1e308, "key": "p", "char": "p"}\n',
     b'{"n": 7, "mono": NaN, "key": "p", "char": "p"}\n', b'{"n": 7, "mono": "x"}\n'],
    ids=["not JSON", "mono 1e308", "mono NaN", "not a key"],
)  # fmt: skip
def test_an_unreadable_line_in_the_middle_keeps_every_key_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: bytes
) -> None:
    path = _log_with(tmp_path, bad + b'{"n": 8, "mono": 17.0, "key": "p", "char": "p"}\n')
    contents = read_keylog(path)
    assert not contents.torn and len(contents.keys) == 6
    assert (contents.corrupt_at, contents.left_out) == (8, 2)
    code, out, err = run(["recover", "--session-dir", str(tmp_path)], capsys)  # the log alone
    assert code == 0, err
    assert "the key log is unreadable from line 8: 2 lines from there left out" in out
    assert len(load_session(tmp_path / f"{SID}.json").events) == 5  # every key before it
