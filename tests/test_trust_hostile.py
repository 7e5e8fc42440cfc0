"""A hostile codebook and session set, derived from the models (support.hostile), through
every screen and every command: no crash, no markup read from data (no link, no
style, no click action), no control character on the screen.

Every string field of every record holds markup (and control characters where
validation lets it), every number its largest accepted value. A field added to the
models is filled by the same walk; a record no base document holds fails the first test.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.clirun import run
from support.hostile import MARKUP, hostile, records, screen_problems, screen_text, tripwire
from support.pilot import attached, tap, targets_on, until
from textual.pilot import Pilot

from observer.codebook import Codebook
from observer.sessionfile import Session, load_session
from observer.textsafe import has_control
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary
from observer.tui.coding.help import HelpScreen
from observer.tui.coding.screen import CodingScreen
from observer.tui.replay.app import ReplayApp

RESTRICTED = {
    # Names validation keeps to a pattern or a set (ids, keys, references, enums):
    # no markup can be written there. A new free-text field is not in this list, so
    # the first test makes it take markup.
    "Codebook": {"schema", "id", "version"},
    "Actor": {"id"},
    "Group": {"id"},
    "Code": {"id", "group", "actor", "kind", "key", "modifiers"},
    "Modifier": {"id"},
    "ModifierValue": {"id", "key"},
    "Rating": {"id", "actor", "scope", "kind", "segments", "alternative_to"},
    "AllocationPart": {"id"},
    "CompositeItem": {"rating"},
    "Sampling": {"codes", "rule"},
    "Scan": {"stream", "code"},
    "CategoryValue": {"id", "class_"},
    "Composite": {"id", "of", "rule"},
    "Segment": {"id"},
    "Criterion": {"id", "segment"},
    "CriterionRule": {"codes"},
    "Ratio": {"of", "to"},
    "Window": {"after", "responses", "otherwise", "broken_by"},
    "Session": {"schema", "id", "status", "via"},
    "Event": {"code", "flags"},
    "SegmentSpan": {"segment"},
    "Note": {"kind"},
    "Media": {"sha256_head_tail"},
    "Correction": {"action", "code"},
    "Review": {"kind"},
    "Provenance": {"source"},
    "ImportedFrom": {"sha256"},
    # A session's evaluated criteria must equal what its events give: their text is
    # the codebook's ids and observer's own words for a target, never the file's.
    "CriterionFigure": {"id", "segment"},
    "RuleFigure": {"target"},
}


def _text_fields(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    out = []
    for field in attrs.fields(cls):
        tp = hints[field.name]
        if str in (tp, *typing.get_args(tp)) or typing.get_args(tp) == (str, ...):
            out.append(field.name)
    return out


def test_every_record_is_reached_and_every_free_text_field_holds_markup() -> None:
    h = hostile()
    assert h.crashes == ()  # validation refuses a hostile value, never raises
    reached = set().union(*(w.reached for w in h.walks))
    assert records(Codebook) | records(Session) <= reached | {_codebook_ref()}
    paths = {path for w in h.walks for path, value in w.filled.items() if MARKUP in str(value)}
    for cls in reached:
        json_names = {f.name: f.metadata.get("json", f.name) for f in attrs.fields(cls)}
        for name in _text_fields(cls):
            if name in RESTRICTED.get(cls.__name__, ()):
                continue
            tail = f".{json_names[name]}"
            assert any(p.endswith(tail) or f"{tail}[" in p or f"{tail}." in p for p in paths), (
                f"{cls.__name__}.{name} never held markup"
            )
    numbers = [v for w in h.walks for v in w.filled.values() if isinstance(v, int | float)]
    assert max(numbers) >= 1e300  # the extremes reached (some fields are bounded lower)


def _codebook_ref() -> type:
    from observer.sessionfile import CodebookRef

    return CodebookRef  # the embedded codebook is the hostile one: walked as the codebook


def _clean(app: Any, parsed: list[str], where: str) -> None:
    problems = screen_problems(app)
    assert not problems, f"{where}: {problems[:5]}"
    assert not parsed, f"{where}: data read as markup: {parsed[:3]}"


async def _press(pilot: Pilot[Any], parsed: list[str], where: str, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()
    _clean(pilot.app, parsed, where)


@pytest.mark.parametrize("size", [(80, 24), (130, 40)], ids=["80x24", "130x40"])
async def test_coding_from_form_to_summary_with_the_hostile_codebook(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    h = hostile()
    with tripwire() as parsed:
        app = CodingApp(tmp_path, book=h.book, journals=[], config=tmp_path / "c.json")
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.screen.query("#dyad"), "the form")
            _clean(app, parsed, "form")
            await _press(pilot, parsed, "form typed", *"[/]", "tab", *"[b]", "ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding")
            await until(pilot, lambda: app.recorder is not None, "attached")
            await _press(pilot, parsed, "help", "f1")
            assert isinstance(app.screen, HelpScreen)
            assert "[/][/b][b]" in screen_text(app)  # shown as typed
            await _press(pilot, parsed, "help scrolled", "end")
            await _press(pilot, parsed, "help closed", "escape")
            await _press(pilot, parsed, "coding", "space", "[", "1", "n", "c")
            await _press(pilot, parsed, "modifiers", "t", "2", "h", "p")
            await _press(pilot, parsed, "segment choice", "ctrl+g")
            await _press(pilot, parsed, "segment", "1")
            await _press(pilot, parsed, "note", "ctrl+n", *"[/b]x[link=y]", "enter")
            await _press(pilot, parsed, "undo", "ctrl+z", "ctrl+y")
            await _press(pilot, parsed, "confirm", "ctrl+e")
            await _press(pilot, parsed, "ratings", "enter")
            await until(pilot, lambda: isinstance(app.screen, RatingsForm), "the ratings")
            await _press(pilot, parsed, "ratings typed", *"7", "tab")
            await _press(pilot, parsed, "saved", "ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
            _clean(app, parsed, "summary")
    assert app.crash is None and app.result.path is not None
    assert load_session(app.result.path).dyad == "[/]"


@pytest.mark.parametrize("size", [(80, 24), (106, 40)], ids=["80x24", "tablet-106x40"])
async def test_the_touch_layout_of_the_hostile_codebook_coded_by_taps(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    h = hostile()
    with tripwire() as parsed:
        app = CodingApp(tmp_path, book=h.book, dyad="[/]", observer="[b]x", journals=[], touch=True)
        async with app.run_test(size=size) as pilot:
            screen = await attached(pilot)
            _clean(app, parsed, "touch")
            await tap(pilot, "space")
            codes = [k for k in targets_on(screen) if len(k) == 1 or k in ("comma", "full_stop")]
            assert codes, "the codes are targets"
            for key in codes:  # every code's cell, and the modifier values it opens
                await tap(pilot, key)
                await pilot.pause(0.2)  # past the held-key window: a press, not a repeat
                _clean(app, parsed, f"tapped {key}")
            for key in ("ctrl+g", "escape", "f2", "ctrl+z", "ctrl+y", "ctrl+n"):
                await tap(pilot, key)
                await pilot.pause()
                _clean(app, parsed, f"tapped {key}")
            await _press(pilot, parsed, "note", *"[/b]x[link=y]", "enter")
            await tap(pilot, "ctrl+e")
            await until(pilot, lambda: isinstance(app.screen, ConfirmEnd), "the end dialog")
            _clean(app, parsed, "end dialog")
            await tap(pilot, "enter")
            await until(pilot, lambda: isinstance(app.screen, RatingsForm), "the ratings")
            _clean(app, parsed, "ratings")
            await tap(pilot, "ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
            _clean(app, parsed, "summary")
    assert app.crash is None and app.result.path is not None
    assert len(load_session(app.result.path).events) >= len(codes) // 2


async def _replay_everything(pilot: Pilot[Any], parsed: list[str]) -> None:
    app = pilot.app
    assert isinstance(app, ReplayApp)
    await until(pilot, lambda: app.replay.ready, "the session loaded")
    _clean(app, parsed, "replay")
    assert "[/][/b][b]" in screen_text(app)  # shown as typed
    for keys in (
        ["right"], ["right", "right"], ["end"], ["home"], ["n"], ["r"], ["R"], ["e"],
        ["d"], ["D"], ["shift+right"], ["plus"], ["minus"], ["space"], ["space"],
    ):  # fmt: skip
        await _press(pilot, parsed, f"replay {keys}", *keys)
    for panel in ("s", "v", "i"):
        await _press(pilot, parsed, f"panel {panel}", panel)
        await _press(pilot, parsed, f"panel {panel} closed", "escape")
    for dialog, closing in (
        ("f", "escape"), ("g", "escape"), ("c", "escape"), ("question_mark", "escape"),
        ("a", "escape"), ("m", "escape"), ("x", "escape"),
    ):  # fmt: skip
        await _press(pilot, parsed, f"dialog {dialog}", dialog)
        await _press(pilot, parsed, f"dialog {dialog} closed", closing)
    await _press(pilot, parsed, "a comment", "a", *"[/]x", "enter")
    await _press(pilot, parsed, "the reviews", "v", "down", "enter")
    await _press(pilot, parsed, "closed", "escape", "escape")


@pytest.mark.parametrize("size", [(80, 24), (130, 40)], ids=["80x24", "130x40"])
@pytest.mark.parametrize("which", ["A", "B", "C"])
async def test_replay_of_a_hostile_session_every_panel_and_dialog(
    tmp_path: Path, size: tuple[int, int], which: str
) -> None:
    files = dict(zip("ABC", hostile().files(tmp_path / "s"), strict=True))
    (tmp_path / "config.json").write_text('{"reviewer": "sup1"}')
    path = files[which]
    with tripwire() as parsed:
        app = ReplayApp(path, load_session(path), config=tmp_path / "config.json")
        async with app.run_test(size=size) as pilot:
            await _replay_everything(pilot, parsed)
    assert app.crash is None


@pytest.mark.parametrize("size", [(80, 24), (130, 40)], ids=["80x24", "130x40"])
async def test_compare_two_hostile_sessions_every_panel_and_dialog(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    a, b, _ = hostile().files(tmp_path / "s")
    (tmp_path / "config.json").write_text('{"reviewer": "sup1"}')
    with tripwire() as parsed:
        app = ReplayApp(
            a, data=a.read_bytes(), other_path=b, other_data=b.read_bytes(),
            config=tmp_path / "config.json",
        )  # fmt: skip
        async with app.run_test(size=size) as pilot:
            await _replay_everything(pilot, parsed)
    assert app.crash is None


async def test_consensus_of_two_hostile_sessions(tmp_path: Path) -> None:
    from observer.study.consensus import DecisionJournal, align_items, file_sha256
    from observer.tui.consensus.app import ConsensusApp

    pa, pb, _ = hostile().files(tmp_path / "s")
    a, b = load_session(pa), load_session(pb)
    journal = DecisionJournal(tmp_path / "s" / "j.consensus.jsonl", {"tolerance": 2.0})
    with tripwire() as parsed:
        app = ConsensusApp(a, b, align_items(a, b, 2.0), decided=[], journal=journal,
                           folder=pa.parent, decided_by="[/]sup", tolerance=2.0,
                           sha256=(file_sha256(pa), file_sha256(pb)))  # fmt: skip
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            _clean(app, parsed, "consensus")
            for keys in (["a"], ["right"], ["b"], ["left"], ["e"], ["escape"], ["t"], ["n"]):
                await _press(pilot, parsed, f"consensus {keys}", *keys)
            await _press(pilot, parsed, "written", "ctrl+s")
    assert app.return_value is None or app.return_value.exists()


def _commands(folder: Path, a: Path, b: Path, c: Path) -> dict[str, list[str]]:
    book = folder / "book.json"
    book.write_text(json.dumps(hostile().book.document))
    out = str(folder / "out")
    return {
        "codebook check": ["codebook", "check", str(book)],
        "codebook show": ["codebook", "show", str(book)],
        "codebook show json": ["codebook", "show", str(book), "--format", "json"],
        "sessions": ["sessions", "--session-dir", str(a.parent)],
        "stats": ["stats", str(a), str(b), str(c)],
        "stats json": ["stats", str(a), "--format", "json"],
        "stats corrected": ["stats", str(a), "--corrected"],
        "agree": ["agree", str(a), str(b)],
        "agree all": ["agree", str(a), str(b), "--method", "all"],
        "agree ratings": ["agree", "--ratings", str(a), str(b)],
        "agree json": ["agree", str(a), str(b), "--format", "json"],
        "export csv": ["export", str(a), "--format", "csv", "-o", out + "1"],
        "export sdis": ["export", str(a), "--format", "sdis", "-o", out + "2"],
        "export eaf": ["export", str(a), "--format", "eaf", "-o", out + "3"],
        "export ratings": ["export", str(a), "--format", "ratings-csv", "-o", out + "4"],
        "export session": ["export", str(a), str(b), "--format", "session", "-o", out + "6"],
        "export deidentified": [
            *("export", str(a), str(b), str(c), "--format", "session", "-o", out + "7"),
            *("--deidentify", "--linkage", str(folder / "linkage.csv")),
        ],
        "export sav": ["export", str(a), str(b), "--format", "sav", "-o", out + "16"],
        "export dta": ["export", str(a), str(b), "--format", "dta", "-o", out + "17"],
        "export ratings-sav": ["export", str(a), "--format", "ratings-sav", "-o", out + "8"],
        "export ratings-dta": ["export", str(a), "--format", "ratings-dta", "-o", out + "9"],
        "export parquet": ["export", str(a), "--format", "parquet", "-o", out + "10"],
        "export parquet tree": [
            *f"export {a} --format parquet -o {out}11".split(),
            "--partition",
            "site",
        ],
        "stats wide": ["stats", str(a), str(b), "--wide", "--format", "tsv", "-o", out + "13"],
        "stats wide sav": ["stats", str(a), "--wide", "--format", "sav", "-o", out + "12"],
        "export nwb": ["export", str(a), str(b), str(c), "--format", "nwb", "-o", out + "18"],
        "export bids": ["export", str(a), str(b), "--format", "bids-events", "-o", out + "19"],
        "seq": ["seq", str(a), str(b)],
        "intervals": ["intervals", str(a), "--interval", "5", "--rule", "partial"],
        "reliability": ["reliability", str(a.parent)],
        "reliability assign": ["reliability", "assign", str(a.parent), "--fraction", "0.5"],
        "import": ["import", out + "1", "--from", "csv", "--codebook", str(book), "-o", out + "5"],
    }


@pytest.mark.parametrize(
    "name",
    [
        "codebook check", "codebook show", "codebook show json", "sessions", "stats",
        "stats json", "stats corrected", "agree", "agree all", "agree ratings", "agree json",
        "export csv", "export sdis", "export eaf", "export ratings", "export session",
        "export deidentified", "export sav", "export dta",
        "export ratings-sav", "export ratings-dta", "export parquet", "export parquet tree",
        "stats wide", "stats wide sav", "export nwb", "export bids", "seq", "intervals",
        "reliability", "reliability assign", "import",
    ],
)  # fmt: skip
def test_every_command_on_the_hostile_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    a, b, c = hostile().files(tmp_path / "s")
    commands = _commands(tmp_path, a, b, c)
    if name == "import":  # observer's own export, read back
        assert run(commands["export csv"], capsys)[0] == 0
    argv = commands[name]
    code, out, err = run(argv, capsys)
    assert code in (0, 2), (code, err[-2000:])
    assert "internal error" not in err and "Traceback" not in err, err[-2000:]
    if code == 2:
        lines = err.strip().splitlines()
        assert all(not has_control(line) for line in lines), lines[:3]
    if not name.endswith("json"):  # JSON is machine output, escaped only for a terminal
        assert not has_control(out.replace("\n", "").replace("\t", "")), out[:500]


async def test_the_recovery_offer_of_a_hostile_journal(tmp_path: Path) -> None:
    from observer.live.journal import JournalWriter, make_header
    from observer.live.recorder import Recorder, SessionMeta
    from observer.tui.coding.recover import RecoverOffer

    h = hostile()
    dyad, observer = h.sessions[0]["dyad"], h.sessions[0]["observer"]
    header = make_header("20260101T000000Z-D9-o9", h.book, dyad, observer)
    writer = JournalWriter.create(tmp_path, header)
    old = Recorder(h.book, SessionMeta("20260101T000000Z-D9-o9", dyad, observer), writer.append)
    old.toggle_clock(50.0)
    old.key("n", 52.0)
    assert writer.close()
    with tripwire() as parsed:
        app = CodingApp(tmp_path, book=h.book, dyad="D1", observer="o1")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, RecoverOffer), "the offer")
            _clean(app, parsed, "offer")
            await _press(pilot, parsed, "recovered", "enter")
            await _press(pilot, parsed, "coding", "enter")
            await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding")
            _clean(app, parsed, "coding after recovery")
    assert app.crash is None


def test_the_browser_pages_show_the_hostile_set_as_text(tmp_path: Path) -> None:
    """observer serve's pages (the landing page with its codebooks, unfinished and
    finished sessions, problems and the form typed back; a message; a terminal page):
    every text of the hostile codebook and sessions is escaped HTML with no control
    character, and nothing typed becomes a tag."""
    from support.hostile import CONTROLS

    from observer.live.folder import scan_folder
    from observer.serve.launches import offers
    from observer.serve.pages import escape, landing, message, terminal

    h = hostile()
    folder = tmp_path / "s"
    h.files(folder)
    book = tmp_path / "hostile-book.json"
    book.write_text(json.dumps(h.book.document))
    entries = scan_folder(folder)
    assert len(entries) == 3
    typed = MARKUP + CONTROLS + "<q7>"
    pages = [
        landing(offers((book,)), folder, entries, [typed], {"dyad": typed, "observer": typed}),
        message(typed, typed),
        terminal(typed, "/ws/x", "/ended"),
    ]
    for page in pages:
        assert not has_control(page.replace("\n", "")), page
        assert "<q7>" not in page and "&lt;q7&gt;" in page
    for entry in entries:  # each session is listed, its text as text
        assert escape(entry.dyad) in pages[0] and escape(entry.observer) in pages[0]


async def test_late_ratings_of_a_hostile_recovered_session(tmp_path: Path) -> None:
    """``observer recover --ratings``: the session chooser and the ratings form of a
    recovered session whose every text is hostile."""
    import copy

    from observer.live.late_ratings import unrated
    from observer.sessionfile import session_from_data, write_session
    from observer.tui.coding.rate import RateApp, RateWhich

    raw = copy.deepcopy(hostile().sessions[0])
    raw["status"], raw["ratings"] = "recovered", {}
    for review in raw["reviews"]:
        review.pop("link", None)
    raw.pop("trail", None)
    folder = tmp_path / "s"
    folder.mkdir()
    write_session(folder, session_from_data(raw, "hostile.json"))
    found, problems = unrated(folder)
    assert len(found) == 1 and problems == []
    with tripwire() as parsed:
        app = RateApp(found)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, RateWhich), "the chooser")
            _clean(app, parsed, "late ratings: the chooser")
            await _press(pilot, parsed, "late ratings: the form", "enter")
            await until(pilot, lambda: isinstance(app.screen, RatingsForm), "the form")
            for key in ("5", "tab", "tab", "escape"):
                await _press(pilot, parsed, f"late ratings: {key}", key)
