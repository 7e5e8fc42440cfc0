"""Response windows: after a command the child has ``within_s`` seconds; a response in
time is linked to the command (``responds_to``), a parent code of ``broken_by`` first
or no response leaves the command to ``otherwise``, which the screen offers and one key
adds (never unasked). Checked on the constructed sequences (command at 10.0 then
parent talk at 12.0: no opportunity; command at 20.0 then complies at 24.9: complies;
command at 30.0 and nothing for 5 s: prompted), in the recorder, on the screen, in the
session file and in ``observer stats``; and the codebook's bad windows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from support import minibook
from support.clirun import run
from support.codebook import problems_of
from support.pilot import Coding, ended, tap
from textual.pilot import Pilot

from observer.codebook import load_codebook
from observer.errors import InputError
from observer.live.keylog import LoggedKey, replay_keys
from observer.live.recorder import Recorder, SessionMeta
from observer.sessionfile import load_session, session_from_bytes, session_to_bytes
from observer.tui.coding.app import CodingApp
from observer.tui.coding.windowline import WindowLine, windows_table

DPICS = load_codebook("dpics-style")
T0 = 1000.0  # monotonic time of the first space: session time t is T0 + t


def recorder(lines: list[dict[str, Any]] | None = None) -> Recorder:
    sink = None if lines is None else lines.append
    return Recorder(DPICS, SessionMeta("D012-w1", "D012", "th1"), sink=sink)


def started(lines: list[dict[str, Any]] | None = None) -> Recorder:
    rec = recorder(lines)
    rec.toggle_clock(T0)
    return rec


def linked(rec: Recorder) -> list[tuple[str, float, str | None]]:
    """(code, start, the code of the command it answers) for every event."""
    events = rec.events
    return [
        (e.code, round(e.start, 6), None if e.responds_to is None else events[e.responds_to].code)
        for e in events
    ]


def test_parent_talk_inside_the_window_breaks_it_and_no_opportunity_is_offered() -> None:
    rec = started()
    rec.key("c", T0 + 10.0)
    assert rec.window_open(11.0) is not None
    rec.key("t", T0 + 12.0)  # neutral talk: the child had no chance
    assert rec.window_open(12.5) is None
    waiting = rec.window_waiting(12.5)
    assert waiting is not None and waiting.status == "broken" and waiting.closes == 12.0
    out = rec.answer_window(T0 + 12.6, take=True)
    assert out.ok and out.t == 12.0
    assert linked(rec)[-1] == ("ch-no-opportunity", 12.0, "pa-direct-command")
    assert rec.window_waiting(13.0) is None


def test_complies_inside_the_window_is_linked_to_the_command() -> None:
    rec = started()
    rec.key("c", T0 + 20.0)
    rec.key("y", T0 + 24.9)
    assert linked(rec) == [
        ("pa-direct-command", 20.0, None),
        ("ch-complies", 24.9, "pa-direct-command"),
    ]
    assert rec.window_waiting(30.0) is None  # answered: nothing waits


def test_no_response_for_five_seconds_prompts_and_nothing_is_added_unasked() -> None:
    rec = started()
    rec.key("c", T0 + 30.0)
    assert rec.window_waiting(34.9) is None  # still open
    waiting = rec.window_waiting(35.1)
    assert waiting is not None and waiting.status == "expired" and waiting.closes == 35.0
    assert len(rec.events) == 1  # never silently added
    rec.key("y", T0 + 36.0)  # too late: a complies of its own, not linked
    assert linked(rec)[-1] == ("ch-complies", 36.0, None)
    assert rec.answer_window(T0 + 36.5, take=True).t == 35.0
    assert linked(rec)[-1] == ("ch-no-opportunity", 35.0, "pa-direct-command")


def test_leaving_a_command_unanswered_is_journaled_and_undo_reopens_a_window() -> None:
    lines: list[dict[str, Any]] = []
    rec = started(lines)
    rec.key("c", T0 + 10.0)
    rec.key("y", T0 + 11.0)
    rec.undo(T0 + 11.5)  # the response undone: the window is open again
    assert rec.window_open(11.6) is not None
    assert rec.answer_window(T0 + 11.7, take=False).ok is False  # nothing waits yet
    assert rec.window_waiting(15.5) is not None
    assert rec.answer_window(T0 + 15.5, take=False).ok
    assert rec.window_waiting(16.0) is None
    assert [line["a"] for line in lines][-1] == "window"
    replayed = Recorder.replay(DPICS, rec.meta, lines)
    assert replayed.window_waiting(16.0) is None and linked(replayed) == linked(rec)


def test_a_new_command_breaks_the_last_one_and_each_is_offered_in_turn() -> None:
    rec = started()
    rec.key("c", T0 + 10.0)
    rec.key("i", T0 + 11.0)  # another command before the child answered
    open_ = rec.window_open(12.0)
    waiting = rec.window_waiting(12.0)
    assert open_ is not None and open_.command.code == "pa-indirect-command"
    assert waiting is not None and waiting.command.code == "pa-direct-command"
    rec.answer_window(T0 + 12.0, take=True)
    rec.key("x", T0 + 13.0)  # answers the open one
    assert linked(rec)[1:] == [
        ("pa-indirect-command", 11.0, None),
        ("ch-no-opportunity", 11.0, "pa-direct-command"),
        ("ch-noncomplies", 13.0, "pa-indirect-command"),
    ]


def test_the_key_log_replays_enter_and_escape_as_the_screen_does() -> None:
    live = started()
    for at, key in ((10.0, "c"), (12.0, "t"), (20.0, "c"), (30.0, "c")):
        live.key(key, T0 + at)
        if at == 20.0:
            live.answer_window(T0 + 13.0, take=True)
    live.answer_window(T0 + 36.0, take=False)
    keys = [
        ("c", 10.0, "c"),
        ("t", 12.0, "t"),
        ("enter", 13.0, None),
        ("c", 20.0, "c"),
        ("c", 30.0, "c"),
        ("escape", 36.0, None),
        ("enter", 37.0, None),  # nothing waits any more: nothing happens
    ]
    rec = started()
    replay_keys(rec, [LoggedKey(n, T0 + at, k, ch) for n, (k, at, ch) in enumerate(keys, 1)])
    assert linked(rec) == [
        ("pa-direct-command", 10.0, None),
        ("pa-neutral-talk", 12.0, None),
        ("ch-no-opportunity", 12.0, "pa-direct-command"),
        ("pa-direct-command", 20.0, None),
        ("pa-direct-command", 30.0, None),
    ]


def coded_session() -> Any:
    """The three sequences of the issue, answered as a coder would."""
    rec = started()
    rec.segment("child-led-play", T0 + 1.0)
    rec.key("c", T0 + 10.0)
    rec.key("t", T0 + 12.0)
    rec.answer_window(T0 + 12.5, take=True)
    rec.key("c", T0 + 20.0)
    rec.key("y", T0 + 24.9)
    rec.key("c", T0 + 30.0)
    rec.answer_window(T0 + 35.5, take=True)
    rec.key("i", T0 + 40.0)  # left unanswered
    rec.answer_window(T0 + 46.0, take=False)
    rec.end(T0 + 50.0)
    return rec.session()


def test_the_session_file_links_by_index_and_is_checked_on_load() -> None:
    session = coded_session()
    links = [(e.code, e.start, e.responds_to) for e in session.events if e.responds_to is not None]
    assert links == [
        ("ch-no-opportunity", 12.0, 0),
        ("ch-complies", 24.9, 3),
        ("ch-no-opportunity", 35.0, 5),
    ]
    data = json.loads(session_to_bytes(session))
    assert "responds_to" not in data["events"][0]  # absent where there is none
    assert session_from_bytes(session_to_bytes(session), "s.json").events == session.events
    for bad, message in (
        (7, "is not the index of an earlier event"),
        (1, "opens no response window"),
    ):
        data["events"][2]["responds_to"] = bad
        with pytest.raises(InputError) as caught:
            session_from_bytes(json.dumps(data).encode(), "s.json")
        assert [str(p) for p in caught.value.problems] == [
            f"s.json: events[2].responds_to: 7 {message}"
            if bad == 7
            else f"s.json: events[2].responds_to: events[1] ('pa-neutral-talk') {message}"
        ]


def test_stats_report_each_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(session_to_bytes(coded_session()))
    code, out, err = run(["stats", str(path), "--format", "json"], capsys)
    assert code == 0, err
    (direct, indirect) = json.loads(out)["sessions"][0]["windows"]
    assert direct == {
        "after": "pa-direct-command",
        "within_s": 5.0,
        "commands": 3,
        "responses": {"ch-complies": 1, "ch-noncomplies": 0},
        "otherwise": {"ch-no-opportunity": 2},
        "unanswered": 0,
        "share": {"ch-complies": 0.333333, "ch-noncomplies": 0.0},
    }
    assert indirect["commands"] == 1 and indirect["unanswered"] == 1
    table = run(["stats", str(path)], capsys)[1]
    assert "pa-direct-command (within 5 s): 3 commands; ch-complies 1 (0.333)" in table


async def play(
    pilot: Pilot[Any], now: list[float], screen: Any, keys: list[tuple[str, float]]
) -> None:
    for key, at in keys:
        now[0] = T0 + at
        character = key if len(key) == 1 else (" " if key == "space" else None)
        screen.press(key, T0 + at, character)
    await pilot.pause()


def window_line(screen: Any) -> str:
    widget = screen.query_one(WindowLine)
    return str(widget.render()) if widget.display else ""


@pytest.mark.parametrize(
    ("keys", "shown", "expected"),
    [
        (  # command at 10.0, parent talk at 12.0: no opportunity, offered then added
            [("c", 10.0), ("t", 12.0)],
            "broken: Direct command at 00:10.0",
            ("ch-no-opportunity", 12.0),
        ),
        (  # command at 20.0, complies at 24.9: linked, nothing offered
            [("c", 20.0), ("y", 24.9)],
            "",
            ("ch-complies", 24.9),
        ),
        (  # command at 30.0 and nothing for 5 s: offered
            [("c", 30.0), ("d", 35.5)],
            "no response: Direct command at 00:30.0",
            ("ch-no-opportunity", 35.0),
        ),
    ],
    ids=["broken", "complies", "no-response"],
)
async def test_the_screen_counts_down_offers_and_adds_with_one_key(
    tmp_path: Path,
    coding: Coding,
    keys: list[tuple[str, float]],
    shown: str,
    expected: tuple[str, float],
) -> None:
    now = [T0]
    app = CodingApp(tmp_path, book=DPICS, dyad="D012", observer="th1", now=lambda: now[0])
    async with coding(app, size=(100, 30)) as c:
        screen = c.screen
        await play(c.pilot, now, screen, [("space", 0.0)])
        command_at = keys[0][1]
        await play(c.pilot, now, screen, keys[:1])
        now[0] = T0 + command_at + 1.8
        screen.tick()
        assert "Direct command 3.2 s · y Complies · x Does not comply" in window_line(screen)
        await play(c.pilot, now, screen, keys[1:])
        screen.tick()
        line = window_line(screen)
        assert (shown in line) if shown else line == "", line
        if shown:
            assert "enter No opportunity to comply · esc leave it" in window_line(screen)
            await play(c.pilot, now, screen, [("enter", keys[-1][1] + 0.5)])
            assert window_line(screen) == ""
        await ended(c.pilot, now[0] + 1.0)
    (path,) = [p for p in tmp_path.rglob("*.json") if "journal" not in p.name]
    session = load_session(path)
    answer = next(e for e in session.events if e.responds_to is not None)
    assert (answer.code, answer.start) == expected
    assert answer.responds_to is not None
    assert session.events[answer.responds_to].code == "pa-direct-command"


def window_book(**window: Any) -> dict[str, Any]:
    base = {"after": "cg-praise", "within_s": 5, "responses": ["ch-cry"], "otherwise": None}
    return minibook.document(windows=[{**base, **window}])


@pytest.mark.parametrize(
    ("window", "problem"),
    [
        ({"after": "nope"}, "windows[0].after: unknown code 'nope'"),
        ({"within_s": 0}, "windows[0].within_s: must be more than 0 and at most 3600 s"),
        ({"within_s": 1e9}, "windows[0].within_s: must be more than 0 and at most 3600 s"),
        (
            {"responses": ["cg-touch"]},
            "windows[0].responses[0]: 'cg-touch' is a code of 'caregiver', who gives"
            " 'cg-praise': a response is the other actor's",
        ),
        ({"responses": []}, "windows[0].responses: must list at least one code"),
        ({"responses": ["ch-cry", "ch-cry"]}, "windows[0].responses[1]: 'ch-cry' is listed twice"),
        (
            {"otherwise": "ch-cry"},
            "windows[0].otherwise: 'ch-cry' is also a response (otherwise is what came instead)",
        ),
        (
            {"otherwise": "ch-avoid"},
            "windows[0].otherwise: 'ch-avoid' is a state code: otherwise is added at an instant",
        ),
        ({"broken_by": ["zz"]}, "windows[0].broken_by[0]: unknown code 'zz'"),
        (
            {"broken_by": ["ch-cry"]},
            "windows[0].broken_by[0]: 'ch-cry' answers the window: it cannot also break it",
        ),
    ],
)
def test_bad_windows_are_one_problem_each_with_its_path(
    window: dict[str, Any], problem: str
) -> None:
    assert problems_of(window_book(**window)) == [problem]


def test_a_code_opens_one_window_and_the_hash_of_a_book_without_windows_stays() -> None:
    doc = window_book()
    doc["windows"].append(dict(doc["windows"][0]))
    assert problems_of(doc) == ["windows[1].after: 'cg-praise' already opens windows[0]"]
    assert "windows" not in minibook.book().document


@pytest.mark.parametrize("touch", [False, True], ids=["keys", "touch"])
async def test_the_offer_is_a_target_a_tap_answers(
    tmp_path: Path, coding: Coding, touch: bool
) -> None:
    """Coding by touch (or with a mouse): the window line's enter and esc are targets."""
    now = [T0]
    app = CodingApp(
        tmp_path, book=DPICS, dyad="D012", observer="th1", now=lambda: now[0], touch=touch
    )
    async with coding(app, size=(100, 40)) as c:
        screen = c.screen
        await play(c.pilot, now, screen, [("space", 0.0), ("c", 10.0), ("t", 12.0)])
        screen.tick()
        await c.pilot.pause()
        await tap(c.pilot, "enter")
        await c.until(lambda: screen.recorder.window_waiting(12.5) is None, "the tap's answer")
        assert [e.code for e in screen.recorder.events][-1] == "ch-no-opportunity"
        await play(c.pilot, now, screen, [("c", 20.0), ("t", 21.0)])
        screen.tick()
        await c.pilot.pause()
        await tap(c.pilot, "escape")
        await c.until(lambda: screen.recorder.window_waiting(21.5) is None, "left unanswered")
        assert [e.code for e in screen.recorder.events][-1] == "pa-neutral-talk"


def test_the_wide_table_carries_each_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(session_to_bytes(coded_session()))
    code, out, err = run(["stats", str(path), "--wide", "--format", "csv"], capsys)
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert {k: row[k] for k in row if k.startswith("pa-direct-command_")} == {
        "pa-direct-command_count": "3",
        "pa-direct-command_rate": "3.6",
        "pa-direct-command_commands": "3",
        "pa-direct-command_ch-complies": "1",
        "pa-direct-command_ch-complies_share": "0.333333",
        "pa-direct-command_ch-noncomplies": "0",
        "pa-direct-command_ch-noncomplies_share": "0.0",
        "pa-direct-command_ch-no-opportunity": "2",
        "pa-direct-command_unanswered": "0",
    }
    assert row["pa-indirect-command_unanswered"] == "1"
    code, out, _ = run(["stats", str(path), "--wide", "--by", "segment", "--format", "csv"], capsys)
    whole, segment = list(csv.DictReader(io.StringIO(out)))
    assert (
        whole["pa-direct-command_commands"] == "3" and segment["pa-direct-command_commands"] == ""
    )


def test_codebook_diff_names_a_window_by_its_command() -> None:
    from observer.codebook import codebook_from_data
    from observer.codebook.diff import diff, render

    doc = json.loads(Path("codebooks/dpics-style.json").read_text("utf-8"))
    doc["version"] = "1.3.0"
    doc["windows"][0]["within_s"] = 4
    doc["windows"].pop()
    shown = render(diff(DPICS, codebook_from_data(doc, "b.json"))).splitlines()
    assert shown[-3:] == [
        "windows",
        "  - pa-indirect-command",
        "  ~ pa-direct-command.within_s: 5 -> 4",
    ]


async def test_the_summary_shows_each_window(tmp_path: Path, coding: Coding) -> None:
    now = [T0]
    app = CodingApp(tmp_path, book=DPICS, dyad="D012", observer="th1", now=lambda: now[0])
    async with coding(app, size=(110, 40)) as c:
        keys = [("space", 0.0), ("c", 10.0), ("t", 12.0), ("enter", 12.5), ("c", 20.0)]
        await play(c.pilot, now, c.screen, [*keys, ("y", 21.0), ("i", 30.0)])
        now[0] = T0 + 40.0
        await ended(c.pilot, T0 + 40.0)
        console = Console(width=200, file=io.StringIO(), color_system=None)
        console.print(windows_table(app.screen.session))  # type: ignore[attr-defined]
        shown = console.file.getvalue()  # type: ignore[attr-defined]
    lines = [" ".join(line.split()) for line in shown.splitlines()]
    assert lines == [
        "response window count share",
        "Direct command, within 5 s 2",
        "Complies 1 50%",
        "Does not comply 0 0%",
        "No opportunity to comply 1",
        "unanswered 0",
        "Indirect command, within 5 s 1",
        "Complies 0 0%",
        "Does not comply 0 0%",
        "No opportunity to comply 0",
        "unanswered 1",
    ]
