"""`observer sessions` and `observer recover`, through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.clirun import run
from support.live import META
from support.minibook import book

from observer.live.journal import JournalWriter, make_header
from observer.live.recorder import Recorder, SessionMeta
from observer.live.recovery import finish
from observer.sessionfile import load_session

T0 = 50.0


def coded(folder: Path, meta: SessionMeta, keys: str, *, end: bool) -> JournalWriter:
    writer = JournalWriter.create(folder, make_header(meta.id, book(), meta.dyad, meta.observer))
    rec = Recorder(book(), meta, writer.append)
    rec.toggle_clock(T0)
    for i, key in enumerate(keys):
        rec.key(key, T0 + 1 + i)
    if end:
        rec.end(T0 + 2 + len(keys))
        finish(folder, rec, writer)
    else:
        writer.close()  # a crash: the journal stays
    return writer


def test_sessions_lists_finished_unfinished_and_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    coded(tmp_path, META, "ppc", end=True)
    other = SessionMeta("20261122T110000Z-D013-obs2", "D013", "obs2")
    coded(tmp_path, other, "cpcp", end=False)
    (tmp_path / "broken.json").write_text("{not json")
    code, out, err = run(["sessions", "--session-dir", str(tmp_path)], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == [
        "id", "dyad", "observer", "codebook", "status", "events", "duration"
    ]  # fmt: skip
    done = next(line for line in lines if line.startswith(META.id))
    assert done.split() == [
        META.id,
        "D012",
        "obs1",
        "mini",
        "1.0.0",
        "complete",
        "3",
        "0:05.0",
    ]
    unfinished = next(line for line in lines if line.startswith(other.id))
    assert unfinished.split() == [
        other.id, "D013", "obs2", "mini", "1.0.0", "unfinished", "3", "0:04.0"
    ]  # fmt: skip
    assert any(line.startswith("broken.json") and "unreadable" in line for line in lines)
    assert f"{tmp_path / 'broken.json'}: unreadable: line 1, column 2: invalid JSON" in out
    assert "1 unfinished journal:" in out


def test_sessions_shows_a_journal_being_written_as_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = JournalWriter.create(tmp_path, make_header(META.id, book(), "D012", "obs1"))
    try:
        code, out, _ = run(["sessions", "--session-dir", str(tmp_path)], capsys)
        assert code == 0 and " running " in out and "unfinished" not in out
        code, out, _ = run(["recover", "--session-dir", str(tmp_path)], capsys)
        assert code == 0 and out.startswith("Nothing to recover")
    finally:
        writer.close()


def test_sessions_in_an_empty_or_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["sessions", "--session-dir", str(tmp_path)], capsys)
    assert code == 0 and out == f"No sessions in {tmp_path}.\n"
    code, out, _ = run(["sessions", "--session-dir", str(tmp_path / "nope")], capsys)
    assert code == 0 and "does not exist yet" in out


def test_session_dir_comes_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    coded(tmp_path, META, "p", end=True)
    monkeypatch.setenv("OBSERVER_SESSION_DIR", str(tmp_path))
    code, out, _ = run(["sessions"], capsys)
    assert code == 0 and META.id in out


def test_recover_turns_every_journal_into_a_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = coded(tmp_path, META, "pcp", end=False)  # ch-cry still running
    with open(writer.path, "ab") as torn:
        torn.write(b'{"seq": 5, "a": "ke')
    code, out, err = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 0 and err == ""
    assert f"recovered 3 events, 1 running state closed at the last action -> {tmp_path}" in out
    assert "line 6 was torn" in out
    session = load_session(tmp_path / f"{META.id}.json")
    assert session.status == "recovered" and len(session.events) == 3
    code, out, _ = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 0 and out == f"Nothing to recover in {tmp_path}.\n"
    code, out, _ = run(["sessions", "--session-dir", str(tmp_path)], capsys)
    assert "recovered" in out and "unfinished" not in out


def test_recover_reports_a_corrupt_journal_and_still_recovers_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = coded(tmp_path, META, "pp", end=False)
    lines = bad.path.read_bytes().split(b"\n")
    lines[1] = b"garbage"
    bad.path.write_bytes(b"\n".join(lines))
    other = SessionMeta("20261122T110000Z-D013-obs2", "D013", "obs2")
    coded(tmp_path, other, "p", end=False)
    code, out, err = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 2
    assert err == f"{bad.path}: line 2: not a JSON object: the journal is corrupt\n"
    assert "Traceback" not in err
    assert "recovered 1 event ->" in out
    assert bad.path.exists() and (tmp_path / f"{other.id}.json").exists()
    assert not (tmp_path / f"{META.id}.json").exists()


def test_sessions_shows_durations_without_rounding_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import attrs

    from observer.codebook import load_codebook
    from observer.sessionfile import write_session
    from observer.synthetic import make_session

    base = make_session(load_codebook("cpp-attachment"), 1)
    for n, duration in enumerate((119.97, 3725.5)):
        session = attrs.evolve(base, id=f"s{n}", duration=duration)
        write_session(tmp_path, session)
    code, out, _ = run(["sessions", "--session-dir", str(tmp_path)], capsys)
    durations = {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]}
    assert code == 0
    assert durations == {"s0": "1:59.9", "s1": "1:02:05.5"}
