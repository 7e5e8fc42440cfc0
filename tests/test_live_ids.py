"""Session ids without the date (``--ids random``, the folder's ids.txt, config.json's
"ids", random by default in an encrypted folder): the id's shape, uniqueness in the
folder, which setting wins, and a session coded with them in the app and in a real
terminal."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from support.clirun import run
from support.pilot import until
from support.tmuxdriver import Tmux, observer_code_argv, save_ratings_and_exit

from observer.codebook import load_codebook
from observer.errors import InputError
from observer.live import ids
from observer.live.ids import id_style, new_session_id, random_session_id
from observer.serve.launches import Offer, code_launch
from observer.sessionfile import load_session, valid_session_id
from observer.synthetic import make_session
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import RatingsForm

BOOK = load_codebook("cpp-attachment")
RANDOM_ID = re.compile(r"D012-obs1-[0-9a-z]{6}")
DATE_LIKE = re.compile(r"20\d{6}|\d{4}-\d{2}-\d{2}|T\d{6}Z")


def test_a_random_id_is_dyad_observer_and_six_base36_characters(tmp_path: Path) -> None:
    made = {random_session_id("D012", "obs1", tmp_path) for _ in range(200)}
    assert len(made) == 200
    for session_id in made:
        assert RANDOM_ID.fullmatch(session_id), session_id
        assert valid_session_id(session_id)
    # typed ids are made safe as in dated ids
    odd = random_session_id("../D 12", "obs/1", tmp_path)
    assert re.fullmatch(r"D-12-obs-1-[0-9a-z]{6}", odd), odd


def test_a_random_id_taken_in_the_folder_is_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = iter(["aaaaaa", "aaaaaa", "bbbbbb"])
    monkeypatch.setattr(ids, "random_part", lambda: next(draws))
    (tmp_path / "D012-obs1-aaaaaa.journal.jsonl").write_bytes(b"")
    assert random_session_id("D012", "obs1", tmp_path) == "D012-obs1-bbbbbb"
    (tmp_path / "d012-OBS1-cccccc.json").write_bytes(b"")  # taken ignoring case
    draws = iter(["cccccc", "dddddd"])
    assert random_session_id("D012", "obs1", tmp_path) == "D012-obs1-dddddd"


def test_a_session_with_a_random_id_is_written_and_read_as_any(tmp_path: Path) -> None:
    from observer.sessionfile import write_session

    session_id = new_session_id("D012", "obs1", tmp_path, style="random")
    session = make_session(BOOK, 20, session_id=session_id, seed=1)
    path = write_session(tmp_path, session)
    assert path.name == f"{session_id}.json"
    assert not DATE_LIKE.search(path.name)
    assert load_session(path).id == session_id


def test_which_setting_names_the_style(tmp_path: Path) -> None:
    folder, config = tmp_path / "s", tmp_path / "config.json"
    folder.mkdir()
    assert id_style(folder, config=config) == "dated"  # plain folder, no setting
    (folder / "recipients.txt").write_text("# encrypted\n")
    assert id_style(folder, config=config) == "random"  # encrypted folder
    config.write_bytes(orjson.dumps({"ids": "dated"}))
    assert id_style(folder, config=config) == "dated"  # the config over the default
    (folder / "ids.txt").write_text("# no dates in names in this study\nrandom\n")
    assert id_style(folder, config=config) == "random"  # the folder over the config
    assert id_style(folder, "dated", config=config) == "dated"  # the flag over all


@pytest.mark.parametrize(
    ("text", "message"),
    [("sometimes\n", "must be random or dated, not 'sometimes'"), ("\n# none\n", "one word")],
)
def test_a_bad_ids_file_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "ids.txt").write_text(text)
    with pytest.raises(InputError) as caught:
        id_style(tmp_path, config=tmp_path / "config.json")
    [problem] = caught.value.problems
    assert problem.file == str(tmp_path / "ids.txt") and message in problem.message


def test_observer_code_refuses_a_bad_setting_before_any_screen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ids.txt").write_text("undated\n")
    argv = ["code", "--dyad", "D1", "--observer", "o", "--session-dir", str(tmp_path)]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert err.strip() == f"{tmp_path / 'ids.txt'}: must be random or dated, not 'undated'"
    code, _, err = run([*argv, "--ids", "undated"], capsys)
    assert code == 2 and "--ids" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ids.txt"]


def test_serve_hands_the_style_to_the_coding_it_launches(tmp_path: Path) -> None:
    offer = Offer("cpp-attachment", "CPP", Path("book.json"))
    launch = code_launch({"codebook": "cpp-attachment", "dyad": "D1"}, tmp_path, [offer], "random")
    assert not isinstance(launch, list)
    assert launch.argv[-4:] == ("--ids", "random", "--dyad", "D1")


async def test_the_app_codes_a_session_under_a_random_id(tmp_path: Path) -> None:
    app = CodingApp(tmp_path, book=BOOK, dyad="D012", observer="obs1", journals=[], ids="random")
    before = datetime.now(UTC)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.recorder is not None)
        [journal] = tmp_path.glob("*.journal.jsonl")
        assert RANDOM_ID.fullmatch(journal.name.split(".")[0]), journal.name
        await pilot.press("space", "o")
        await until(pilot, lambda: app.saved.acked >= 2, "two actions on disk")
        await pilot.press("ctrl+e", "enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.result.path is not None)
    session, path = app.result.session, app.result.path
    assert session is not None and path is not None
    assert RANDOM_ID.fullmatch(session.id) and path.name == f"{session.id}.json"
    assert not DATE_LIKE.search(path.name)
    assert datetime.fromisoformat(session.started_at) >= before.replace(microsecond=0)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.tmux
def test_observer_code_ids_random_in_a_terminal(tmp_path: Path) -> None:
    with Tmux(width=100, height=30) as term:
        term.start([*observer_code_argv(tmp_path), "--ids", "random"])
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("o")
        term.wait_for(r"saved 2\b", regex=True)
        term.send_keys("C-e")
        term.wait_for("End the session")
        term.send_keys("Enter")
        term.wait_for("Ratings")
        save_ratings_and_exit(term)
    [path] = tmp_path.glob("*.json")
    assert RANDOM_ID.fullmatch(path.name.removesuffix(".json")), path.name
    session = load_session(path)
    assert session.id == path.name.removesuffix(".json") and session.started_at
    listed = subprocess.run(
        [sys.executable, "-m", "observer", "sessions", "--session-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0 and session.id in listed.stdout


def test_a_bad_config_value_and_serve_refuse_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    config = tmp_path / "config.json"
    config.write_bytes(orjson.dumps({"ids": 7}))
    with pytest.raises(InputError) as caught:
        id_style(folder, config=config)
    assert str(caught.value) == f"{config}: ids: must be random or dated, not 7"
    (folder / "ids.txt").write_text("dates\n")
    code, out, err = run(["serve", "--session-dir", str(folder), "--port", "0"], capsys)
    assert code == 2 and out == ""
    assert err.strip() == f"{folder / 'ids.txt'}: must be random or dated, not 'dates'"
