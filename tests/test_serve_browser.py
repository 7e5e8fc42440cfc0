"""``observer serve`` in a real headless Chromium (selenium): a whole session coded in a
page, a page closed mid-session and its session recovered from the next page, a
replay opened from the landing page. The screen is a canvas, so the tests follow
what reaches the disk: the journal's actions, then the session file."""

from __future__ import annotations

import stat
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from support.browser import console_errors, headless_chromium
from support.serve import actions, served, wait_for

from observer.codebook import load_codebook
from observer.live.folder import scan_folder
from observer.sessionfile import load_session, write_session
from observer.synthetic import make_session

pytestmark = pytest.mark.browser


def keys(driver: Any, *sequence: str, gap: float = 0.15) -> None:
    """Type into the page's terminal; ``^x`` is ctrl+x."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    named = {"enter": Keys.ENTER, "esc": Keys.ESCAPE, "tab": Keys.TAB, "f1": Keys.F1}
    for key in sequence:
        chain = ActionChains(driver)
        if key.startswith("^"):
            chain.key_down(Keys.CONTROL).send_keys(key[1:]).key_up(Keys.CONTROL)
        else:
            chain.send_keys(named.get(key, key))
        chain.perform()
        time.sleep(gap)


def landing(driver: Any, url: str) -> str:
    """The landing page's HTML, once the browser has it (a get can return early)."""

    def loaded() -> str:
        source = str(driver.page_source)
        if "Start coding" not in source:
            driver.get(url)
            return ""
        return source

    driver.get(url)
    return str(wait_for(loaded, why="the landing page"))


def open_coding_page(driver: Any, url: str, dyad: str) -> None:
    from selenium.webdriver.common.by import By

    landing(driver, url)
    driver.find_element(By.ID, "dyad").send_keys(dyad)
    driver.find_element(By.ID, "observer").send_keys("obs1")
    driver.find_element(By.ID, "start").click()


def start_coding(driver: Any, url: str, folder: Path, dyad: str = "D01") -> None:
    from selenium.webdriver.common.by import By

    before = set(folder.glob("*.journal.jsonl")) if folder.is_dir() else set()
    open_coding_page(driver, url, dyad)
    wait_for(lambda: set(folder.glob("*.journal.jsonl")) - before, why="the session's journal")
    driver.find_element(By.ID, "terminal").click()  # the terminal has the keyboard
    time.sleep(0.5)


def kinds(folder: Path) -> list[str]:
    return [a["a"] for a in actions(folder)]


def test_a_session_coded_in_a_page_is_the_session_file(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    with served(folder) as srv, headless_chromium() as driver:
        start_coding(driver, srv.url, folder)
        keys(driver, " ")
        wait_for(lambda: kinds(folder) == ["clock"], why="the clock started")
        keys(driver, "w", "1", "k", "^z", "j")  # warm touch (low), own play undone, approach
        wait_for(lambda: len(kinds(folder)) == 6, why="five more actions")
        keys(driver, "^n")
        time.sleep(0.5)
        keys(driver, "h", "e", "l", "l", "o", "enter", gap=0.05)
        wait_for(lambda: "note" in kinds(folder), why="the note")
        keys(driver, "^e")
        time.sleep(1.5)  # the confirmation
        keys(driver, "enter")
        wait_for(lambda: "end" in kinds(folder), why="the end")
        time.sleep(2.0)  # the ratings form
        keys(driver, "4", "^s")
        [path] = wait_for(lambda: list(folder.glob("*.json")), why="the session file")
        time.sleep(1.5)  # the summary
        keys(driver, "enter")
        wait_for(lambda: not list(folder.glob("*.journal.jsonl")), why="the journal removed")
        assert console_errors(driver) == []
    session = load_session(path)
    assert session.via == "browser"
    assert (session.dyad, session.observer) == ("D01", "obs1")
    assert [(e.code, e.modifiers) for e in session.events] == [
        ("cg-warm-touch", {"intensity": "low"}),
        ("ch-approach", {}),
    ]
    assert [n.text for n in session.notes] == ["hello"]
    assert 4 in session.ratings.values()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # The key log of the page's keys, stamped on arrival, was kept until the end.
    log = srv.log()
    assert "page opened" in log and "saved " in log


def test_a_closed_page_leaves_a_journal_the_next_page_recovers(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    folder = tmp_path / "sessions"
    with served(folder) as srv:
        with headless_chromium() as first:
            start_coding(first, srv.url, folder)
            keys(first, " ", "w", "1", "k")
            wait_for(lambda: len(kinds(folder)) == 4, why="four actions on disk")
            [journal] = folder.glob("*.journal.jsonl")
            # A second page meanwhile: the running session is shown as running, and a
            # session started there gets a journal of its own.
            with headless_chromium() as second:
                assert "being coded now" in landing(second, srv.url)
                start_coding(second, srv.url, folder, dyad="D02")
                assert len(list(folder.glob("*.journal.jsonl"))) == 2
        # Both pages are gone (the browsers quit): each child ends. The first leaves its
        # journal; the second, whose clock never started, leaves nothing.
        wait_for(lambda: "the session was not finished" in srv.log(), why="the first ended")
        wait_for(lambda: list(folder.glob("*.journal.jsonl")) == [journal], why="the second ended")
        entries = {e.path: e for e in scan_folder(folder)}
        assert entries[journal].status == "unfinished" and entries[journal].events == 2
        with headless_chromium() as again:
            page = landing(again, srv.url)
            assert journal.name.removesuffix(".journal.jsonl") in page
            assert "Start coding offers to recover it" in page
            open_coding_page(again, srv.url, "D03")
            wait_for(lambda: srv.log().count("page opened") == 3, why="the third page")
            time.sleep(2.0)  # the recovery offer, before any new journal
            again.find_element(By.ID, "terminal").click()
            keys(again, "enter")  # recover them
            wait_for(lambda: list(folder.glob("*.json")), why="the recovered session file")
    [recovered] = [
        load_session(p)
        for p in folder.glob("*.json")
        if p.stem == journal.stem.removesuffix(".journal")
    ]
    assert recovered.status == "recovered" and recovered.via == "browser"
    assert [(e.code, e.modifiers) for e in recovered.events] == [
        ("cg-warm-touch", {"intensity": "low"}),
        ("ch-own-play", {}),
    ]


def test_a_supervisor_replays_and_reviews_from_the_landing_page(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    path = write_session(folder, make_session(load_codebook("cpp-attachment"), 40))
    config = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    with served(folder, env=config) as srv, headless_chromium() as driver:
        landing(driver, srv.url)
        driver.find_element(By.CSS_SELECTOR, "#sessions button").click()
        wait_for(lambda: "page opened" in srv.log(), why="the replay page")
        driver.find_element(By.ID, "terminal").click()
        time.sleep(2.0)  # the session loaded, the first frame drawn
        keys(driver, "a")
        time.sleep(1.0)  # your reviewer id?
        keys(driver, *"sup1", "enter", gap=0.05)
        time.sleep(1.0)  # the comment's text
        keys(driver, *"seen in a browser", "enter", gap=0.05)
        reviews = wait_for(lambda: load_session(path).reviews, why="the review on disk")
        keys(driver, "q")
        wait_for(
            lambda: (
                "-closed" in (driver.find_element(By.TAG_NAME, "body").get_attribute("class") or "")
            ),
            why="the replay ended and the page says so",
        )
        assert console_errors(driver) == []
    [review] = reviews
    assert (review.reviewer, review.text) == ("sup1", "seen in a browser")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_terminal_has_the_keyboard_on_load_and_the_end_page_says_what_was_saved(
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By

    folder = tmp_path / "sessions"
    with served(folder) as srv, headless_chromium() as driver:
        open_coding_page(driver, srv.url, "D05")
        wait_for(lambda: list(folder.glob("*.journal.jsonl")), why="the session's journal")
        focused = wait_for(
            lambda: driver.execute_script(
                "const a = document.activeElement;"
                " return a && a.classList.contains('xterm-helper-textarea')"
                " && a.closest('#terminal') !== null;"
            ),
            why="the terminal focused on load",
        )
        assert focused
        keys(driver, " ")  # no click first: the keys go to the terminal
        wait_for(lambda: kinds(folder) == ["clock"], why="the clock started")
        keys(driver, "k")
        wait_for(lambda: len(kinds(folder)) == 2, why="a code")
        keys(driver, "^e")
        time.sleep(1.5)  # the confirmation
        keys(driver, "enter")
        wait_for(lambda: "end" in kinds(folder), why="the end")
        time.sleep(2.0)  # the ratings form
        keys(driver, "^s")
        [path] = wait_for(lambda: list(folder.glob("*.json")), why="the session file")
        time.sleep(1.5)  # the summary
        keys(driver, "enter")
        banner = driver.find_element(By.CSS_SELECTOR, ".ended")
        shown = wait_for(
            lambda: banner.text if "saved" in banner.text else "", why="the saved line"
        )
        assert f"saved {path}" in shown and "(1 event" in shown
        link = banner.find_element(By.TAG_NAME, "a")
        assert link.get_attribute("href") == srv.base + "/"
        assert console_errors(driver) == []


TABLET = (1024, 768)
"""A tablet in landscape, in CSS pixels."""
INPUTMODE = (
    "return document.querySelector('#terminal .xterm-helper-textarea').getAttribute('inputmode')"
)
"""The terminal's input's inputmode: "none" keeps a soft keyboard closed."""
TOUCH_SESSION = ("space", "s", "w", "2", "k", "o", "s", "f2", "ctrl+z", "ctrl+y", "j", "space")
"""What both codings press: codes (states, a point and its modifier), segment, undo, redo."""
ENDING = (("ctrl+e", "ConfirmEnd"), ("enter", "RatingsForm"), ("ctrl+s", "Summary"), ("enter", ""))
"""Then the end: each key and the screen it opens (the summary's enter closes it)."""


async def targets_coded_by_keys(folder: Path, size: tuple[int, int]) -> tuple[list[Any], Path]:
    """The reference: the session coded by keys in the touch layout at the page's
    terminal ``size``, and for each key the cell of its target at that moment (where a
    finger taps it on the page)."""
    from support.pilot import attached, target_at, until

    from observer.tui.coding.app import CodingApp

    book = load_codebook("cpp-attachment")
    app = CodingApp(folder, book=book, dyad="D01", observer="obs1", touch=True)
    cells: list[Any] = []
    async with app.run_test(size=size) as pilot:
        await attached(pilot)
        for key, opens in (*((k, None) for k in TOUCH_SESSION), *ENDING):
            cells.append((key, target_at(app.screen, key)))
            await pilot.press(key)
            await pilot.pause()
            if opens:
                await until(pilot, partial(is_screen, app, opens), opens)
        path = app.result.path
    assert path is not None
    return cells, path


def is_screen(app: Any, name: str) -> bool:
    return type(app.screen).__name__ == name


def tap_cell(driver: Any, cell: tuple[int, int], held: float = 0.0) -> None:
    """A finger on the middle of the terminal's cell (0-based column, row), resting there
    ``held`` seconds, then lifted, through the DevTools protocol's touch events (the page
    gets touchstart, touchend)."""
    left, top, width, height, columns, rows = driver.execute_script(
        "const box = document.querySelector('#terminal .xterm-screen').getBoundingClientRect();"
        "const size = window.observerTerminal;"
        "return [box.left, box.top, box.width, box.height, size.width, size.height];"
    )
    x = left + (cell[0] + 0.5) * width / columns
    y = top + (cell[1] + 0.5) * height / rows
    driver.execute_cdp_cmd(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    if held:
        time.sleep(held)
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


async def test_a_session_coded_by_taps_on_a_touch_page_is_the_file_coded_by_keys(
    tmp_path: Path,
) -> None:
    from support.pilot import comparable

    folder = tmp_path / "sessions"
    with served(folder) as srv, headless_chromium(*TABLET) as driver:
        size = open_touch_page(driver, srv.url, folder)
        assert driver.execute_script(
            "return document.querySelector('meta[name=viewport]').content"
        ).startswith("width=device-width")
        # The terminal's input is focused without a soft keyboard (inputmode none).
        wait_for(lambda: driver.execute_script(INPUTMODE) == "none", why="no soft keyboard")
        cells, by_keys = await targets_coded_by_keys(
            tmp_path / "keys", (size["width"], size["height"])
        )
        assert size["height"] >= 30, "a tablet's page gives the grid its full size"
        for done, (_, cell) in enumerate(cells, 1):
            tap_cell(driver, cell)
            if done <= len(TOUCH_SESSION):
                time.sleep(0.3)  # beyond the held-key window: each tap is a press
            else:
                time.sleep(1.5)  # the next screen (the end dialog, the ratings, the summary)
        [path] = wait_for(lambda: list(folder.glob("*.json")), why="the session file")
        wait_for(lambda: not list(folder.glob("*.journal.jsonl")), why="the journal removed")
        assert console_errors(driver) == []
    assert comparable(by_keys)["events"], "the reference coded something"
    assert comparable(path) == comparable(by_keys)
    assert load_session(path).via == "browser"


async def cells_of(size: tuple[int, int], *keys: str) -> dict[str, tuple[int, int]]:
    """Where the targets of ``keys`` are in the touch layout at the terminal ``size``."""
    from support.pilot import attached, target_at

    from observer.tui.coding.app import CodingApp

    book = load_codebook("cpp-attachment")
    with tempfile.TemporaryDirectory() as folder:
        app = CodingApp(Path(folder), book=book, dyad="D01", observer="obs1", touch=True)
        async with app.run_test(size=size) as pilot:
            await attached(pilot)
            return {key: target_at(app.screen, key) for key in keys}


def open_touch_page(driver: Any, url: str, folder: Path) -> dict[str, int]:
    """The landing page's touch screen option on an emulated tablet; the page's
    terminal size once it has one."""
    from selenium.webdriver.common.by import By

    width, height = TABLET
    metrics = {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.execute_cdp_cmd(
        "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}
    )
    landing(driver, url)
    driver.find_element(By.ID, "dyad").send_keys("D01")
    driver.find_element(By.ID, "observer").send_keys("obs1")
    driver.find_element(By.ID, "touch").click()
    driver.find_element(By.ID, "start").click()
    wait_for(lambda: list(folder.glob("*.journal.jsonl")), why="the session's journal")
    size: dict[str, int] = wait_for(lambda: driver.execute_script("return window.observerTerminal"))
    return size


async def test_the_touch_page_holds_bursts_and_the_soft_keyboard_opens_only_for_a_note(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "sessions"
    burst = ("o", "u", "y", "w", "t", "r")  # points: each tap is an event
    with served(folder) as srv, headless_chromium(*TABLET) as driver:
        size = open_touch_page(driver, srv.url, folder)
        cells = await cells_of((size["width"], size["height"]), "space", "ctrl+n", "s", *burst)
        wait_for(lambda: driver.execute_script(INPUTMODE) == "none", why="no keyboard")
        tap_cell(driver, cells["space"])
        wait_for(lambda: kinds(folder) == ["clock"], why="the clock started by a tap")
        for key in burst:  # as fast as the protocol dispatches them
            tap_cell(driver, cells[key])
        wait_for(lambda: len(kinds(folder)) == 1 + len(burst), why="the burst coded")
        tap_cell(driver, cells["s"], held=1.0)  # a finger resting on a state: one press
        wait_for(lambda: len(kinds(folder)) == 2 + len(burst), why="the state started")
        assert driver.execute_script(INPUTMODE) == "none"  # coding: still no keyboard
        tap_cell(driver, cells["ctrl+n"])
        wait_for(lambda: driver.execute_script(INPUTMODE) == "text", why="the note's keyboard")
        keys(driver, "h", "i", "enter", gap=0.05)
        wait_for(lambda: "note" in kinds(folder), why="the note typed")
        wait_for(lambda: driver.execute_script(INPUTMODE) == "none", why="the keyboard closed")
        assert console_errors(driver) == []
    pressed = [a["key"] for a in actions(folder) if a["a"] == "key"]
    assert pressed == [*burst, "s"]  # in the order tapped; the held state pressed once
    notes = [a for a in actions(folder) if a["a"] == "note"]
    assert [n.get("text") for n in notes] == ["hi"]
