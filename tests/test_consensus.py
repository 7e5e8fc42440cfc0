"""``observer consensus``: two codings become a third, decision by decision, with
provenance; journaled so that quitting or a crash loses no decision."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from pathlib import Path

import attrs
import pytest
from support.clirun import run
from textual.widgets import Input

from observer.codebook import load_codebook
from observer.sessionfile import Event, load_session, write_session
from observer.study.consensus import (
    Choice,
    Decision,
    DecisionJournal,
    align_items,
    build,
    file_sha256,
    read_journal,
    to_decide,
)
from observer.synthetic import make_session
from observer.tui.consensus.app import ConsensusApp

BOOK = load_codebook("cpp-attachment")


def pair(tmp_path: Path) -> tuple[Path, Path]:
    """A and B of one session: one agreement, one disagreement, one omission, one commission."""
    base = make_session(BOOK, 1, seed=1, dyad="D9", observer="obs1")
    events_a = (
        Event("cg-warm-touch", 1.0, None, {"intensity": "high"}),  # agreement (same code)
        Event("ch-bids", 5.0, None),  # disagreement: B has another code of the stream
        Event("ch-approach", 10.0, 14.0),  # omission: B has nothing near
    )
    events_b = (
        Event("cg-warm-touch", 1.2, None, {"intensity": "low"}),
        Event("ch-distress", 5.3, None, {"intensity": "low"}),
        Event("ch-positive", 20.0, None, {"intensity": "high"}),  # commission
    )
    a = attrs.evolve(base, events=events_a, duration=30.0, id="20260101T100000Z-D9-obs1")
    b = attrs.evolve(
        base, events=events_b, duration=30.0, observer="obs2", id="20260101T100000Z-D9-obs2"
    )
    folder = tmp_path / "s"
    folder.mkdir()
    return write_session(folder, a), write_session(folder, b)


def test_alignment_items_and_build_with_provenance(tmp_path: Path) -> None:
    pa, pb = pair(tmp_path)
    a, b = load_session(pa), load_session(pb)
    items = align_items(a, b, 2.0)
    assert sorted(i.kind for i in items) == ["agreement", "commission", "disagreement", "omission"]
    shown = to_decide(items, agreements=False)
    assert [i.kind for i in shown] == ["disagreement", "omission", "commission"]
    choices: dict[str, Choice] = {"disagreement": "both", "omission": "a", "commission": "neither"}
    decisions = [
        Decision(i.number, choices[i.kind], "sup", "2026-02-01T00:00:00+00:00") for i in shown
    ]
    out = build(a, b, items, decisions, decided_by="sup", now="NOW", session_id="C1",
                tolerance=2.0, sha256=("x", "y"))  # fmt: skip
    assert out.status == "consensus" and out.observer == "sup"
    assert [(e.code, e.start) for e in out.events] == [
        ("cg-warm-touch", 1.0), ("ch-bids", 5.0), ("ch-distress", 5.3), ("ch-approach", 10.0),
    ]  # fmt: skip
    assert out.consensus is not None
    assert [(p.source, p.auto) for p in out.consensus.events] == [
        ("a", True), ("a", False), ("b", False), ("a", False),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="not decided"):
        build(a, b, items, decisions[:1], decided_by="sup", now="NOW", session_id="C1",
              tolerance=2.0, sha256=("x", "y"))  # fmt: skip


def test_journal_survives_a_torn_line_and_undo(tmp_path: Path) -> None:
    path = tmp_path / "j.consensus.jsonl"
    journal = DecisionJournal(path, {"a_sha256": "x", "b_sha256": "y", "tolerance": 2.0})
    journal.decide(Decision(1, "a", "sup", "T1"))
    journal.decide(Decision(2, "edited", "sup", "T2", Event("ch-bids", 3.0, None)))
    journal.undo()
    journal.decide(Decision(2, "b", "sup", "T3"))
    journal.close()
    assert path.stat().st_mode & 0o777 == 0o600
    with path.open("ab") as handle:
        handle.write(b'{"item": 3, "cho')  # a crash mid-write
    header, decisions = read_journal(path)
    assert header["a_sha256"] == "x"
    assert [(d.item, d.choice) for d in decisions] == [(1, "a"), (2, "b")]


async def test_the_screen_decides_edits_writes_and_leaves_a_and_b_alone(tmp_path: Path) -> None:
    pa, pb = pair(tmp_path)
    before = pa.read_bytes(), pb.read_bytes()
    a, b = load_session(pa), load_session(pb)
    journal_path = tmp_path / "s" / "j.consensus.jsonl"
    journal = DecisionJournal(journal_path, {"a_sha256": "x", "b_sha256": "y", "tolerance": 2.0})
    app = ConsensusApp(a, b, align_items(a, b, 2.0), decided=[], journal=journal,
                       folder=pa.parent, decided_by="sup1", tolerance=2.0,
                       sha256=(file_sha256(pa), file_sha256(pb)))  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        item = str(app.query_one("#consensus-item").render())
        assert "item 1 of 3" in item and "disagreement" in item
        assert "Bids for attention" in str(app.query_one("#consensus-a").render())
        await pilot.press("e")  # the disagreement becomes an edited event
        await pilot.pause()
        field = app.screen.query_one(Input)
        field.value = "ch-positive 5.1"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("b")  # the omission: B has nothing, refused
        assert "B has no event here" in str(app.query_one("#consensus-prompt").render())
        await pilot.press("a", "ctrl+s")  # omission from A; the commission still open
        assert "not decided yet" in str(app.query_one("#consensus-prompt").render())
        await pilot.press("n", "ctrl+s")
        await pilot.pause()
    written = app.return_value
    assert written is not None and written.name == f"{a.id}-consensus.json"
    out = load_session(written)
    assert out.status == "consensus"
    assert [(e.code, e.start) for e in out.events] == [
        ("cg-warm-touch", 1.0), ("ch-positive", 5.1), ("ch-approach", 10.0),
    ]  # fmt: skip
    assert out.consensus is not None
    assert [p.source for p in out.consensus.events] == ["a", "edited", "a"]
    assert {p.decided_by for p in out.consensus.events} == {"sup1"}
    assert (pa.read_bytes(), pb.read_bytes()) == before
    assert not journal_path.exists()
    assert written.stat().st_mode & 0o777 == 0o600


async def test_the_command_resumes_after_quitting_and_agree_works_on_the_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pa, pb = pair(tmp_path)
    script = [["a"], ["a", "n", "ctrl+s"]]  # the first run decides one item and quits
    loop = asyncio.get_running_loop()

    async def drive(app: ConsensusApp) -> Path | None:
        async with app.run_test(size=(100, 30)) as pilot:
            keys = script.pop(0)
            await pilot.press(*keys)
            if keys[-1] != "ctrl+s":
                await pilot.press("q")
            await pilot.pause()
        return app.return_value

    def fake_run(self: ConsensusApp) -> Path | None:
        """The command runs in a thread of its own; its app, in this test's loop."""
        return asyncio.run_coroutine_threadsafe(drive(self), loop).result(timeout=60)

    def command(argv: list[str]) -> Awaitable[tuple[int, str, str]]:
        return asyncio.to_thread(run, argv, capsys)

    monkeypatch.setattr(ConsensusApp, "run", fake_run)
    code, out, err = await command(["consensus", str(pa), str(pb), "--by", "sup1"])
    assert code == 0 and "not finished" in err and out == ""
    code, out, err = await command(["consensus", str(pa), str(pb), "--by", "sup1"])
    assert code == 0 and "resuming: 1 decisions" in err, err
    written = Path(out.strip())
    session = load_session(written)
    assert session.status == "consensus" and len(session.events) == 3
    code, out, _ = run(
        ["agree", str(pa), str(written), "--method", "event", "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["methods"]["event"]["n"] >= 3


def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pa, pb = pair(tmp_path)
    code, _, err = run(["consensus", str(pa), str(pb), "--by", "../x"], capsys)
    assert code == 2 and "--by" in err
    code, _, err = run(["consensus", str(pa), str(tmp_path / "none.json"), "--by", "s"], capsys)
    assert code == 2 and "none.json" in err and "Traceback" not in err
