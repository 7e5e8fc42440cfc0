"""Sessions coded live in a pair (``observer code --pair``): their ``pair`` record in the
session file, ``reliability`` and ``agree`` pairing them by pair id (no pairs.csv), and
the command's refusals of bad pairing input."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from support.clirun import run

from observer.codebook import load_codebook
from observer.live.pairing import open_link
from observer.sessionfile import PairInfo, Session, load_session, session_to_bytes, write_session
from observer.synthetic import make_session, perturb

BOOK = load_codebook("cpp-attachment")


def _paired(folder: Path, pair_id: str, dyad: str, seed: int) -> tuple[Session, Session]:
    ref = make_session(BOOK, 30, seed=seed, dyad=dyad, observer="ref")
    trainee = perturb(ref, seed=seed + 50, observer="trainee")
    ref = attrs.evolve(ref, label="a", pair=PairInfo(pair_id, "primary", "trainee"))
    trainee = attrs.evolve(
        trainee, id=f"{ref.id}-t", label="b", pair=PairInfo(pair_id, "reliability", "ref")
    )
    write_session(folder, trainee)  # the reliability coder's file first: order is by role
    write_session(folder, ref)
    return ref, trainee


async def test_the_pair_record_round_trips_and_is_absent_otherwise(tmp_path: Path) -> None:
    ref, _ = _paired(tmp_path, "clinic-a-0a1b2c", "D1", 1)
    back = load_session(tmp_path / f"{ref.id}.json")
    assert back.pair == PairInfo("clinic-a-0a1b2c", "primary", "trainee")
    plain = make_session(BOOK, 5, seed=3)
    assert b'"pair"' not in session_to_bytes(plain)


async def test_a_bad_pair_record_is_one_line_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, _ = _paired(tmp_path, "clinic-a-0a1b2c", "D1", 1)
    path = tmp_path / f"{ref.id}.json"
    data = json.loads(path.read_text())
    data["pair"] = {"id": "../x", "role": "primary", "partner": "a\x1bb"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    code, _, err = run(["verify", str(bad)], capsys)
    assert code == 2
    assert f"{bad}: pair.id:" in err and f"{bad}: pair.partner:" in err


async def test_reliability_and_agree_pair_by_pair_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = _paired(tmp_path, "clinic-a-0a1b2c", "D1", 1)
    two = _paired(tmp_path, "clinic-b-3d4e5f", "D1", 2)  # same dyad: the rule is ambiguous
    code, out, err = run(["reliability", "report", str(tmp_path), "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    names = sorted((Path(p["a"]).stem, Path(p["b"]).stem) for p in doc["pairs"])
    assert names == sorted((a.id, b.id) for a, b in (one, two))
    assert doc["problems"] == []
    files = [str(tmp_path / f"{s.id}.json") for s in (two[1], one[0], one[1], two[0])]
    code, out, err = run(["agree", *files, "--method", "event", "--format", "json"], capsys)
    assert code == 0, err
    pairs = json.loads(out)["pairs"]
    assert sorted((p["a"], p["b"]) for p in pairs) == sorted((a.id, b.id) for a, b in (one, two))
    assert "2 live pairs" in err
    code, _, err = run(["agree", *files[:3], "--method", "event"], capsys)
    assert code == 2 and "has 1 of its two sessions here" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--pair", "../x"], "not a safe id"),
        (["--role", "primary"], "--role needs --pair"),
    ],
)
async def test_bad_pairing_flags_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, _, err = run(["code", "--session-dir", str(tmp_path / "s"), *argv], capsys)
    assert code == 2 and says in err
    assert not (tmp_path / "s").exists()


async def test_a_third_coder_and_another_codebook_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "s"
    host = open_link(folder, "p", BOOK.sha256, "cpp-attachment 1.0.0")
    host.listen(lambda event: None)
    try:
        argv = ["code", "--session-dir", str(folder), "--pair", "p", "--codebook"]
        code, _, err = run([*argv, "dpics-style", "--dyad", "D1", "--observer", "x"], capsys)
        assert code == 2 and err.count("\n") == 1
        assert "refused this coder" in err and "codebook" in err
        guest = open_link(folder, "p", BOOK.sha256, "cpp-attachment 1.0.0")
        code, _, err = run([*argv, "cpp-attachment", "--dyad", "D1", "--observer", "x"], capsys)
        assert code == 2 and err.count("\n") == 1 and "already has two coders" in err
        guest.close()
    finally:
        host.close()
