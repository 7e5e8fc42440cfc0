"""End to end in a real terminal (tmux): ``observer code`` from flags to session file.

Keys are sent with known gaps; the session file's times must reproduce those
gaps within 50 ms (what tmux and the terminal add is a few milliseconds; the
program stamps each key with its arrival time). Skips where tmux is missing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, observer_code_argv, save_ratings_and_exit

from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux

TOLERANCE_S = 0.05


def paste(term: Tmux, text: str) -> None:
    """A bracketed paste (tmux paste-buffer -p), as a terminal sends a pasted clipboard."""
    term._run("set-buffer", "-b", "e2e", text)
    term._run("paste-buffer", "-p", "-b", "e2e", "-t", term.name)


def start_code(term: Tmux, folder: Path, *flags: str) -> None:
    term.start(
        [
            sys.executable,
            "-m",
            "observer",
            "code",
            "--codebook",
            "cpp-attachment",
            "--dyad",
            "D012",
            "--observer",
            "obs1",
            "--session-dir",
            str(folder),
            *flags,
        ]
    )
    term.wait_for("press space")


def quit_and_save(term: Tmux) -> None:
    """ctrl+q, confirm, save the ratings blank: the app ends with status 0."""
    term.send_keys("C-q")
    term.wait_for("End the session")
    term.send_keys("Enter")
    term.wait_for("Ratings")
    term.send_keys("C-s")
    term.wait_dead()
    assert term.exit_status() == 0


def test_keys_with_known_gaps_become_the_session_file(tmp_path: Path) -> None:
    with Tmux(width=80, height=24) as term:
        start_code(term, tmp_path)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        # (tmux key, gap before it in seconds); w then 3 = warm touch, intensity high.
        plan = [("s", 0.0), ("w", 0.5), ("3", 0.2), ("k", 1.0), ("o", 0.3), ("j", 0.7)]
        sent: list[float] = []
        for key, gap in plan:
            time.sleep(gap)
            sent.append(time.monotonic())
            term.send_keys(key)
        term.wait_for("Approaches caregiver started")
        term.wait_for(r"saved 7\b", regex=True)  # space + 6 keys: all on disk
        term.send_keys("C-e")
        term.wait_for("End the session")
        term.send_keys("Enter")
        term.wait_for("Ratings")
        term.send_literal("4")
        save_ratings_and_exit(term)
    [path] = list(tmp_path.glob("*.json"))
    assert not list(tmp_path.glob("*.journal.jsonl"))
    session = load_session(path)
    assert session.stamper == "helper"  # a real terminal: the helper process stamped
    events = [(e.code, e.modifiers) for e in session.events]
    assert events == [
        ("cg-shares-play", {}),
        ("cg-warm-touch", {"intensity": "high"}),
        ("ch-own-play", {}),
        ("ch-bids", {}),
        ("ch-approach", {}),
    ]
    # The code keys' sends (the modifier key "3" makes no event of its own).
    code_sends = [t for (key, _), t in zip(plan, sent, strict=True) if key != "3"]
    starts = [e.start for e in session.events]
    for send, start in zip(code_sends, starts, strict=True):
        expected = send - code_sends[0]
        assert abs((start - starts[0]) - expected) <= TOLERANCE_S, (start - starts[0], expected)
    own_play = session.events[2]
    assert own_play.end == pytest.approx(session.events[4].start)  # exclusive: j stopped k
    assert session.events[0].end == pytest.approx(session.duration)  # stopped at the end
    assert session.ratings["cg-sensitivity"] == 4


def test_paste_in_a_real_terminal_is_refused(tmp_path: Path) -> None:
    with Tmux(width=80, height=24) as term:
        start_code(term, tmp_path)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        paste(term, "swkj")
        term.wait_for("pasted text ignored")
        quit_and_save(term)
    [path] = list(tmp_path.glob("*.json"))
    assert load_session(path).events == ()


@pytest.mark.parametrize(
    "env", [{"LANG": "C", "LC_ALL": ""}, {"TERM": "linux"}], ids=["LANG=C", "TERM=linux"]
)
def test_a_terminal_without_unicode_gets_ascii_only(tmp_path: Path, env: dict[str, str]) -> None:
    with Tmux(width=80, height=24) as term:
        term.start(observer_code_argv(tmp_path), env=env)
        term.wait_for("press space")
        term.send_keys("Space", "o", "F1")
        term.wait_for("SCREEN KEYS")
        shown = term.capture()
        assert "RUNNING" in shown and "Bids for attention" not in shown  # help over the log
        assert [c for c in shown if not c.isascii()] == []
        term.send_keys("Escape")
        term.wait_for("Bids for attention")
        assert [c for c in term.capture() if not c.isascii()] == []
        term.send_keys("C-q")
        term.wait_for("End the session")
        term.send_keys("Escape")
        term.wait_for("not ended: still coding")
        term.send_keys("C-c")
        term.wait_for("does not quit")
        quit_and_save(term)


@pytest.mark.parametrize("with_enter", [False, True], ids=["form-shown", "with-the-enter"])
def test_a_burst_on_the_ratings_form_fills_the_field_it_was_typed_for(
    tmp_path: Path, with_enter: bool
) -> None:
    """tab tab backspace 2 in one send-keys (one write to the terminal): the third
    rating is 2. It was saved null: the backspace ran after the 2, and keys typed with
    the enter that ended the session went to the dialog."""
    with Tmux(width=100, height=40) as term:
        start_code(term, tmp_path)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("C-e")
        term.wait_for("End the session")
        burst = ["Tab", "Tab", "BSpace", "2"]
        if with_enter:
            term.send_keys("Enter", *burst)
            term.wait_for("Ratings")
        else:
            term.send_keys("Enter")
            term.wait_for("Ratings")
            time.sleep(0.3)  # the form is drawn and has settled
            term.send_keys(*burst)
        term.wait_for(r"(?m)^\s*2\s+Caregiver intrusiveness\s+1–7\s*$", regex=True)  # field first
        save_ratings_and_exit(term)
    [path] = list(tmp_path.glob("*.json"))
    ratings = load_session(path).ratings
    assert ratings["cg-intrusiveness"] == 2
    assert ratings["cg-sensitivity"] is None


def test_at_80_columns_the_status_line_never_cuts_the_saved_count(tmp_path: Path) -> None:
    """Paused in a segment with a long observer id, 27 events: the parts that matter
    less give way, and the line still ends with the whole ``saved N``."""
    with Tmux(width=80, height=24) as term:
        term.start(observer_code_argv(tmp_path, observer="nc3-second-coder"))
        term.wait_for("press space")
        term.send_keys("Space", "C-g")
        term.wait_for("segment:")
        term.send_literal("3")  # Clean-up, 5:00 planned
        term.wait_for("Clean-up")
        for i in range(27):
            term.send_literal("tdo"[i % 3])
        term.wait_for("events 27")
        term.send_keys("Space")  # 30 actions: clock, segment, 27 codes, pause

        def status(screen: str) -> str:
            return screen.splitlines()[0].rstrip()

        screen = term.wait_until(lambda s: "PAUSED" in status(s), what="the pause")
        screen = term.wait_until(lambda s: status(s).endswith("saved 30"), what="saved 30")
        line = status(screen)
        assert "Clean-up" in line and "00:" in line and "events 27" in line, line
        quit_and_save(term)


def click_on(term: Tmux, label: str, legend: str = "CAREGIVER") -> None:
    """An SGR mouse press and release (``ESC [ < 0 ; x ; y M`` then ``m``), as a terminal
    sends a click, on the first cell of ``label`` in the legend (from its first line,
    ``legend``, on: the running states above may show the same label)."""
    screen = term.capture().splitlines()
    top = next(i for i, line in enumerate(screen) if legend in line)
    row = next(i for i, line in enumerate(screen) if i >= top and label in line)
    column = screen[row].index(label)
    x, y = column + 1, row + 1  # SGR counts from 1
    term.send_literal(f"\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m")


def test_sgr_clicks_on_a_codes_label_start_and_stop_a_state_and_record_a_point(
    tmp_path: Path,
) -> None:
    with Tmux(width=100, height=30) as term:
        start_code(term, tmp_path)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        click_on(term, "Shares the play")
        term.wait_for("Shares the play", regex=False)
        term.wait_until(lambda s: "✓ Shares the play" in s, what="the state started")
        time.sleep(0.3)  # beyond the held-key window: a second press, not a repeat
        click_on(term, "Warm touch")
        term.wait_until(lambda s: "Warm touch →" in s, what="the point's modifier choice")
        term.send_keys("Escape")
        time.sleep(0.3)
        click_on(term, "Shares the play")
        log = next(tmp_path.glob("*.keys.jsonl"))

        def clicks() -> list[str]:
            return [line for line in log.read_text().splitlines() if '"click":true' in line]

        term.wait_until(lambda _: len(clicks()) == 3, what="three clicks in the key log")
        term.wait_until(lambda s: "stop" in s.lower(), what="the state stopped")
        # A click is logged as the key it pressed, with the mouse report's own stamp.
        assert [('"char":"s"' in c, '"char":"w"' in c) for c in clicks()] == [
            (True, False),
            (False, True),
            (True, False),
        ]
        quit_and_save(term)
    (path,) = tmp_path.glob("*.json")
    session = load_session(path)
    shares, warm = session.events
    assert shares.code == "cg-shares-play" and shares.end is not None
    assert shares.end - shares.start > 0.5
    assert warm.code == "cg-warm-touch" and shares.start < warm.start < shares.end


def test_the_touch_layout_in_a_terminal_codes_by_clicks_alone(tmp_path: Path) -> None:
    with Tmux(width=106, height=40) as term:
        start_code(term, tmp_path, "--touch")
        click_on(term, "start", legend="start")  # the control row's ▶ start
        term.wait_for("RUNNING")
        click_on(term, "Keeps to own play", legend="CHILD")
        term.wait_until(lambda s: "● Keeps to own play" in s, what="the state highlighted")
        time.sleep(0.3)
        click_on(term, "Bids for attention", legend="CHILD")
        term.wait_until(lambda s: "events 2" in s, what="the point")
        click_on(term, "end", legend="undo")  # the control row's ■ end
        term.wait_for("End the session")
        click_on(term, "end the session", legend="End the session")
        term.wait_for("Ratings")
        term.send_keys("C-s")
        term.wait_for("Session saved")
        click_on(term, "closes", legend="Session saved")
        term.wait_dead()
        assert term.exit_status() == 0
    (path,) = tmp_path.glob("*.json")
    assert [e.code for e in load_session(path).events] == ["ch-own-play", "ch-bids"]
