"""``observer export --deidentify``: in every format, nothing identifying is left (ids,
dyads, observers, labels, notes, review texts, dates and times of day in any of their
spellings; with ``--dates none`` no calendar date at all); the linkage file leads
back; ``stats``, ``agree``, ``seq`` and ``reliability`` give the same figures on the
de-identified session files as on the originals; bad input writes nothing."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support.clirun import run
from support.deidentify import (
    CALENDAR_DATE,
    DYADS,
    LABELS,
    NOTE,
    REVIEW_TEXT,
    TIME_OF_DAY,
    secrets_of,
    study_sessions,
    write_study,
)

from observer.export.deidentify import DOCUMENT_TIME, LINKAGE_COLUMNS
from observer.sessionfile import Session, load_session

FORMATS = ("csv", "tsv", "sdis", "eaf", "ratings-csv", "ratings-tsv", "session")
PER_SESSION = ("eaf", "session")
EAF_DATE = f'DATE="{DOCUMENT_TIME.isoformat(timespec="seconds")}"'.encode()
Capsys = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("identified") / "sessions"
    write_study(folder)
    return folder


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def export(capsys: Capsys, study: Path, out: Path, fmt: str, *extra: str) -> tuple[Path, Path, str]:
    """De-identify the study into ``out`` (a folder, or a file in it); the linkage file
    goes beside ``out``'s folder. Returns (output, linkage, standard error)."""
    out.mkdir(parents=True, exist_ok=True)
    target = out if fmt in PER_SESSION else out / f"export.{fmt}"
    linkage = out.parent / f"{out.name}-linkage.csv"
    argv = ["export", *map(str, files(study)), "--format", fmt, "-o", str(target)]
    code, _, err = run([*argv, "--deidentify", "--linkage", str(linkage), *extra], capsys)
    assert code == 0, err
    return target, linkage, err


def every_file(target: Path) -> dict[Path, bytes]:
    paths = [target] if target.is_file() else sorted(target.rglob("*"))
    return {p: p.read_bytes() for p in paths if p.is_file()}


def linkage_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("dates", ["shift", "none"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_identifying_byte_is_left_in_any_format(
    capsys: Capsys, study: Path, tmp_path: Path, fmt: str, dates: str
) -> None:
    target, linkage, _ = export(capsys, study, tmp_path / "out", fmt, "--dates", dates)
    secrets = secrets_of(study_sessions())
    written = every_file(target)
    assert written
    for path, data in written.items():
        if fmt == "eaf":  # the date ELAN's schema requires: a fixed one, no date of anything
            assert data.count(EAF_DATE) == 1, path
            data = data.replace(EAF_DATE, b"")
        folded = data.decode("utf-8").casefold()
        for secret in secrets:
            assert secret.casefold() not in folded, (path.name, secret)
        if dates == "none":
            assert not CALENDAR_DATE.search(data), (path.name, CALENDAR_DATE.search(data))
            assert not TIME_OF_DAY.search(data), (path.name, TIME_OF_DAY.search(data))
    assert len(linkage_rows(linkage)) == len(files(study))


def pairs_of_files(study: Path, out: Path, linkage: Path) -> list[tuple[Path, Path]]:
    """(original, de-identified) session files, in the linkage's order."""
    return [
        (study / f"{row['session']}.json", out / f"{row['session_code']}.json")
        for row in linkage_rows(linkage)
    ]


def test_the_linkage_file_leads_back_and_keeps_each_dyad_together(
    capsys: Capsys, study: Path, tmp_path: Path
) -> None:
    out, linkage, err = export(capsys, study, tmp_path / "out", "session")
    assert "linkage" in err and str(linkage) in err
    assert oct(linkage.stat().st_mode & 0o777) == "0o600"
    rows = linkage_rows(linkage)
    assert tuple(rows[0]) == LINKAGE_COLUMNS
    assert sorted(r["session"] for r in rows) == sorted(p.stem for p in files(study))
    for dyad in DYADS:
        mine = [r for r in rows if r["dyad"] == dyad]
        assert len({r["dyad_code"] for r in mine}) == 1
        assert len({(r["day_shift"], r["second_shift"]) for r in mine}) == 1
        assert all(r["session_code"].startswith(r["dyad_code"] + "-") for r in mine)
    assert len({r["dyad_code"] for r in rows}) == len(DYADS)
    observers = {r["observer"]: r["observer_code"] for r in rows}
    assert len(set(observers.values())) == len(observers)
    for original, coded in pairs_of_files(study, out, linkage):
        a, b = load_session(original), load_session(coded)
        row = next(r for r in rows if r["session"] == a.id)
        assert (b.id, b.dyad, b.observer) == (
            row["session_code"],
            row["dyad_code"],
            row["observer_code"],
        )
        shift = int(row["day_shift"]) * 86400 + int(row["second_shift"])
        assert -1095 * 86400 <= shift < -365 * 86400
        for before, after in ((a.started_at, b.started_at), (a.ended_at, b.ended_at)):
            moved = datetime.fromisoformat(after) - datetime.fromisoformat(before)
            assert moved.total_seconds() == shift
        assert b.events == a.events and b.ratings == a.ratings and b.segments == a.segments
        assert b.notes == tuple(n for n in a.notes if n.kind == "sync")
        assert all(r.text == "" and r.link is None for r in b.reviews)
        assert [r.correction for r in b.reviews] == [r.correction for r in a.reviews]
        assert b.trail is None
        assert (a.label == "") == (b.label == "")
        if b.media is not None:
            assert b.media.file == f"{b.id}.mp4"
        if b.consensus is not None:
            assert a.consensus is not None
            codes = {r["session"]: r["session_code"] for r in rows}
            assert b.consensus.a.id == codes[a.consensus.a.id]
            assert b.consensus.b.id == codes[a.consensus.b.id]


def test_dates_none_keeps_the_days_since_the_dyads_first_session(
    capsys: Capsys, study: Path, tmp_path: Path
) -> None:
    out, linkage, _ = export(capsys, study, tmp_path / "out", "session", "--dates", "none")
    rows = linkage_rows(linkage)
    assert all(r["day_shift"] == r["second_shift"] == "" for r in rows)
    for dyad in DYADS:
        mine = [r for r in rows if r["dyad"] == dyad]
        originals = [load_session(study / f"{r['session']}.json") for r in mine]
        first = min(datetime.fromisoformat(s.started_at) for s in originals)
        for row, original in zip(mine, originals, strict=True):
            coded = load_session(out / f"{row['session_code']}.json")
            days = (datetime.fromisoformat(original.started_at) - first).days
            assert coded.started_at == f"P{days}D"
            assert re.fullmatch(r"P\d+D", coded.ended_at)
            assert all(re.fullmatch(r"P\d+D", r.created_at) for r in coded.reviews)


def test_keep_text_and_keep_observers(capsys: Capsys, study: Path, tmp_path: Path) -> None:
    out, linkage, _ = export(
        capsys, study, tmp_path / "out", "session", "--keep-text", "--keep-observers"
    )
    for original, coded in pairs_of_files(study, out, linkage):
        a, b = load_session(original), load_session(coded)
        assert (b.label, b.notes, b.observer) == (a.label, a.notes, a.observer)
        assert [r.text for r in b.reviews] == [r.text for r in a.reviews]
        assert [r.reviewer for r in b.reviews] == [r.reviewer for r in a.reviews]
        assert b.dyad != a.dyad and b.id != a.id and b.started_at != a.started_at
    texts = b"".join(every_file(out).values())
    assert NOTE.encode() in texts and REVIEW_TEXT.encode() in texts and LABELS[0].encode() in texts


def rename(value: Any, names: dict[str, str]) -> Any:
    """``value`` with every string (and key) that ``names`` knows replaced."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [rename(v, names) for v in value]
    if isinstance(value, dict):
        return {rename(k, names): rename(v, names) for k, v in value.items()}
    return value


def names_of(pairs: list[tuple[Path, Path]]) -> dict[str, str]:
    """Every original id, label, path and wall time -> its de-identified counterpart."""
    names: dict[str, str] = {}

    def wall(a: Session, b: Session) -> None:
        names[a.started_at], names[a.ended_at] = b.started_at, b.ended_at

    for original, coded in pairs:
        a, b = load_session(original), load_session(coded)
        names |= {a.id: b.id, a.dyad: b.dyad, a.observer: b.observer, str(original): str(coded)}
        if a.label:
            names[a.label] = b.label
        wall(a, b)
        for ra, rb in zip(a.reviews, b.reviews, strict=True):
            names[ra.reviewer] = rb.reviewer
    return names


def json_of(capsys: Capsys, *argv: str) -> Any:
    code, out, err = run([*argv, "--format", "json"], capsys)
    assert code == 0, err
    return json.loads(out)


def reliability_figures(doc: dict[str, Any]) -> dict[str, Any]:
    """The report's figures, independent of the order of pairs, codes and times."""
    pairs = sorted(doc["pairs"], key=lambda p: p["a"])
    below = sorted(doc["pairs"][i]["a"] for i in doc["below_threshold"])
    observers = sorted(
        (o["observer"], o["pairs"], sorted(map(tuple, o["kappa_over_time"]), key=str))
        for o in doc["observers"]
    )
    codes = sorted(doc["codes"], key=lambda c: c["code"])
    rest = {
        k: v for k, v in doc.items() if k not in ("pairs", "below_threshold", "observers", "codes")
    }
    return {"pairs": pairs, "below": below, "observers": observers, "codes": codes, **rest}


@pytest.mark.parametrize("dates", ["shift", "none"])
def test_stats_intervals_agree_seq_and_reliability_are_those_of_the_originals(
    capsys: Capsys, study: Path, tmp_path: Path, dates: str
) -> None:
    out, linkage, _ = export(capsys, study, tmp_path / "out", "session", "--dates", dates)
    pairs = pairs_of_files(study, out, linkage)
    names = names_of(pairs)
    originals = [str(a) for a, _ in pairs]
    coded = [str(b) for _, b in pairs]
    for extra in ([], ["--corrected", "--by", "segment"]):
        before = json_of(capsys, "stats", *originals, *extra)
        assert rename(before, names) == json_of(capsys, "stats", *coded, *extra)
    before = json_of(capsys, "intervals", *originals, "--interval", "5", "--rule", "partial")
    assert rename(before, names) == json_of(
        capsys, "intervals", *coded, "--interval", "5", "--rule", "partial"
    )
    codings = [(a, b) for a, b in pairs if load_session(a).status != "consensus"]
    before = json_of(capsys, "seq", *(str(a) for a, _ in codings))
    assert rename(before, names) == json_of(capsys, "seq", *(str(b) for _, b in codings))
    by_visit: dict[tuple[str, str], list[tuple[Path, Path]]] = {}
    for a, b in codings:
        session = load_session(a)
        by_visit.setdefault((session.dyad, session.label), []).append((a, b))
    compared = 0
    for members in by_visit.values():
        if len(members) != 2:
            continue
        (a1, b1), (a2, b2) = members
        before = json_of(capsys, "agree", str(a1), str(a2))
        assert rename(before, names) == json_of(capsys, "agree", str(b1), str(b2))
        compared += 1
    assert compared == 2 * len(DYADS)
    before = json_of(capsys, "reliability", str(study))
    after = json_of(capsys, "reliability", str(out))
    assert len(after["pairs"]) == 2 * len(DYADS) and after["problems"] == []
    assert reliability_figures(rename(before, names)) == reliability_figures(after)
    # each pair in the same order (A the earlier coding), so every table is as it was
    for pair in before["pairs"]:
        match = next(p for p in after["pairs"] if p["a"] == names[pair["a"]])
        assert match["b"] == names[pair["b"]]


def test_every_command_reads_the_de_identified_files(
    capsys: Capsys, study: Path, tmp_path: Path
) -> None:
    out, _, _ = export(capsys, study, tmp_path / "out", "session", "--dates", "none")
    for path in files(out):
        code, said, err = run(["verify", str(path)], capsys)
        assert code == 0 and "no trail" in said, err
    code, said, err = run(["sessions", "--session-dir", str(out)], capsys)
    assert code == 0 and err == "" and len(files(out)) == 14
    code, _, err = run(
        ["reliability", "assign", str(out), "--seed", "3", "--fraction", "0.5"], capsys
    )
    assert code == 0, err
    code, _, err = run(["export", *map(str, files(out)), "--format", "csv"], capsys)
    assert code == 0, err


def test_into_an_encrypted_folder_the_copies_are_encrypted(
    capsys: Capsys, study: Path, tmp_path: Path
) -> None:
    from observer.crypto.keys import new_identity

    key, pub = tmp_path / "study.key", tmp_path / "study.pub"
    new_identity(key, pub)
    out = tmp_path / "out"
    out.mkdir()
    (out / "recipients.txt").write_bytes(pub.read_bytes())
    target, _, _ = export(capsys, study, out, "session")
    written = {p.name for p in target.iterdir()}
    assert written == {"recipients.txt", *(p.name for p in target.glob("*.json.age"))}
    assert len(written) == 1 + len(files(study))
    sealed = [str(p) for p in target.glob("*.json.age")]
    code, _, err = run(["stats", *sealed, "--identity", str(key)], capsys)
    assert code == 0, err
    plain = tmp_path / "plain"
    argv = ["export", *sealed, "--identity", str(key), "--format", "session", "-o", str(plain)]
    code, _, err = run(argv, capsys)
    assert code == 0 and "warning" in err and "plaintext" in err, err
    assert len(files(plain)) == len(sealed)


def nothing_written(tmp_path: Path, before: set[Path]) -> None:
    assert set(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "session", "-o", "{out}", "--deidentify"], "needs --linkage FILE"),
        (["--format", "csv", "--linkage", "{tmp}/l.csv"], "--linkage goes with --deidentify"),
        (["--format", "csv", "--dates", "none"], "--dates goes with --deidentify"),
        (["--format", "csv", "--keep-text"], "--keep-text goes with --deidentify"),
        (
            ["--format", "session", "-o", "{out}", "--deidentify", "--linkage", "{out}/l.csv"],
            "is inside the export folder",
        ),
        (
            ["--format", "csv", "-o", "{tmp}/x.csv", "--deidentify", "--linkage", "{tmp}/l.csv"],
            "is inside the export folder",
        ),
        (
            ["--format", "eaf", "-o", "{tmp}/one.eaf", "--deidentify", "--linkage", "{tmp}/l.csv"],
            "is inside the export folder",
        ),
        (
            ["--format", "session", "-o", "{out}", "--deidentify", "--linkage", "{tmp}/taken.csv"],
            "already exists",
        ),
        (["--format", "session", "--deidentify", "--linkage", "{tmp}/l.csv"], "give -o FOLDER"),
    ],
)
def test_bad_usage_is_one_line_and_writes_nothing(
    capsys: Capsys, study: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "taken.csv").write_text("mine\n")
    before = set(tmp_path.rglob("*"))
    filled = [a.format(out=tmp_path / "out", tmp=tmp_path) for a in args]
    code, out, err = run(["export", *map(str, files(study)), *filled], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err
    nothing_written(tmp_path, before)
    assert (tmp_path / "taken.csv").read_text() == "mine\n"


def test_a_time_that_cannot_be_shifted_is_refused_and_nothing_written(
    capsys: Capsys, study: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    reviewed = next(p for p in files(study) if load_session(p).reviews)
    data = json.loads(reviewed.read_text())
    data["id"] = "bad-one"
    data["reviews"][0]["created_at"] = "the 14th of March"
    (bad / "bad-one.json").write_text(json.dumps(data))
    before = set(tmp_path.rglob("*"))
    argv = ["export", str(bad / "bad-one.json"), "--format", "session", "-o", str(tmp_path / "out")]
    code, _, err = run([*argv, "--deidentify", "--linkage", str(tmp_path / "l.csv")], capsys)
    assert code == 2
    assert err.strip() == (
        f"{bad / 'bad-one.json'}: reviews[0].created_at: is not an ISO 8601 time:"
        " it can be neither shifted nor left in"
    )
    nothing_written(tmp_path, before)


def test_a_session_file_already_there_takes_everything_back(
    capsys: Capsys, study: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "D-aaaaaa-01.json").write_text("{}")
    code, _, err = run(
        ["export", *map(str, files(study)), "--format", "session", "-o", str(out)], capsys
    )
    assert code == 0, err  # without --deidentify: copies under their own ids
    copies = sorted(p.name for p in out.glob("2025*.json"))
    assert copies == sorted(p.name for p in files(study))
    code, _, err = run(
        ["export", *map(str, files(study)), "--format", "session", "-o", str(out)], capsys
    )
    assert code == 2 and "already exists" in err
    assert sorted(p.name for p in out.glob("2025*.json")) == copies  # none written twice


def test_to_standard_output_and_once_more(capsys: Capsys, study: Path, tmp_path: Path) -> None:
    """Without -o the export goes to standard output (the linkage still to its file); a
    de-identified copy de-identified again keeps its days since the first session."""
    linkage = tmp_path / "keys" / "linkage.csv"
    linkage.parent.mkdir()
    argv = ["export", *map(str, files(study)), "--format", "csv", "--dates", "none"]
    code, out, err = run([*argv, "--deidentify", "--linkage", str(linkage)], capsys)
    assert code == 0 and str(linkage) in err
    assert out.startswith("session,dyad,observer,") and not CALENDAR_DATE.search(out.encode())
    for secret in secrets_of(study_sessions()):
        assert secret.casefold() not in out.casefold(), secret
    first, _, _ = export(capsys, study, tmp_path / "once", "session", "--dates", "none")
    again = tmp_path / "twice"
    argv = ["export", *map(str, files(first)), "--format", "session", "-o", str(again)]
    code, _, err = run([*argv, "--deidentify", "--linkage", str(tmp_path / "again.csv")], capsys)
    assert code == 0, err
    rows = linkage_rows(tmp_path / "again.csv")
    for row in rows:
        before = load_session(first / f"{row['session']}.json")
        after = load_session(again / f"{row['session_code']}.json")
        assert (after.started_at, after.events) == (before.started_at, before.events)
        assert after.dyad != before.dyad


async def test_replay_opens_a_de_identified_copy(tmp_path: Path) -> None:
    """Replay shows a copy whose times are days since the dyad's first session."""
    from observer.cli import main
    from observer.tui.replay.app import ReplayApp
    from observer.tui.replay.screen import ReplayScreen

    study = tmp_path / "identified"
    write_study(study)
    out = tmp_path / "out"
    argv = ["export", *map(str, files(study)), "--format", "session", "-o", str(out)]
    main([*argv, "--deidentify", "--dates", "none", "--linkage", str(tmp_path / "l.csv")])
    path = next(p for p in files(out) if load_session(p).reviews)
    session = load_session(path)
    app = ReplayApp(path, session, config=tmp_path / "config.json")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        await pilot.press("right", "right", "end")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
