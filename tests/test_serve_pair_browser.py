"""Two coders, one live session, through ``observer serve``: two headless Chromium
pages, one starts a paired session and the other joins it. A space in one page starts
both clocks, keys are typed in both, the other page pauses; each coder ends their own
session. Both files share time 0 and the pauses, each holds only its own coder's keys,
and ``observer reliability`` lists exactly that pair. The screen is a canvas, so the
test follows what reaches the disk: each page's journal, then its session file."""

from __future__ import annotations

import json
import time
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from support.browser import console_errors, headless_chromium
from support.pairs import assert_one_pair
from support.serve import served, wait_for

from observer.sessionfile import Session, load_session

pytestmark = pytest.mark.browser

PAIR = "clinic-a"


def send(driver: Any, key: str) -> float:
    """Type one key into the page's terminal; the monotonic instant just before it was
    sent."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    named = {"enter": Keys.ENTER}
    chain = ActionChains(driver)
    if key.startswith("^"):
        chain.key_down(Keys.CONTROL).send_keys(key[1:]).key_up(Keys.CONTROL)
    else:
        chain.send_keys(named.get(key, key))
    before = time.monotonic()
    chain.perform()
    return before


def code(driver: Any, journal: Path, key: str) -> tuple[float, float]:
    """Type a code key and wait for its journal line: the instants between which the
    server must have stamped it (just before it was sent, once it was on disk)."""
    had = len(key_monos(journal))
    before = send(driver, key)
    wait_for(lambda: len(key_monos(journal)) == had + 1, why=f"the key {key!r} journaled")
    return before, time.monotonic()


def open_pair_page(driver: Any, url: str, observer: str, button: str) -> None:
    """The landing page's form: the pair's name, then "start a paired session" or "join"."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    wait_for(lambda: "Start a paired session" in driver.page_source, why="the landing page")
    driver.find_element(By.ID, "dyad").send_keys("D07")
    driver.find_element(By.ID, "observer").send_keys(observer)
    driver.find_element(By.ID, "pair").send_keys(PAIR)
    driver.find_element(By.ID, button).click()


def journal_of(folder: Path, observer: str) -> Path | None:
    for path in folder.glob("*.journal.jsonl"):
        with path.open("rb") as lines:
            if json.loads(lines.readline()).get("observer") == observer:
                return path
    return None


def actions(journal: Path) -> list[dict[str, Any]]:
    out = []
    for line in journal.read_text().splitlines()[1:]:
        try:
            out.append(json.loads(line))
        except ValueError:  # a line being written
            break
    return out


def kinds(journal: Path) -> list[str]:
    return [a["a"] for a in actions(journal)]


def clocks(journal: Path) -> list[float]:
    return [a["mono"] for a in actions(journal) if a["a"] == "clock"]


def journaled(journal: Path, kind: str) -> bool:
    return kind in kinds(journal)


def clocked(journal: Path, toggles: int) -> bool:
    return len(clocks(journal)) == toggles


def key_monos(journal: Path) -> list[float]:
    return [a["mono"] for a in actions(journal) if a["a"] == "key"]


def end_session(driver: Any, journal: Path, folder: Path) -> Session:
    before = set(folder.glob("*.json"))
    send(driver, "^e")
    time.sleep(1.5)  # the confirmation
    send(driver, "enter")
    wait_for(lambda: "end" in kinds(journal), why="the end")
    time.sleep(2.0)  # the ratings form
    send(driver, "^s")
    [path] = wait_for(lambda: list(set(folder.glob("*.json")) - before), why="the session file")
    time.sleep(1.5)  # the summary
    send(driver, "enter")
    return load_session(path)


def test_two_pages_code_one_live_session(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    with (
        served(folder) as srv,
        headless_chromium() as ref_page,
        headless_chromium() as trainee_page,
    ):
        open_pair_page(ref_page, srv.url, "ref", "pair-start")
        ref = wait_for(lambda: journal_of(folder, "ref"), why="the first page's journal")
        open_pair_page(trainee_page, srv.url, "trainee", "pair-join")
        trainee = wait_for(lambda: journal_of(folder, "trainee"), why="the second journal")
        # Once the partner's observer id is known each journals the pair.
        for journal in (ref, trainee):
            wait_for(partial(journaled, journal, "pair"), why="paired")
        assert not (folder / f".pair-{PAIR}.sock").stat().st_mode & 0o077
        send(ref_page, " ")  # one space starts both clocks
        for journal in (ref, trainee):
            wait_for(partial(clocked, journal, 1), why="both clocks started")
        sent = {"ref": [code(ref_page, ref, "t")], "trainee": [code(trainee_page, trainee, "d")]}
        send(trainee_page, " ")  # a pause from the other page
        for journal in (ref, trainee):
            wait_for(partial(clocked, journal, 2), why="both clocks paused")
        time.sleep(0.5)
        send(ref_page, " ")
        for journal in (ref, trainee):
            wait_for(partial(clocked, journal, 3), why="both clocks running again")
        sent["ref"].append(code(ref_page, ref, "t"))
        sent["trainee"].append(code(trainee_page, trainee, "o"))
        # Each key was stamped when the server received it, between its two instants.
        for journal, name in ((ref, "ref"), (trainee, "trainee")):
            for mono, (before, after) in zip(key_monos(journal), sent[name], strict=True):
                assert before <= mono <= after
        assert clocks(ref) == clocks(trainee)  # one clock: the same instants
        start, paused, resumed = clocks(ref)
        expected = {
            name: [m - start - (resumed - paused) * (m > resumed) for m in key_monos(j)]
            for name, j in (("ref", ref), ("trainee", trainee))
        }
        ref_session = end_session(ref_page, ref, folder)
        trainee_session = end_session(trainee_page, trainee, folder)
        assert console_errors(ref_page) == [] and console_errors(trainee_page) == []
    assert not list(folder.glob(".pair-*"))  # the socket is removed
    started = [datetime.fromisoformat(s.started_at) for s in (ref_session, trainee_session)]
    assert abs((started[0] - started[1]).total_seconds()) < 0.001
    assert ref_session.pauses == trainee_session.pauses and len(ref_session.pauses) == 1
    assert [e.code for e in ref_session.events] == ["cg-names-feeling"] * 2
    assert [e.code for e in trainee_session.events] == ["cg-ignores-bid", "ch-bids"]
    assert ref_session.via == trainee_session.via == "browser"
    for session, name in ((ref_session, "ref"), (trainee_session, "trainee")):
        got = [e.start for e in session.events]
        assert got == pytest.approx(expected[name], abs=0.001)  # the file's rounding
    assert_one_pair(folder, ref_session, trainee_session, PAIR)
