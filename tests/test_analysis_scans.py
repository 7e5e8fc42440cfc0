"""Time-sampling scans in analysis: the scan record and its summary beside the
continuous record, interval agreement on scans by hand, refusals with their lines,
and a session file's scans checked on load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.clirun import run
from support.instruments3 import book

from observer.errors import InputError
from observer.live.recorder import Recorder, SessionMeta
from observer.sessionfile import Session, load_session, write_session

BOOK = book()  # samples every 10 s: play (j) or idle (k), the child's activity stream


def scanned(answers: list[str | None], observer: str, keys: list[tuple[float, str]]) -> Session:
    """A 60-s session: ``keys`` coded continuously (at session times, while no scan is
    open: a sampled code's key answers an open scan), and scan k (at 10·(k + 1) s)
    answered with ``answers[k]`` (None: missed)."""
    rec = Recorder(BOOK, SessionMeta(f"S-D1-{observer}", "D1", observer))
    rec.toggle_clock(1000.0)
    pending = sorted(keys)
    for k, answer in enumerate(answers):
        due = 10.0 * (k + 1)
        while pending and pending[0][0] < due:
            t, key = pending.pop(0)
            assert rec.key(key, 1000.0 + t).ok
        assert rec.prompt(due, 1000.0 + due).ok
        if answer is not None:
            assert rec.key({"play": "j", "idle": "k"}[answer], 1000.0 + due + 0.5).kind == "scan"
    rec.end(1061.0)
    return rec.session()


A = scanned(["play", "play", None, "idle", "play", "idle"], "obs1", [(1, "j"), (25, "k")])
B = scanned(["play", "idle", "idle", "idle", None, "idle"], "obs2", [(1, "j"), (15, "k")])


def test_the_summary_sets_scans_beside_the_continuous_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_session(tmp_path, A)
    code, out, err = run(["intervals", str(path), "--scans", "--format", "json"], capsys)
    assert code == 0, err
    [doc] = json.loads(out)["sessions"]
    assert (doc["every_s"], doc["rule"], doc["instants"]) == (10, "momentary", 6)
    play = next(r for r in doc["records"] if r["code"] == "play" and r["instant"] == 2)
    assert play == {"instant": 2, "t": 30.0, "code": "play", "scored": None}  # missed
    summary = {s["code"]: s for s in doc["summary"]}
    # play: answered at 10, 20, 40, 50 (missed at 30), found at 10, 20, 50
    assert (summary["play"]["scans"], summary["play"]["missed"]) == (5, 1)
    assert summary["play"]["scored"] == 3 and summary["play"]["estimate"] == 0.6
    # the continuous record: play from 1 s to 25 s, then idle: running at 10 and 20
    assert summary["play"]["momentary_continuous"] == pytest.approx(2 / 5)
    assert summary["play"]["proportion"] == pytest.approx(24 / 61, abs=1e-6)
    # agree at 10, 20, 40 (idle both), 60 (idle both); not at 50 (scan play, record idle)
    assert summary["play"]["agreement_with_continuous"] == pytest.approx(4 / 5)
    code, out, _ = run(["intervals", str(path), "--scans"], capsys)
    assert out.splitlines()[0] == "session,instant,t,code,scored"
    assert f"{A.id},2,30.0,play," in out.splitlines()


def test_agreement_on_scans_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = write_session(tmp_path, A), write_session(tmp_path, B)
    code, out, err = run(
        ["agree", str(a), str(b), "--method", "interval", "--scans", "--format", "json"], capsys
    )
    assert code == 0, err
    result = json.loads(out)["methods"]["interval"]
    assert result["parameters"] == {"interval": 10, "rule": "momentary", "source": "scans"}
    # both answered at 10, 20, 40, 60 (A missed 30, B missed 50): A play play idle idle,
    # B play idle idle idle; per code 4 cells, overall 8
    codes = {c["code"]: c for c in result["codes"]}
    assert codes["play"]["intervals"] == 4
    assert codes["play"]["interval_by_interval"] == 0.75
    assert codes["play"]["scored_interval"] == 0.5  # scored by either at 10, 20; both at 10
    assert codes["idle"]["unscored_interval"] == 0.5  # unscored by either at 10, 20; both at 10
    assert result["interval_by_interval"] == 0.75 and result["intervals"] == 8
    assert result["total_duration"] is None
    code, out, _ = run(["agree", str(a), str(b), "--method", "interval", "--scans"], capsys)
    assert "on the time-sampling scans, every 10 s" in out


def test_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = write_session(tmp_path, A), write_session(tmp_path, B)
    code, _, err = run(["agree", str(a), str(b), "--scans"], capsys)
    assert code == 2 and "--scans goes with --method interval" in err
    code, _, err = run(
        ["agree", str(a), str(b), "--method", "interval", "--scans", "--interval", "5"], capsys
    )
    assert code == 2 and "the scans of" in err and "every 10 s" in err
    code, _, err = run(["intervals", str(a), "--scans", "--rule", "partial"], capsys)
    assert code == 2 and "no --interval or --rule" in err
    code, _, err = run(["intervals", str(a)], capsys)
    assert code == 2 and "--interval S is required" in err
    plain = tmp_path / "plain"
    raw = json.loads(a.read_text())
    raw["scans"] = []
    document = raw["codebook"]["document"]
    del document["sampling"]
    from observer.codebook import codebook_from_data

    unsampled = codebook_from_data(document, "x")
    raw["codebook"]["sha256"] = unsampled.sha256
    raw["id"] = "S-D1-obs9"
    plain.mkdir()
    (plain / "S-D1-obs9.json").write_text(json.dumps(raw))
    code, _, err = run(["intervals", str(plain / "S-D1-obs9.json"), "--scans"], capsys)
    assert code == 2
    assert err.strip().endswith(
        "codebook.document.sampling: the codebook does not sample: there are no scans"
    )


def test_a_session_files_scans_are_checked(tmp_path: Path) -> None:
    path = write_session(tmp_path, A)
    raw = json.loads(path.read_text())
    raw["scans"][0]["t"] = 12.5
    raw["scans"][1]["code"] = "praise"
    raw["scans"][2]["stream"] = "acts/adult"
    raw["scans"][3] = dict(raw["scans"][4])
    path.write_text(json.dumps(raw))
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert [(p.location, p.message) for p in caught.value.problems] == [
        ("scans[0].t", "12.5 is not a sampling instant (every 10 s)"),
        ("scans[1].code", "'praise' is not a sampled code of 'activity/child'"),
        ("scans[2].stream", "'acts/adult' is not a sampled stream"),
        ("scans[4]", "a second scan of 'activity/child' at 50.0"),
    ]
