"""``observer seq``, ``observer intervals`` and ``observer agree --method interval``
from the command line: outputs, and bad input (exit 2, one line)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import orjson
import pandas as pd
import pytest
from support.analysis import session
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import write_session
from observer.synthetic import make_session

LAG_KEYS = {"n", "codes", "counts", "expected", "probabilities", "z", "yules_q", "chi2", "df", "p"}
WINDOW_KEYS = {"given", "target", "window", "followed", "proportion", "latency", "table",
               "yules_q", "odds_ratio"}  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    book = load_codebook("cpp-attachment")
    a = make_session(book, 400, seed=7, session_id="S1")
    b = make_session(book, 400, seed=8, session_id="S2", observer="obs2")
    return [str(write_session(tmp_path, a)), str(write_session(tmp_path, b))]


def _finite(obj: object) -> None:
    if isinstance(obj, float):
        assert math.isfinite(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _finite(v)
    elif isinstance(obj, list):
        for v in obj:
            _finite(v)


def test_seq_json_has_the_documented_keys(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["seq", *files, "--format", "json"], capsys)
    assert code == 0, err
    doc = orjson.loads(out)
    assert set(doc) == {"sessions", "pooled"}
    assert len(doc["sessions"]) == 2
    for entry in [*doc["sessions"], doc["pooled"]]:
        assert set(entry) >= LAG_KEYS
        k = len(entry["codes"])
        assert all(len(row) == k for row in entry["counts"])
        _finite(entry)
    pooled = doc["pooled"]
    first, second = doc["sessions"]
    assert pooled["n"] == first["n"] + second["n"]
    assert pooled["counts"][0][0] == first["counts"][0][0] + second["counts"][0][0]


def test_seq_table_marks_significant_cells_and_says_what_they_mean(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["seq", files[0], "--streams", "ch-signals/child,cg-warmth/caregiver"], capsys
    )
    assert code == 0
    assert "|z| >= 1.96" in out.splitlines()[-1]
    assert "likelihood-ratio chi2" in out


def test_seq_csv_one_row_per_cell(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["seq", *files, "--codes", "ch-bids,cg-responds", "--format", "csv"], capsys)
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert len(frame) == 3 * 4  # two sessions and pooled, 2x2 cells each
    assert set(frame["given"]) == {"ch-bids", "cg-responds"}


def test_seq_window_json(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["seq", *files, "--given", "ch-bids", "--target", "cg-responds", "--window", "0,3"]
    code, out, err = run([*args, "--format", "json"], capsys)
    assert code == 0, err
    doc = orjson.loads(out)
    for entry in [*doc["sessions"], doc["pooled"]]:
        assert set(entry) >= WINDOW_KEYS
        assert entry["window"] == [0.0, 3.0]
        _finite(entry)
    assert doc["pooled"]["n"] == sum(s["n"] for s in doc["sessions"])
    code, out, _ = run(args, capsys)
    assert code == 0 and "Yule's Q" in out and "odds ratio" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--codes", "ch-bids,nope"], "unknown code 'nope'"),
        (["--streams", "nope/child"], "unknown stream 'nope/child'"),
        (["--given", "nope", "--target", "cg-responds", "--window", "0,3"], "unknown code 'nope'"),
        (["--given", "ch-bids", "--target", "cg-responds", "--window", "3,1"], "before A"),
        (["--given", "ch-bids", "--target", "cg-responds", "--window", "x"], "two numbers"),
        (["--given", "ch-bids", "--target", "cg-responds"], "needs --given, --target and --window"),
        (["--lag", "0"], "from 1 to 10000, not 0"),
        (["--lag", "2", "--no-repeats"], "defined at lag 1 only"),
    ],
)
def test_seq_bad_input_exits_2_with_one_line(
    files: list[str], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(["seq", files[0], *args], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_seq_refuses_sessions_of_different_codebooks(
    files: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = str(write_session(tmp_path, session([("calm", 1.0, 2.0)])))
    code, _, err = run(["seq", files[0], other], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        f"{other}: codebook.id: codebook 'analysis-test' differs from 'cpp-attachment' of "
        f"{files[0]}: sequential tables pool sessions of one codebook"
    ]


def test_intervals_csv_is_readable_and_complete(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["intervals", files[0], "--interval", "10", "--rule", "partial"], capsys)
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["session", "interval", "start", "end", "code", "scored", "count"]
    codes = len(load_codebook("cpp-attachment").codes)
    assert len(frame) == frame["interval"].nunique() * codes
    assert set(frame["scored"]) <= {0, 1}
    code, out, _ = run(
        [
            "intervals",
            files[0],
            "--interval",
            "10",
            "--rule",
            "whole",
            "--format",
            "tsv",
            "--summary",
        ],
        capsys,
    )
    frame = pd.read_csv(io.StringIO(out), sep="\t")
    assert {"proportion", "partial_estimate", "whole_bias", "momentary_bias"} <= set(frame.columns)


def test_intervals_json_has_records_and_summary(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["intervals", *files, "--interval", "5", "--rule", "momentary", "--format", "json"], capsys
    )
    assert code == 0
    doc = orjson.loads(out)
    assert len(doc["sessions"]) == 2
    first = doc["sessions"][0]
    assert first["rule"] == "momentary" and first["records"] and first["summary"]
    _finite(doc)


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_interval_not_positive_exits_2(
    files: list[str], capsys: pytest.CaptureFixture[str], value: str
) -> None:
    for args in (
        ["intervals", files[0], "--rule", "partial", "--interval", value],
        ["agree", *files, "--method", "interval", "--interval", value],
    ):
        code, _, err = run(args, capsys)
        assert code == 2
        assert len(err.strip().splitlines()) == 1 and "from 0.001 to 604800" in err


def test_agree_interval_method(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["agree", *files, "--method", "interval", "--interval", "10"]
    code, out, err = run([*args, "--format", "json"], capsys)
    assert code == 0, err
    doc = orjson.loads(out)
    result = doc["methods"]["interval"]
    keys = ("total_count", "total_duration", "mean_count_per_interval", "exact_count_per_interval",
            "interval_by_interval", "scored_interval", "unscored_interval")  # fmt: skip
    for entry in [result, *result["codes"]]:
        for key in keys:
            value = entry[key]
            assert value is None or 0.0 <= value <= 1.0
    code, out, _ = run(args, capsys)
    assert code == 0 and "scored-interval" in out and "overall" in out


def test_agree_interval_takes_codes_and_actors(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every agreement method takes --codes/--actors: the interval family too."""
    base = ["agree", files[0], files[1], "--method", "interval", "--format", "json"]
    code, out, err = run([*base, "--codes", "ch-bids,cg-responds"], capsys)
    assert code == 0, err
    doc = orjson.loads(out)["methods"]["interval"]
    assert [c["code"] for c in doc["codes"]] == ["cg-responds", "ch-bids"]
    assert doc["restricted_to"] == {"codes": ["ch-bids", "cg-responds"], "actors": None}
    code, out, _ = run([*base, "--actors", "child"], capsys)
    assert code == 0
    assert all(
        c["code"].startswith("ch-") for c in orjson.loads(out)["methods"]["interval"]["codes"]
    )
