"""observer import-boris: every fixture imports into a valid codebook and sessions, what is
changed is reported, bad input exits 2 with nothing written, and BORIS's own kappa is
reproduced on the imported observations."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.boris import project
from support.clirun import run
from support.interchange import check_eaf_structure, parse_sdis

from observer.cli import COMMANDS
from observer.codebook import load_codebook
from observer.interchange import unique_id
from observer.interchange.boris import split_key
from observer.sessionfile import load_session

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "boris"
needs_fixtures = pytest.mark.skipif(
    not FIXTURES.is_dir(),
    reason=f"BORIS fixtures not found at {FIXTURES} (shared/ beside the repo)",
)


def imported(
    project: Path, target: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, dict[str, Any]]:
    """Import and return (stderr, {"codebook": Codebook, "sessions": {id: Session}})."""
    code, _, err = run(["import-boris", str(project), "-o", str(target)], capsys)
    assert code == 0, err
    (book_path,) = (target / "codebook").glob("*.json")
    sessions = {p.stem: load_session(p) for p in target.glob("*.json")}
    return err, {"codebook": load_codebook(book_path), "sessions": sessions}


@needs_fixtures
@pytest.mark.parametrize(
    "name", sorted(p.name for p in FIXTURES.glob("*.boris")) if FIXTURES.is_dir() else []
)
def test_every_fixture_imports(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err, got = imported(FIXTURES / name, tmp_path / "out", capsys)
    book = got["codebook"]
    raw = json.loads((FIXTURES / name).read_text("utf-8"))
    live = [o for o in raw["observations"].values() if o["type"] in ("LIVE", "MEDIA")]
    assert len(got["sessions"]) == len(live)
    for session in got["sessions"].values():
        assert session.codebook.sha256 == book.sha256  # one shared codebook
    assert {c.label for c in book.codes} == {
        b["code"].strip() for b in raw["behaviors_conf"].values()
    }
    report = (tmp_path / "out" / "import-report.txt").read_text("utf-8")
    assert all(line in report for line in err.splitlines())
    code, out, _ = run(
        ["codebook", "check", str(next((tmp_path / "out" / "codebook").iterdir()))], capsys
    )
    assert code == 0 and ": ok" in out


@needs_fixtures
def test_test_boris(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err, got = imported(FIXTURES / "test.boris", tmp_path / "out", capsys)
    book, sessions = got["codebook"], got["sessions"]
    assert [a.id for a in book.actors] == ["subject1", "subject2", "no-subject"]
    assert len(book.codes) == 5 * 3 and book.code_by_id["subject1.p"].key == "p"
    assert book.code_by_id["no-subject.s"].kind == "state"
    # `live not paired`: seven presses of s, so the last start has no stop.
    unpaired = sessions["live-not-paired"]
    s_events = [e for e in unpaired.events if e.code == "no-subject.s"]
    assert [(e.start, e.end, e.flags) for e in s_events] == [
        (2.718, 10.478, ()), (12.926, 17.47, ()), (19.502, 24.318, ()),
        (26.862, 26.862, ("unpaired-start",)),
    ]  # fmt: skip
    assert unpaired.duration == 26.862
    assert 'observations["live not paired"]' in err and "never stopped" in err and "26.862" in err
    assert sum(1 for line in err.splitlines() if "never stopped" in line) == 1
    live = sessions["live"]
    assert [(e.code, e.start, e.end) for e in live.events if e.end is not None] == [
        ("no-subject.s", 8.886, 16.678), ("subject2.s", 12.509, 20.685), ("no-subject.s", 18.438, 26.63),
    ]  # fmt: skip
    modifiers = sessions["modifiers"]
    assert [(e.code, e.modifiers) for e in modifiers.events] == [
        ("no-subject.q", {"modif-1": "m1"}), ("no-subject.q", {"modif-1": "m2"}),
        ("no-subject.q", {"modif-1": "m3"}), ("no-subject.r", {"modif-1": "m1"}), ("no-subject.r", {}),
    ]  # fmt: skip
    notes = [n.text for n in sessions["observation-2"].notes]
    assert "BORIS description: Description of observation #2" in notes
    assert "BORIS independent variable a: 123" in notes
    assert (tmp_path / "out" / "2-video-avi.json").read_bytes() != b""
    assert (tmp_path / "out" / "live.json").stat().st_mode & 0o777 == 0o600


@needs_fixtures
def test_stray_spaces_in_modifiers_are_trimmed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, got = imported(
        FIXTURES / "test_with_leading_trailing_spaces_in_modifiers.boris", tmp_path / "o", capsys
    )
    book = got["codebook"]
    assert [
        (m.id, m.label, [(v.id, v.label, v.key) for v in m.values]) for m in book.modifiers
    ] == [
        ("test-1", "test 1", [("a", "a", "a"), ("c", "c", "1"), ("d", "d", "2")]),
        ("test-2", "test 2", [("111", "111", "1"), ("c", "c", "c"), ("d", "d", "2")]),
    ]
    (session,) = got["sessions"].values()
    assert [e.modifiers for e in session.events] == [
        {"test-1": "a", "test-2": "c"}, {"test-1": "a"}, {"test-2": "111"}, {"test-2": "c"},
    ]  # fmt: skip


@needs_fixtures
def test_ethogram_without_observations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err, got = imported(FIXTURES / "otx_import_test.boris", tmp_path / "o", capsys)
    book = got["codebook"]
    assert got["sessions"] == {}
    assert len({c.label for c in book.codes}) == 22 and len(book.actors) == 13
    assert len(book.codes) == 22 * 13
    assert [g.label for g in book.groups] == ["Food items", "Behavior"]
    assert len({c.key for c in book.codes}) == len(book.codes)
    # The first subject keeps BORIS's keys; the others' codes are reassigned, and said so.
    assert {c.label: c.key for c in book.codes if c.actor == "1"}["Choosing at buffet"] == "B"
    assert sum(1 for line in err.splitlines() if "reassigned" in line) == 12


@needs_fixtures
def test_synthetic_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, got = imported(FIXTURES / "synthetic_1000.boris", tmp_path / "o", capsys)
    book = got["codebook"]
    assert sorted(got["sessions"]) == ["raterA", "raterB"]
    assert [a.id for a in book.actors] == ["parent", "child"]
    exclusive = sorted(g.label for g in book.groups if g.exclusive)
    assert exclusive == [
        "proximity_seeking / exploration / disorganized",
        "warmth / responsive / directive",
    ]
    for session in got["sessions"].values():
        assert session.observer in ("raterA", "raterB")
        assert not any(e.flags for e in session.events)


def kappa(folder: Path, unit: str) -> float:
    result = subprocess.run(
        [sys.executable, "-m", "observer", "agree", str(folder / "raterA.json"), str(folder / "raterB.json"),
         "--method", "timeslice", "--unit", unit, "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    value: float = json.loads(result.stdout)["methods"]["timeslice"]["kappa"]
    return value


@needs_fixtures
@pytest.mark.skipif("agree" not in COMMANDS, reason="observer agree is not on this branch yet")
def test_boris_kappa_reproduced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported(FIXTURES / "synthetic_1000.boris", tmp_path / "o", capsys)
    # BORIS 9.15's irr.cohen_kappa on the same observations: 0.807 (1 s), 0.816 (0.5 s).
    assert round(kappa(tmp_path / "o", "1"), 3) == 0.807
    assert round(kappa(tmp_path / "o", "0.5"), 3) == 0.816


@needs_fixtures
def test_gzipped_project_imports_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = tmp_path / "test.boris"
    packed.write_bytes(gzip.compress((FIXTURES / "test.boris").read_bytes()))
    _, plain = imported(FIXTURES / "test.boris", tmp_path / "a", capsys)
    _, gzipped = imported(packed, tmp_path / "b", capsys)
    assert plain["codebook"].sha256 == gzipped["codebook"].sha256
    assert {k: s.events for k, s in plain["sessions"].items()} == {
        k: s.events for k, s in gzipped["sessions"].items()
    }


# --- made-up projects for the mapping's corners --------------------------------------


def write(tmp_path: Path, data: Any, name: str = "p.boris") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_mapping_corners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err, got = imported(write(tmp_path, project()), tmp_path / "o", capsys)
    book = got["codebook"]
    assert book.id == "corners-ete"
    assert [(g.id, g.exclusive) for g in book.groups] == [("play", True), ("behaviours", False)]
    # F1 is no single character: look gets a key no behaviour of BORIS's claims (not cry's c).
    assert [book.code_by_id[f"mum.{b}"].key for b in ("play", "rest", "look", "cry")] == [
        "a",
        "b",
        "d",
        "c",
    ]
    assert [m.id for m in book.modifiers] == ["how"]  # the multiple-choice set is not kept
    assert [(v.id, v.key) for v in book.modifier_by_id["how"].values] == [
        ("fast", "F"),
        ("slow", "1"),
    ]
    (session,) = got["sessions"].values()
    assert session.id == "obs-1"
    # Times shifted to start at 0; the state pair; the dropped and unknown values kept as notes.
    assert [(e.code, e.start, e.end, e.modifiers) for e in session.events] == [
        ("mum.play", 0.0, 5.5, {}), ("mum.look", 3.5, None, {"how": "fast"}), ("kid.look", 6.5, None, {}),
        ("no-subject.cry", 7.0, None, {}),  # a subject of null counts as none
    ]  # fmt: skip
    notes = [(n.t, n.text) for n in session.notes]
    assert (3.5, "mum.look: where = up") in notes and (3.5, "mum.look: first look") in notes
    assert (6.5, "kid.look: how = quick") in notes
    assert any("nap" in text for _, text in notes)
    for expected in (
        "multiple-choice",
        "shifted",
        "unknown behaviour 'nap'",
        "do not form",
        "IMAGES",
        "'quick'",
    ):
        assert expected in err, expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"behaviors_conf": {', "invalid JSON"),
        (b"", "empty"),
        (gzip.compress(b'{"a": 1}', mtime=0)[:12], "gzip"),
        (gzip.compress(json.dumps(project()).encode(), mtime=0)[:-30], "cut short"),
        (b"\x1f\x8b" + b"\x00" * 40, "not a readable gzip file"),
        (
            json.dumps(project(project_format_version="99.0")).encode(),
            "unsupported BORIS project format version '99.0'",
        ),
        (
            json.dumps(project(project_format_version=None)).encode(),
            "unsupported BORIS project format version None",
        ),
        (json.dumps({"x": 1}).encode(), "not a BORIS project"),
        (
            json.dumps(project(behaviors_conf={"0": {"type": "Odd", "code": "x"}})).encode(),
            "unknown behaviour type",
        ),
        (
            json.dumps(
                project(observations={"o": {"type": "LIVE", "events": [["x", "", "play"]]}})
            ).encode(),
            "is not a number",
        ),
    ],
)
def test_bad_projects_exit_2_and_write_nothing(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.boris"
    path.write_bytes(content)
    code, out, err = run(["import-boris", str(path), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and message in err and "Traceback" not in err, err
    assert len(err.splitlines()) == 1 and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.boris"]


def test_target_folder_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, project())
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    code, _, err = run(["import-boris", str(path), "-o", str(full)], capsys)
    assert code == 2 and "not empty" in err
    code, _, err = run(["import-boris", str(path), "-o", str(tmp_path / "p.boris" / "sub")], capsys)
    assert code == 2 and "parent folder does not exist" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(["import-boris", str(path), "-o", str(empty)], capsys)[0] == 0
    assert (empty / "obs-1.json").is_file()


def test_failure_while_writing_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import observer.cli.import_boris as command

    def full_disk(folder: Path, session: Any) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(command, "write_session", full_disk)
    path = write(tmp_path, project())
    code, _, err = run(["import-boris", str(path), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and "No space left" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.boris"]


def test_default_folder_is_named_after_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, project(), "study.boris")
    assert run(["import-boris", "study.boris"], capsys)[0] == 0
    assert (tmp_path / "study" / "codebook" / "corners-ete.json").is_file()


def test_ids_and_keys_helpers() -> None:
    taken: set[str] = set()
    assert [unique_id(t, taken, "x") for t in ("Play time", "play-time", "PLAY_TIME", "", "--")] == [
        "play-time", "play-time-2", "play_time", "x", "x-2",
    ]  # fmt: skip
    assert unique_id("Obs #2 (copy)", set(), "o", session=True) == "Obs-2-copy"
    assert split_key("  happy   (h) ") == ("happy", "h")
    assert split_key("c  ") == ("c", "")
    assert split_key("(x)") == ("(x)", "")


@needs_fixtures
def test_imported_sessions_export_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, got = imported(FIXTURES / "test.boris", tmp_path / "o", capsys)
    paths = sorted(str(p) for p in (tmp_path / "o").glob("*.json"))
    for fmt in ("csv", "sdis"):
        code, _, err = run(
            ["export", *paths, "--format", fmt, "-o", str(tmp_path / f"all.{fmt}")], capsys
        )
        assert code == 0, err
    _, mapping, sessions = parse_sdis((tmp_path / "all.sdis").read_text("utf-8"))
    assert mapping["no_subject_s"] == "no-subject.s"
    assert len(sessions) == len(got["sessions"])
    assert run(["export", *paths, "--format", "eaf", "-o", str(tmp_path / "eaf")], capsys)[0] == 0
    for path in (tmp_path / "eaf").iterdir():
        check_eaf_structure(path)


def test_a_bad_modifier_set_is_located_by_its_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = project()
    data["behaviors_conf"]["2"]["modifiers"]["1"] = "not a set"
    path = write(tmp_path, data)
    code, _, err = run(["import-boris", str(path), "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert err == f'{path}: behaviors_conf["2"].modifiers["1"]: must be an object\n'
