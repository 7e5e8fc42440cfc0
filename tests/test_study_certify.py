"""``observer certify``: a trainee's kappa against reference codings, walked in the order
the sessions were coded, certified at the third session in a row at or above the
threshold; the record it writes, and the reliability report's marks."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from support.analysis import session
from support.clirun import run

from observer.sessionfile import session_to_bytes

# Disagreement in seconds of 100 per practice video: time-unit kappa of about
# 1 - 2e/100, so the trainee rises from about .55 to .85 (week 4 dips).
ERRORS = [22.5, 17.5, 9.0, 20.0, 9.5, 8.5, 7.5, 6.0]


def practice(folder: Path, errors: list[float], *, coder: str = "tr1") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for week, e in enumerate(errors, 1):
        when = f"2026-0{1 + week // 5}-{(week * 3) % 28 + 1:02d}T10:00:00+00:00"
        for observer, split in (("ref", 50.0), (coder, 50.0 + e)):
            s = session(
                [("calm", 0.0, split), ("upset", split, 100.0)],
                duration=100.0,
                observer=observer,
                dyad=f"V{week:02d}",
            )
            s = attrs.evolve(s, started_at=when, ended_at=when)
            path = folder / f"{s.id}.json"
            path.write_bytes(session_to_bytes(s))
            written.append(path)
    return written


def kappas(folder: Path, capsys: pytest.CaptureFixture[str], coder: str = "tr1") -> list[float]:
    """Each week's kappa by observer agree itself (the reference as A)."""
    out = []
    for week in range(1, len(ERRORS) + 1):
        a, b = folder / f"S-V{week:02d}-ref.json", folder / f"S-V{week:02d}-{coder}.json"
        status, text, err = run(
            ["agree", "--method", "time", "--format", "json", str(a), str(b)], capsys
        )
        assert status == 0, err
        out.append(orjson.loads(text)["methods"]["time"]["kappa"])
    return out


def certify(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any, str]:
    argv = ["certify", "tr1", "--reference", str(folder), "--by", "sup1", "--method", "time"]
    status, out, err = run([*argv, "--format", "json", *extra], capsys)
    return status, orjson.loads(out) if out else None, err


def test_certified_at_exactly_the_third_consecutive_session_at_the_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(tmp_path, ERRORS)
    ks = kappas(tmp_path, capsys)
    assert ks[0] < 0.6 and ks[-1] > 0.85  # rising from .55 to .85 and beyond
    met = [k >= 0.80 for k in ks]
    third = next(i for i in range(2, len(met)) if all(met[i - 2 : i + 1]))
    assert third == 6  # week 3 met, week 4 did not: counted again from week 5

    status, result, err = certify(tmp_path, capsys)
    assert status == 0, err
    (book,) = result["codebooks"]
    assert book["certified"] is True
    assert [s["kappa"] for s in book["sessions"]] == ks
    assert [s["streak"] for s in book["sessions"]] == [0, 0, 1, 0, 1, 2, 3, 4]

    path = tmp_path / "certifications" / "tr1.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = json.loads(path.read_text())
    (item,) = record["certifications"]
    assert record["coder"] == "tr1" and item["by"] == "sup1"
    assert item["reached_with"] == "S-V07-tr1" and item["date"] == "2026-02-22"
    assert item["codebook"]["id"] == "analysis-test" and len(item["codebook"]["sha256"]) == 64
    assert [s["session"] for s in item["sessions"]] == [f"S-V{w:02d}-tr1" for w in range(1, 8)]
    assert [s["kappa"] for s in item["sessions"]] == ks[:7]
    assert (item["method"], item["threshold"], item["consecutive"]) == ("time", 0.8, 3)


def test_a_version_already_certified_is_kept_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(tmp_path, ERRORS)
    assert certify(tmp_path, capsys)[0] == 0
    path = tmp_path / "certifications" / "tr1.json"
    before = path.read_bytes()
    status, result, _ = certify(tmp_path, capsys, "--threshold", "0.5")
    assert status == 0 and path.read_bytes() == before
    assert result["codebooks"][0]["outcome"].startswith("already certified since 2026-02-22")


def test_not_yet_certified_is_exit_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(tmp_path, ERRORS[:5])
    status, result, _ = certify(tmp_path, capsys)
    assert status == 1 and result["codebooks"][0]["certified"] is False
    assert not (tmp_path / "certifications").exists()


def test_fewer_sessions_than_consecutive_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(tmp_path, ERRORS[:2])
    status, out, err = run(["certify", "tr1", "--reference", str(tmp_path), "--by", "sup1"], capsys)
    assert status == 2 and out == ""
    assert err.strip() == (
        "tr1: analysis-test@1.0.0: 2 sessions pair with a reference coding; "
        "--consecutive asks for 3"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["nobody", "--by", "sup1"], "nobody: no session of this coder pairs"),
        (["tr1", "--by", "sup1", "--reference-coder", "other"], "with a session of 'other'"),
        (["tr1", "--by", "a b"], "Invalid value for '--by'"),
        (["../x", "--by", "sup1"], "Invalid value for 'CODER'"),
        (["tr1", "--by", "sup1", "--consecutive", "0"], "Invalid value for '--consecutive'"),
        (["tr1", "--by", "sup1", "--threshold", "nan"], "Invalid value for '--threshold'"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(tmp_path, ERRORS[:3])
    status, out, err = run(["certify", *argv[:1], "--reference", str(tmp_path), *argv[1:]], capsys)
    assert status == 2 and out == "" and expected in err and "Traceback" not in err
    assert not (tmp_path / "certifications").exists()


def test_reliability_marks_pairs_coded_before_the_coder_was_certified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    practice(tmp_path, ERRORS)
    argv = ["reliability", "report", "--method", "time", "--format", "json", str(tmp_path)]
    status, out, _ = run(argv, capsys)
    assert status == 0 and all("uncertified" not in p for p in orjson.loads(out)["pairs"])
    assert certify(tmp_path, capsys)[0] == 0
    status, out, _ = run(argv, capsys)
    pairs = sorted(orjson.loads(out)["pairs"], key=lambda p: p["dyad"])
    # ref never certified; tr1 certified by week 7's session: weeks 1-7 coded before.
    assert [p["uncertified"] for p in pairs] == [["ref", "tr1"]] * 7 + [["ref"]]
    table = ["reliability", "report", "--method", "time", str(tmp_path)]
    status, text, _ = run(table, capsys)
    assert "UNCERTIFIED ref, tr1" in text and "UNCERTIFIED ref\n" in text
    assert "certifications" not in text  # the record is not read as a session
