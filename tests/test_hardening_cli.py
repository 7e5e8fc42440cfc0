"""Bad input across every command: exit 2, one line naming the problem, no traceback,
nothing written.

Each case runs the real CLI entry point (``observer.cli.main``, which maps errors
onto exit statuses) in this process, in a scratch folder that is also the
working directory, with ``XDG_STATE_HOME`` inside it (an internal error would
log a traceback there, and show up as a change). The folder's listing (names,
sizes, modification times) must be the same before and after. A few cases also
run as real subprocesses (the truth about tracebacks and exit statuses).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import session_to_bytes, write_session
from observer.synthetic import make_session, perturb

BOOK = load_codebook("cpp-attachment")
SESSION_A = make_session(BOOK, 40, seed=5)
SESSION_B = perturb(SESSION_A, seed=6)


def _session_doc(**changes: Any) -> bytes:
    doc = json.loads(session_to_bytes(SESSION_A))
    doc.update(changes)
    return json.dumps(doc).encode()


def _event_doc(index: int, **changes: Any) -> bytes:
    doc = json.loads(session_to_bytes(SESSION_A))
    doc["events"][index].update(changes)
    return json.dumps(doc).encode()


def _codebook_doc(mutate: Callable[[dict[str, Any]], None]) -> bytes:
    doc = json.loads(json.dumps(BOOK.document))
    mutate(doc)
    return json.dumps(doc).encode()


def _repeat_first(doc: bytes, field: bytes) -> bytes:
    """``doc`` with its first ``"field": value`` given twice (JSON keeps the last)."""
    at = doc.index(b'"' + field + b'":')
    end = doc.index(b",", at)
    return doc[:end] + b", " + doc[at:end] + doc[end:]


def _journal(lines: list[Any], raw_tail: bytes = b"") -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines) + raw_tail


def _header() -> dict[str, Any]:
    from observer.live.journal import make_header

    return make_header("20260101T000000Z-D1-o1", BOOK, "D1", "o1")


FILES: dict[str, bytes] = {
    "empty.json": b"",
    "blank.json": b"  \n\t\n",
    "notjson.json": b'{"schema": "observer.session/1", ',
    "latin1.json": '{"dyad": "Zoë"}'.encode("latin-1"),
    "array.json": b"[1, 2, 3]",
    "string.json": b'"a session"',
    "nul.json": b'{"a": "\x00"}',
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "codebook-copy.json": json.dumps(BOOK.document).encode(),
    "truncated.json": session_to_bytes(SESSION_A)[:500],
    "wrong-schema.json": _session_doc(schema="observer.session/99"),
    "unknown-code.json": _event_doc(0, code="no-such-code"),
    "end-before-start.json": _event_doc(1, start=50.0, end=10.0),
    "string-time.json": _event_doc(0, start="12.5"),
    "huge-time.json": _event_doc(0, start=1e308, end=None),
    "bool-time.json": _event_doc(0, start=True),
    "negative-duration.json": _session_doc(duration=-5),
    "bad-id.json": _session_doc(id="../../etc/passwd"),
    "unknown-field.json": _session_doc(colour="blue"),
    "tampered-hash.json": _session_doc(
        codebook={**json.loads(session_to_bytes(SESSION_A))["codebook"], "sha256": "0" * 64}
    ),
    "events-not-list.json": _session_doc(events={"0": "x"}),
    "bad-modifier.json": _event_doc(0, modifiers={"intensity": "enormous"}),
    "cb-dup-key.json": _codebook_doc(lambda d: d["codes"][1].update(key=d["codes"][0]["key"])),
    "cb-repeated-field.json": _repeat_first(_codebook_doc(lambda d: None), b"key"),
    "repeated-field.json": _repeat_first(_session_doc(), b"start"),
    "cb-reserved-key.json": _codebook_doc(lambda d: d["codes"][0].update(key=" ")),
    "cb-unknown-group.json": _codebook_doc(lambda d: d["codes"][0].update(group="nope")),
    "cb-unknown-field.json": _codebook_doc(lambda d: d.update(colour="blue")),
    "cb-codes-string.json": _codebook_doc(lambda d: d.update(codes="abc")),
    "cb-huge-scale.json": _codebook_doc(lambda d: d["ratings"][0].update(min=0, max=10**30)),
    "cb-min-max.json": _codebook_doc(lambda d: d["ratings"][0].update(min=7, max=1)),
    "other-codebook.json": b"",  # filled in by the fixture (another codebook id)
    "journal-corrupt.jsonl": b"",  # filled in by the fixture
    "not-boris.boris": json.dumps({"x": 1}).encode(),
    "gz-garbage.boris": b"\x1f\x8b" + b"\x00" * 64,
    "boris-old.boris": json.dumps(
        {"behaviors_conf": {}, "project_format_version": "99.0"}
    ).encode(),
    "boris-bad-events.boris": json.dumps(
        {
            "project_format_version": "8.0",
            "behaviors_conf": {"0": {"type": "Point event", "key": "p", "code": "p"}},
            "subjects_conf": {},
            "observations": {"o": {"type": "LIVE", "events": "not a list"}},
        }
    ).encode(),
    "boris-latin1.boris": '{"project_name": "été"}'.encode("latin-1"),
    "existing.csv": b"already here\n",
    "notes.txt": b"just a file\n",
}


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    write_session(tmp_path, SESSION_A)  # <id>.json
    (tmp_path / "a.json").write_bytes(session_to_bytes(SESSION_A))
    (tmp_path / "b.json").write_bytes(session_to_bytes(SESSION_B))
    other = load_codebook("dpics-style")
    (tmp_path / "other-codebook.json").write_bytes(session_to_bytes(make_session(other, 10)))
    folders = ("folder.json", "empty-dir", "nonempty-dir", "corrupt-journal", "bad-header")
    for folder in (*folders, "repeated-header"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nonempty-dir" / "keep.txt").write_bytes(b"x")
    (tmp_path / "corrupt-journal" / "20260101T000000Z-D1-o1.journal.jsonl").write_bytes(
        _journal([_header(), {"seq": 1, "a": "clock", "mono": 1.0}], b"garbage\n{}\n")
    )
    (tmp_path / "bad-header" / "x.journal.jsonl").write_bytes(_journal([{"not": "a header"}]))
    (tmp_path / "repeated-header" / "20260101T000000Z-D1-o1.journal.jsonl").write_bytes(
        _repeat_first(_journal([_header()]), b"dyad")
    )
    (tmp_path / "journal-corrupt.jsonl").write_bytes(b"\xff\xfe")
    (tmp_path / "shared.key").write_bytes(b"AGE-SECRET-KEY-1\n")
    (tmp_path / "shared.key").chmod(0o644)  # whatever the umask another test left
    (tmp_path / "state").mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("OBSERVER_SESSION_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def listing(folder: Path) -> list[tuple[str, int, int]]:
    out = []
    for path in sorted(folder.rglob("*")):
        stat = path.lstat()
        size = 0 if path.is_dir() else stat.st_size
        out.append((str(path.relative_to(folder)), size, stat.st_mtime_ns))
    return out


# (argv, what the first line must name). A file with several problems gets one line
# per problem, each a whole ``FILE: LOCATION: MESSAGE``; a usage error one line.
CASES: list[tuple[list[str], str]] = [
    # --- the command line itself ---------------------------------------------------
    (["no-such-command"], "No such command"),
    (["--no-such-flag"], "No such option"),
    (["codebook", "frobnicate"], "No such command"),
    (["stats"], "Missing argument"),
    (["export", "a.json"], "Missing option '--format'"),
    (["agree", "a.json"], "at least two sessions"),
    # --- codebook check / show ----------------------------------------------------
    (["codebook", "check"], "Missing argument"),
    (["codebook", "check", "missing.json"], "no such file"),
    (["codebook", "check", "folder.json"], "is a folder"),
    (["codebook", "check", "empty.json"], "empty"),
    (["codebook", "check", "blank.json"], "empty"),
    (["codebook", "check", "notjson.json"], "invalid JSON"),
    (["codebook", "check", "latin1.json"], "not UTF-8"),
    (["codebook", "check", "array.json"], "object"),
    (["codebook", "check", "deep.json"], "invalid JSON"),
    (["codebook", "check", "cb-dup-key.json"], "duplicate key"),
    (["codebook", "check", "cb-repeated-field.json"], "codes[0].key: duplicate field"),
    (["codebook", "check", "cb-reserved-key.json"], "reserved"),
    (["codebook", "check", "cb-unknown-group.json"], "nope"),
    (["codebook", "check", "cb-unknown-field.json"], "colour"),
    (["codebook", "check", "cb-codes-string.json"], "codes"),
    (["codebook", "check", "cb-huge-scale.json"], "ratings[0]"),
    (["codebook", "check", "cb-min-max.json"], "ratings[0]"),
    (["codebook", "check", "../../no/such/dir/x.json"], "no such file"),
    (["codebook", "check", "no-such-bundled-id"], "no-such-bundled-id"),
    (["codebook", "show", "missing.json"], "no such file"),
    (["codebook", "show", "cpp-attachment", "--format", "yaml"], "'yaml' is not one of"),
    # --- sessions / recover -------------------------------------------------------
    (["sessions", "--session-dir", "notes.txt"], "is a file"),
    (["recover", "--session-dir", "notes.txt"], "is a file"),
    (["recover", "--session-dir", "corrupt-journal"], "line 3"),
    (["recover", "--session-dir", "bad-header"], "line 1"),
    (["recover", "--session-dir", "repeated-header"], "line 1: dyad: duplicate field"),
    # --- code (refused before any screen) -------------------------------------------
    (["code", "--codebook", "missing.json"], "no such file"),
    (["code", "--codebook", "folder.json"], "is a folder"),
    (["code", "--codebook", "cb-dup-key.json"], "duplicate key"),
    (["code", "--codebook", "latin1.json"], "not UTF-8"),
    (["code", "--codebook", "../nope/../x.json", "--dyad", "D1"], "no such file"),
    (["code", "--session-dir", "notes.txt"], "is a file"),
    (["code", "--no-such-flag"], "No such option"),
    # --- stats --------------------------------------------------------------------
    (["stats", "missing.json"], "no such file"),
    (["stats", "folder.json"], "is a folder"),
    (["stats", "empty.json"], "empty"),
    (["stats", "notjson.json"], "invalid JSON"),
    (["stats", "latin1.json"], "not UTF-8"),
    (["stats", "string.json"], "object"),
    (["stats", "nul.json"], "nul.json"),
    (["stats", "truncated.json"], "invalid JSON"),
    (["stats", "codebook-copy.json"], "codebook-copy.json"),
    (["stats", "wrong-schema.json"], "schema"),
    (["stats", "unknown-code.json"], "no-such-code"),
    (["stats", "end-before-start.json"], "events[1]"),
    (["stats", "string-time.json"], "events[0].start"),
    (["stats", "repeated-field.json"], "events[0].start: duplicate field (given 2 times)"),
    (["stats", "bool-time.json"], "events[0].start"),
    (["stats", "huge-time.json"], "events[0]"),
    (["stats", "negative-duration.json"], "duration"),
    (["stats", "bad-id.json"], "id"),
    (["stats", "unknown-field.json"], "colour"),
    (["stats", "tampered-hash.json"], "sha256"),
    (["stats", "events-not-list.json"], "events"),
    (["stats", "bad-modifier.json"], "events[0].modifiers"),
    (["stats", "a.json", "--format", "xml"], "'xml' is not one of"),
    (["stats", "../../../no/such/session.json"], "no such file"),
    # --- agree --------------------------------------------------------------------
    (["agree", "a.json", "b.json", "--method", "magic"], "'magic' is not one of"),
    (["agree", "a.json", "b.json", "--tolerance", "-1"], "--tolerance"),
    (["agree", "a.json", "b.json", "--unit", "0"], "--unit"),
    (["agree", "a.json", "b.json", "--unit", "nan"], "--unit"),
    (["agree", "a.json", "b.json", "--unit", "inf"], "--unit"),
    (["agree", "a.json", "b.json", "--unit", "abc"], "must be a number of seconds"),
    (["agree", "a.json", "b.json", "--unit", "1e-9"], "--unit"),
    (["agree", "a.json", "b.json", "--tolerance", "inf"], "--tolerance"),
    (["agree", "a.json", "empty-dir"], "folder"),
    (["agree", "a.json", "missing.json"], "no such file"),
    (["agree", "a.json", "other-codebook.json"], "codebook"),
    (["agree", "--ratings", "a.json", "b.json", "a.json"], "pairs"),
    (["agree", "--ratings", "empty-dir"], "no session files"),
    (["agree", "a.json", "b.json", "--format", "pdf"], "'pdf' is not one of"),
    # --- seq, intervals, agree --method interval ---------------------------------
    (["seq", "a.json", "--lag", "0"], "--lag"),
    (["seq", "a.json", "--codes", "no-such-code"], "unknown code"),
    (["seq", "a.json", "--streams", "no/such"], "unknown stream"),
    (
        ["seq", "a.json", "--given", "ch-bids", "--target", "cg-responds", "--window", "3,1"],
        "before A",
    ),
    (
        ["seq", "a.json", "--given", "ch-bids", "--target", "nope", "--window", "0,3"],
        "unknown code",
    ),
    (["seq", "a.json", "--given", "ch-bids", "--window", "0,3"], "needs --given, --target"),
    (["seq", "a.json", "other-codebook.json"], "codebook"),
    (["seq", "a.json", "missing.json"], "no such file"),
    (["intervals", "a.json", "--interval", "0", "--rule", "partial"], "--interval"),
    (["intervals", "a.json", "--interval", "-5", "--rule", "whole"], "--interval"),
    (["intervals", "a.json", "--rule", "whole"], "--interval"),
    (
        ["intervals", "a.json", "--interval", "10", "--rule", "sometimes"],
        "'sometimes' is not one of",
    ),
    (["agree", "a.json", "b.json", "--method", "interval", "--interval", "0"], "--interval"),
    # --- reliability, consensus (commands from main the corpus did not cover yet) ----
    (["reliability", "missing-dir"], "does not exist"),
    (["consensus", "a.json", "missing.json", "--by", "sup"], "no such file"),
    # --- export -------------------------------------------------------------------
    (["export", "a.json", "--format", "xls"], "'xls' is not one of"),
    (["export", "a.json", "--format", "eaf"], "-o FOLDER"),
    (["export", "a.json", "--format", "csv", "-o", "existing.csv"], "already exists"),
    (["export", "a.json", "--format", "csv", "-o", "no/such/dir/out.csv"], "does not exist"),
    (["export", "a.json", "--format", "sdis", "-o", "../../../no/such/x.sdis"], "does not exist"),
    (["export", "a.json", "--format", "csv", "-o", "folder.json"], "folder.json"),
    (["export", "a.json", "a.json", "--format", "csv"], "also in"),
    (["export", "missing.json", "--format", "tsv"], "no such file"),
    (["export", "notjson.json", "--format", "csv"], "invalid JSON"),
    (["export", "a.json", "b.json", "--format", "eaf", "-o", "x.eaf"], "one .eaf file"),
    (["export", "a.json", "--format", "eaf", "-o", "notes.txt"], "not a folder"),
    # --- import ---------------------------------------------------------------------
    (["import", "missing.csv", "--from", "csv", "-o", "out"], "no such file"),
    (["import", "notjson.json", "--from", "csv", "-o", "out"], "missing column"),
    (["import", "a.json", "--from", "no-such-format"], "--from"),
    (["import", "a.json", "--from", "eaf", "-o", "out"], "not an EAF"),
    (["import", "notjson.json", "--from", "eaf", "-o", "out"], "not an EAF"),
    (["import", "not-boris.boris", "--from", "boris", "-o", "out"], "not a BORIS project"),
    (["import", "a.json", "--from", "opf", "-o", "out"], "not an OPF"),
    (["import", "a.json", "--from", "csv", "--map", "a.json", "-o", "out"], "--map needs"),
    (["import", "a.json", "--from", "csv", "--observer", "../x", "-o", "out"], "--observer"),
    (
        [
            "import",
            "a.json",
            "--from",
            "eaf",
            "--codebook",
            "cpp-attachment",
            "--map",
            "notjson.json",
        ],
        "invalid JSON",
    ),
    # --- import-boris -------------------------------------------------------------
    (["import-boris", "missing.boris"], "no such file"),
    (["import-boris", "folder.json"], "is a folder"),
    (["import-boris", "empty.json", "-o", "out"], "empty"),
    (["import-boris", "notjson.json", "-o", "out"], "invalid JSON"),
    (["import-boris", "not-boris.boris", "-o", "out"], "not a BORIS project"),
    (["import-boris", "gz-garbage.boris", "-o", "out"], "gzip"),
    (["import-boris", "boris-old.boris", "-o", "out"], "format version"),
    (["import-boris", "boris-bad-events.boris", "-o", "out"], "events"),
    (["import-boris", "boris-latin1.boris", "-o", "out"], "not UTF-8"),
    (["import-boris", "not-boris.boris", "-o", "nonempty-dir"], "not empty"),
    (["import-boris", "not-boris.boris", "-o", "notes.txt"], "not a folder"),
    (["import-boris", "not-boris.boris", "-o", "no/such/parent/out"], "parent folder"),
    # --- reliability, consensus ------------------------------------------------------
    (["reliability", "no-such-study"], "does not exist"),
    (["consensus", "missing.json", "a.json", "--by", "sup"], "no such file"),
    # --- replay (refused before any screen) ----------------------------------------
    (["replay", "missing.json"], "no such file"),
    (["replay", "notjson.json"], "invalid JSON"),
    (["replay", "unknown-code.json"], "no-such-code"),
    (["replay", "repeated-field.json"], "events[0].start: duplicate field"),
    (["replay", "a.json", "--speed", "0"], "--speed"),
    (["replay", "a.json", "--speed", "1e6"], "--speed"),
    (["replay", "a.json", "--speed", "nan"], "--speed"),
    (["replay", "a.json", "--tolerance", "-2"], "--tolerance"),
    (["replay", "a.json", "--compare", "missing.json"], "no such file"),
    (["replay", "a.json", "--compare", "folder.json"], "is a folder"),
    # --- verify ---------------------------------------------------------------------
    (["verify", "missing.json"], "no such file"),
    (["verify", "notjson.json"], "invalid JSON"),
    (["verify", "a.json", "--format", "xml"], "'xml' is not one of"),
    # --- serve (refused before listening) ---------------------------------------------
    (["serve", "--port", "70000"], "--port"),
    (["serve", "--codebook", "cb-dup-key.json"], "cb-dup-key.json"),
    (["serve", "--codebook", "missing.json"], "--codebook"),
    # --- consensus and reliability -------------------------------------------------
    (["consensus", "missing.json", "a.json", "--by", "x"], "no such file"),
    (["reliability", "missing-dir"], "missing-dir"),
    # --- keys and --identity ---------------------------------------------------------
    (["keys", "new", "--identity", "a.json"], "already exists"),
    (["keys", "protect", "missing-dir", "--recipient", "a.json"], "no such folder"),
    (["stats", "--identity", "missing.key", "a.json"], "missing.key: no such file"),
    (["stats", "--identity", "shared.key", "a.json"], "can be read by others"),
    # --- certify and progress ----------------------------------------------------------
    (["certify", "x", "--reference", "missing-dir", "--by", "s"], "missing-dir"),
    (["certify", "a b", "--reference", ".", "--by", "s"], "CODER"),
    (["certify", "x", "--reference", ".", "--by", "s", "--threshold", "2"], "--threshold"),
    (["progress", "missing-dir", "--dyad", "D1"], "missing-dir"),
    (["progress", ".", "--dyad", "D1", "--format", "xml"], "'xml' is not one of"),
]


def test_the_corpus_is_big_and_covers_every_command() -> None:
    from observer.cli import COMMANDS

    assert len(CASES) >= 60
    covered = {argv[0] for argv, _ in CASES}
    assert set(COMMANDS) <= covered, set(COMMANDS) - covered


@pytest.mark.parametrize(("argv", "names"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    argv: list[str], names: str, place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = listing(place)
    code, out, err = run(argv, capsys)
    lines = err.splitlines()
    assert code == 2, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert names in lines[0], err
    if lines[0].startswith("observer"):
        assert len(lines) == 1, err  # usage: one line
    else:  # problems in files: FILE: [LOCATION: ]MESSAGE, one a line, no continuation lines
        assert all(": " in line and not line[0].isspace() for line in lines), err
    assert out == "", out
    assert listing(place) == before


def _subprocess(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OBSERVER_SESSION_DIR"}
    env["XDG_STATE_HOME"] = str(cwd / "state")
    return subprocess.run(
        [sys.executable, "-m", "observer", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["stats", "latin1.json"], "not UTF-8"),
        (["agree", "a.json", "b.json", "--unit", "nan"], "--unit"),
        (["import-boris", "gz-garbage.boris", "-o", "out"], "gzip"),
        (["code", "--codebook", "cb-dup-key.json", "--dyad", "D1", "--observer", "o"], "duplicate"),
        # Accepted once, this started the replay screen with a NaN tolerance.
        (["replay", "a.json", "--tolerance", "nan"], "--tolerance"),
    ],
)
def test_in_a_real_process(argv: list[str], names: str, place: Path) -> None:
    before = listing(place)
    done = _subprocess(argv, place)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and names in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert listing(place) == before


def test_a_gzipped_session_is_refused_cleanly(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (place / "session.json.gz").write_bytes(gzip.compress(session_to_bytes(SESSION_A)))
    before = listing(place)
    code, _, err = run(["stats", "session.json.gz"], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert listing(place) == before
