"""``observer reliability``: a generated study with one observer drifting by design,
pair discovery, the same figures as ``observer agree``, and double-coding plans."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest
from sklearn.metrics import cohen_kappa_score
from support.clirun import run

from observer.analysis.agreement import compare, method_dict
from observer.codebook import load_codebook
from observer.sessionfile import load_session, write_session
from observer.study.discover import discover
from observer.study.plan import plan
from observer.synthetic import make_session, perturb

BOOK = load_codebook("cpp-attachment")
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def _at(session, month: str, day: int):  # type: ignore[no-untyped-def]
    stamp = f"{month}-{day:02d}T10:00:00+00:00"
    sid = f"{month.replace('-', '')}{day:02d}T100000Z-{session.dyad}-{session.observer}"
    return attrs.evolve(session, started_at=stamp, ended_at=stamp, id=sid)


def make_study(folder: Path) -> None:
    """18 dyads over six months coded by 'ref'; every one double-coded by t1 (steady)
    or t2 (who swaps more codes each month: drift)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(18):
        month = MONTHS[i % 6]
        ref = make_session(BOOK, 80, seed=i, dyad=f"D{i:03d}", observer="ref")
        trainee = "t1" if i % 2 == 0 else "t2"
        swap = 0.05 if trainee == "t1" else 0.05 + 0.12 * (i % 6)
        second = perturb(ref, seed=100 + i, jitter=0.2, swap=swap, observer=trainee)
        write_session(folder, _at(ref, month, 3))
        write_session(folder, _at(second, month, 4))


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("study") / "sessions"
    make_study(folder)
    return folder


def report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(["reliability", *args, "--format", "json"], capsys)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_the_report_shows_the_drift_designed_into_the_study(
    study_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = report(capsys, str(study_dir), "--method", "event")
    assert doc["sessions"] == 36 and len(doc["pairs"]) == 18
    assert doc["double_coded"] == 1.0
    drift = {o["observer"]: [k for _, k in o["kappa_over_time"]] for o in doc["observers"]}
    assert len(drift["ref"]) == 18 and len(drift["t1"]) == len(drift["t2"]) == 9
    t1, t2 = drift["t1"], drift["t2"]
    assert min(t1) > 0.8  # steady
    assert t2[0] > 0.8 and t2[-1] < 0.6 and t2[-1] < t2[0] - 0.3  # drifting, oldest first
    by_month = [sum(t2[i : i + 3]) / 3 for i in (0, 3, 6)]  # Feb, Apr, Jun: three pairs each
    assert by_month[0] > by_month[1] > by_month[2]
    below = {tuple(doc["pairs"][i]["observers"]) for i in doc["below_threshold"]}
    assert below == {("ref", "t2")}
    assert doc["problems"] == []


def test_each_pair_has_exactly_observer_agree_figures(
    study_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = report(capsys, str(study_dir))
    assert doc["method"] == "time"
    for pair in doc["pairs"][:4]:
        code, out, err = run(["agree", pair["a"], pair["b"], "--format", "json"], capsys)
        assert code == 0, err
        assert json.loads(out)["methods"] == pair["methods"]


def test_per_code_kappa_is_pooled_over_pairs_as_sklearn_computes_it(
    study_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = report(capsys, str(study_dir), "--method", "time")
    a_labels: dict[str, list[str]] = {}
    b_labels: dict[str, list[str]] = {}
    for pair in discover([study_dir]).pairs:
        a, b = load_session(pair.a.path), load_session(pair.b.path)
        for code in method_dict(compare(a, b, ["time"])["time"])["codes"]:
            for row, cols in code["table"].items():
                for col, n in cols.items():
                    a_labels.setdefault(code["code"], []).extend([row] * n)
                    b_labels.setdefault(code["code"], []).extend([col] * n)
    checked = 0
    for entry in doc["codes"]:
        x, y = a_labels[entry["code"]], b_labels[entry["code"]]
        if entry["kappa"] is None:
            assert len(set(x) | set(y)) == 1
            continue
        assert entry["kappa"] == pytest.approx(cohen_kappa_score(x, y), abs=1e-12)
        checked += 1
    assert checked >= 10


def test_pairing_rules_ambiguous_triples_and_pairs_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    ref = make_session(BOOK, 30, seed=1, dyad="D1", observer="ref")
    names = [
        write_session(folder, _at(ref, "2026-01", 1)).name,
        write_session(folder, _at(perturb(ref, observer="t1"), "2026-01", 2)).name,
        write_session(folder, _at(perturb(ref, observer="t2"), "2026-01", 3)).name,
    ]
    lone = make_session(BOOK, 30, seed=2, dyad="D2", observer="ref")
    write_session(folder, _at(lone, "2026-01", 5))
    (folder / "broken.json").write_text("{")
    doc = report(capsys, str(folder))
    assert doc["pairs"] == [] and doc["sessions"] == 4
    assert any("ambiguous" in p and "D1" in p for p in doc["problems"])
    assert any(p.startswith(str(folder / "broken.json")) for p in doc["problems"])
    (folder / "pairs.csv").write_text(f"a,b\n{names[0]},{names[2]}\n{names[0]},nope.json\n")
    doc = report(capsys, str(folder))
    assert [p["observers"] for p in doc["pairs"]] == [["ref", "t2"]]
    assert any("pairs.csv: line 3" in p and "nope.json" in p for p in doc["problems"])


def test_nothing_readable_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("[]")
    code, out, err = run(["reliability", str(tmp_path)], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(["reliability", str(empty)], capsys)
    assert code == 2 and "no session files" in err


def test_the_table_names_the_method_pairs_and_bands(
    study_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["reliability", str(study_dir), "--method", "event"], capsys)
    assert code == 0
    assert "36 sessions, 18 double-coded pairs (100% of the sessions double-coded)" in out
    assert "kappa: event method; threshold 0.60; bands: Landis & Koch" in out
    assert out.count("BELOW") >= 2


# --- plans --------------------------------------------------------------------------


def entries(folder: Path):  # type: ignore[no-untyped-def]
    return discover([folder]).entries


def test_assign_is_reproducible_stratified_and_stable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "single"
    folder.mkdir()
    for i in range(40):
        s = make_session(BOOK, 5, seed=i, dyad=f"D{i:03d}", observer=f"obs{i % 2}")
        write_session(folder, _at(s, MONTHS[i % 3], 1 + i // 6))
    first = plan(entries(folder), (), 0.25, seed=7)
    assert first == plan(entries(folder), (), 0.25, seed=7)
    assert first != plan(entries(folder), (), 0.25, seed=8)
    strata = Counter(p.stratum for p in first)
    sizes = Counter(f"{e.observer}/{e.started_at[:7]}" for e in entries(folder))
    assert strata == {k: math.ceil(0.25 * n) for k, n in sizes.items()}
    # New sessions arrive: the planned ones keep their place.
    for i in range(40, 52):
        s = make_session(BOOK, 5, seed=i, dyad=f"D{i:03d}", observer=f"obs{i % 2}")
        write_session(folder, _at(s, MONTHS[i % 3], 20))
    out = tmp_path / "plan.csv"
    code, _, err = run(
        ["reliability", "assign", str(folder), "--fraction", "0.25", "--seed", "7", "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    code, _, err = run(
        ["reliability", "assign", str(folder), "--fraction", "0.25", "--seed", "7", "-o", str(out)],
        capsys,
    )
    assert code == 0 and "(0 added)" in err
    lines = out.read_text().splitlines()
    assert lines[0] == "session,dyad,observer,started_at,stratum"
    again = plan(entries(folder), (), 0.25, seed=7, kept=first)
    assert [p.session for p in again[: len(first)]] == [p.session for p in first]
    assert len(again) == sum(
        math.ceil(0.25 * n)
        for n in Counter(f"{e.observer}/{e.started_at[:7]}" for e in entries(folder)).values()
    )


def test_assign_counts_sessions_already_double_coded(study_dir: Path) -> None:
    study = discover([study_dir])
    paired = {e.id for p in study.pairs for e in (p.a, p.b)}
    assert plan(study.entries, paired, 0.3, seed=1) == []


def test_report_to_a_new_private_file_never_overwritten(
    study_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    args = ["reliability", str(study_dir), "--format", "json", "-o", str(target)]
    assert run(args, capsys)[0] == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert len(json.loads(target.read_bytes())["pairs"]) == 18
    before = target.read_bytes()
    code, _, err = run(args, capsys)
    assert code == 2 and "never overwrites" in err and target.read_bytes() == before


def test_html_report_in_a_real_headless_chromium(
    study_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from selenium.webdriver.common.by import By
    from support.browser import console_errors, headless_chromium

    page = tmp_path / "report.html"
    args = ["reliability", str(study_dir), "--method", "event", "--format", "html", "-o", str(page)]
    assert run(args, capsys)[0] == 0
    text = page.read_text("utf-8")
    assert "http://" not in text and "https://" not in text and "<script" not in text
    with headless_chromium() as driver:
        driver.get(page.as_uri())
        assert driver.title == "Reliability report"
        drift = driver.find_element(By.CSS_SELECTOR, "svg.drift")
        assert len(drift.find_elements(By.CSS_SELECTOR, "polyline.series")) == 3  # ref, t1, t2
        assert len(drift.find_elements(By.CSS_SELECTOR, "line.threshold")) == 1
        heat = driver.find_element(By.CSS_SELECTOR, "svg.heatmap")
        assert len(heat.find_elements(By.TAG_NAME, "rect")) >= 4 * 10
        rows = driver.find_elements(By.CSS_SELECTOR, "table tr")
        assert len(rows) == 1 + 18
        assert len(driver.find_elements(By.CSS_SELECTOR, "tr.below")) >= 2
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        assert console_errors(driver) == []


def test_html_report_escapes_what_the_files_say(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    ref = attrs.evolve(make_session(BOOK, 30, seed=3, dyad="D1", observer="ref"), label="<b>x</b>")
    write_session(folder, _at(ref, "2026-01", 1))
    write_session(folder, _at(perturb(ref, observer="t1"), "2026-01", 2))
    page = tmp_path / "r.html"
    assert run(["reliability", str(folder), "--format", "html", "-o", str(page)], capsys)[0] == 0
    text = page.read_text("utf-8")
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text
    code, _, err = run(["reliability", str(folder), "--format", "html"], capsys)
    assert code == 2 and "-o report.html" in err


def test_a_missing_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["reliability", str(tmp_path / "nope")], capsys)
    assert code == 2 and out == "" and "nope" in err and "Traceback" not in err
    code, _, err = run(
        ["reliability", "assign", str(tmp_path / "nope"), "--fraction", "0.2", "--seed", "1"],
        capsys,
    )
    assert code == 2 and "nope" in err


def test_the_table_never_sends_control_characters_from_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    label = "visit\x1b]52;c;aGk=\x07\x1b[2J"
    ref = attrs.evolve(make_session(BOOK, 20, seed=5, dyad="D1", observer="ref"), label=label)
    write_session(folder, _at(ref, "2026-01", 1))
    write_session(folder, _at(perturb(ref, observer="t1"), "2026-01", 2))
    code, out, _ = run(["reliability", str(folder)], capsys)
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "visit\\x1b" in out


def test_a_consensus_session_is_listed_apart_and_an_imported_one_still_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from observer.sessionfile import ImportedFrom
    from observer.study.consensus import Decision, align_items, build, consensus_id

    folder = tmp_path / "s"
    folder.mkdir()
    ref = _at(make_session(BOOK, 30, seed=1, dyad="D1", observer="ref"), "2026-01", 1)
    other = _at(perturb(ref, seed=3, observer="t1"), "2026-01", 2)
    a, b = write_session(folder, ref), write_session(folder, other)
    items = align_items(ref, other, 2.0)
    decisions = [
        Decision(i.number, "a" if i.a is not None else "b", "sup", "NOW")
        for i in items
        if i.kind != "agreement"
    ]
    agreed = build(
        ref, other, items, decisions, decided_by="sup", now="NOW",
        session_id=consensus_id(ref, folder), tolerance=2.0, sha256=("0" * 64, "1" * 64),
    )  # fmt: skip
    written = write_session(folder, agreed)  # beside A, as observer consensus writes it
    lone = _at(make_session(BOOK, 30, seed=2, dyad="D2", observer="ref"), "2026-01", 5)
    imported = attrs.evolve(
        _at(perturb(lone, seed=4, observer="t2"), "2026-01", 6),
        status="imported",
        imported_from=ImportedFrom("boris", "x.boris", "2" * 64),
    )
    write_session(folder, lone)
    write_session(folder, imported)
    doc = report(capsys, str(folder))
    assert sorted(tuple(p["observers"]) for p in doc["pairs"]) == [("ref", "t1"), ("ref", "t2")]
    assert not any("ambiguous" in p for p in doc["problems"])
    assert doc["sessions"] == 4 and doc["double_coded"] == 1.0  # the consensus is not coding
    assert [c["file"] for c in doc["consensus"]] == [str(written)]
    assert doc["consensus"][0]["dyad"] == "D1" and doc["consensus"][0]["decided_by"] == "sup"
    code, out, _ = run(["reliability", str(folder)], capsys)
    assert code == 0
    assert "1 consensus session (not a coder's coding: not paired)" in out
    assert written.name in out
    page = tmp_path / "r.html"
    code, _, err = run(["reliability", str(folder), "--format", "html", "-o", str(page)], capsys)
    assert code == 0, err
    assert "<h2>Consensus sessions (1, not a coder" in page.read_text()
    (folder / "pairs.csv").write_text(f"a,b\n{a.name},{written.name}\n{a.name},{b.name}\n")
    doc = report(capsys, str(folder))
    assert [p["observers"] for p in doc["pairs"]] == [["ref", "t1"]]
    assert any("pairs.csv: line 2" in p and "consensus session" in p for p in doc["problems"])
    assert entries(folder) and all(e.status != "consensus" for e in entries(folder))
