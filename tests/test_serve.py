"""``observer serve`` over HTTP, without a browser: the secret on every request, forms
only from its own pages, nothing of the session folder served, one-time pages,
escaped text; the web key recorder; ``via`` in sessions and journals."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlencode, urlsplit

import attrs
import pytest
from support.pilot import eventually
from support.serve import actions, fetch, served

from observer.codebook import load_codebook
from observer.errors import InputError
from observer.live.folder import scan_folder
from observer.live.journal import make_header
from observer.live.recovery import parse_header
from observer.serve import pages
from observer.serve.launches import (
    LAUNCH_TTL,
    Launch,
    Launches,
    code_launch,
    offers,
    replay_launch,
    replayable,
)
from observer.serve.pages import landing, terminal
from observer.serve.secret import token_from_file
from observer.sessionfile import Status, load_session, unstructure, write_session
from observer.structure import converter
from observer.study.consensus import align_items, build
from observer.synthetic import make_session

BOOK = load_codebook("cpp-attachment")
ROUTES = [
    "/",
    "/static/js/textual.js",
    "/static/css/xterm.css",
    "/run/x",
    "/ws/x",
    "/favicon.ico",
    "/observer.js",
    "/ended/x",
]


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"observer_token={token}"}


def same_origin(base: str, token: str) -> dict[str, str]:
    return {**cookie(token), "Origin": base, "Content-Type": "application/x-www-form-urlencoded"}


def raw_get(base: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """A GET with the path sent exactly as written (no client-side normalising of ``..``)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    return response.status, response.read()


def test_every_route_needs_the_secret(tmp_path: Path) -> None:
    with served(tmp_path / "s") as srv:
        for route in ROUTES:
            assert fetch(srv.base + route)[0] == 403, route
            assert fetch(f"{srv.base}{route}?token=wrong")[0] == 403, route
            assert fetch(srv.base + route, headers=cookie("wrong"))[0] == 403, route
            assert fetch(srv.base + route, headers=cookie(srv.token))[0] != 403, route
        status, _, body = fetch(srv.base + "/code", data=b"codebook=cpp-attachment")
        assert status == 403 and "token" in body


def test_the_secret_in_the_address_becomes_a_private_cookie(tmp_path: Path) -> None:
    with served(tmp_path / "s") as srv:
        status, headers, _ = fetch(srv.url)
        assert status == 303 and headers["Location"] == "/"  # out of the address bar
        set_cookie = headers["Set-Cookie"]
        assert f"observer_token={srv.token}" in set_cookie
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        status, headers, body = fetch(srv.base + "/", headers=cookie(srv.token))
        assert status == 200 and "Start coding" in body
        assert headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert "googleapis" not in body and "http" not in body.split("<body>")[1]


def test_a_form_from_another_origin_is_refused(tmp_path: Path) -> None:
    with served(tmp_path / "s") as srv:
        form = urlencode({"codebook": "cpp-attachment", "dyad": "D1", "observer": "o1"}).encode()
        evil = {**same_origin(srv.base, srv.token), "Origin": "http://evil.example"}
        assert fetch(srv.base + "/code", data=form, headers=evil)[0] == 403
        no_origin = cookie(srv.token)
        assert fetch(srv.base + "/code", data=form, headers=no_origin)[0] == 403
        assert not list((tmp_path / "s").glob("*.journal.jsonl"))


def test_a_bad_form_says_what_is_wrong_and_starts_nothing(tmp_path: Path) -> None:
    with served(tmp_path / "s") as srv:
        form = {"codebook": "no-such-book", "dyad": "D1\x1b]52;c;aGk=\x07", "observer": "<b>o</b>"}
        status, _, body = fetch(
            srv.base + "/code",
            data=urlencode(form).encode(),
            headers=same_origin(srv.base, srv.token),
        )
        assert status == 400
        assert "codebook: choose one of the codebooks offered" in body
        assert "dyad: " in body and "control character" in body
        assert "\x1b" not in body
        assert "&lt;b&gt;o&lt;/b&gt;" in body and "<b>o</b>" not in body  # kept, escaped
        assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


def test_a_good_form_gives_a_one_time_page(tmp_path: Path) -> None:
    with served(tmp_path / "s") as srv:
        form = urlencode({"codebook": "cpp-attachment", "dyad": "D1", "observer": "o1"}).encode()
        status, headers, _ = fetch(
            srv.base + "/code", data=form, headers=same_origin(srv.base, srv.token)
        )
        assert status == 303 and headers["Location"].startswith("/run/")
        page = srv.base + headers["Location"]
        status, _, body = fetch(page, headers=cookie(srv.token))
        assert status == 200 and 'data-session-websocket-url="ws://' in body
        assert "/static/js/textual.js" in body
        assert fetch(srv.base + "/run/forged", headers=cookie(srv.token))[0] == 410


def test_session_files_are_never_served(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir(mode=0o700)
    path = write_session(folder, make_session(BOOK, 20, dyad="SECRET-DYAD"))
    name = path.name
    with served(folder) as srv:
        headers = cookie(srv.token)
        tries = [
            f"/{name}",
            f"/static/../{name}",
            f"/static/%2e%2e/%2e%2e/{name}",
            f"/static/..%2f..%2f{name}",
            f"/sessions/{name}",
            f"/download/{name}",
            f"/static/{path}",
            f"/{path}",
        ]
        for attempt in tries:
            status, body = raw_get(srv.base, attempt, headers)
            assert b"SECRET-DYAD" not in body and status != 200, (attempt, status)
        # The landing page names the session (to replay it), never its contents.
        _, _, landing = fetch(srv.base + "/", headers=headers)
        assert "SECRET-DYAD" in landing and '"events"' not in landing


def test_replay_opens_only_a_listed_session(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir(mode=0o700)
    path = write_session(folder, make_session(BOOK, 20))
    with served(folder) as srv:
        send = same_origin(srv.base, srv.token)
        for bad in ("../../etc/passwd", str(path), "", "x.json"):
            data = urlencode({"session": bad}).encode()
            assert fetch(srv.base + "/replay", data=data, headers=send)[0] == 400, bad
        data = urlencode({"session": path.name}).encode()
        status, headers, _ = fetch(srv.base + "/replay", data=data, headers=send)
        assert status == 303 and headers["Location"].startswith("/run/")


@pytest.mark.parametrize("status", get_args(Status))
def test_every_finished_status_is_offered_for_replay(tmp_path: Path, status: Status) -> None:
    """Consensus and imported sessions replay like coded ones: the list follows the format."""
    folder = tmp_path / "s"
    folder.mkdir(mode=0o700)
    session = attrs.evolve(make_session(BOOK, 5, session_id=f"S-{status}"), status=status)
    if status == "consensus":  # one made as ``observer consensus`` makes it, all agreements
        other = attrs.evolve(session, observer="obs2")
        session = build(session, other, align_items(session, other, 2.0), [], decided_by="sup",
                        now="NOW", session_id="S-consensus", tolerance=2.0, sha256=("x", "y"))  # fmt: skip
    path = write_session(folder, session)
    assert [e.path for e in replayable(folder)] == [path]
    with served(folder) as srv:
        _, _, landing = fetch(srv.base + "/", headers=cookie(srv.token))
        assert f'value="{path.name}"' in landing


def test_text_from_files_is_escaped_on_the_landing_page(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir(mode=0o700)
    hostile = make_session(BOOK, 5, dyad="<script>alert(1)</script>", session_id="S-1")
    write_session(folder, hostile)
    with served(folder) as srv:
        _, _, body = fetch(srv.base + "/", headers=cookie(srv.token))
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_token_file_is_made_private_kept_and_checked(tmp_path: Path) -> None:
    file = tmp_path / "token"
    with served(tmp_path / "s", "--token-file", str(file)) as srv:
        token = file.read_text().strip()
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        assert srv.token == f"<the token in {file}>"  # never printed
        assert fetch(srv.base + "/", headers=cookie(token))[0] == 200
    with served(tmp_path / "s", "--token-file", str(file)) as again:
        assert fetch(again.base + "/", headers=cookie(token))[0] == 200  # survives a restart
    file.chmod(0o644)
    with pytest.raises(InputError, match="others can read"):
        token_from_file(file)
    file.chmod(0o600)
    file.write_text("short\n")
    with pytest.raises(InputError, match="at least 32"):
        token_from_file(file)
    done = subprocess.run(
        [sys.executable, "-m", "observer", "serve", "--token-file", str(file), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"{file}: the token must be")


def test_anything_but_loopback_is_warned_about(tmp_path: Path) -> None:
    with served(tmp_path / "s", "--host", "0.0.0.0") as srv:
        pass
    log = srv.log()
    assert "reachable from the network" in log and "NOT encrypted" in log


def test_a_port_in_use_is_one_line_and_status_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "observer",
                "serve",
                "--port",
                str(port),
                "--session-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(f"observer: cannot listen on 127.0.0.1:{port}")
    )


# --- the core, without a server -----------------------------------------------------


def test_a_launch_id_is_good_once_and_not_for_long() -> None:
    launches = Launches()
    launch = Launch(("observer",), "t")
    key = launches.add(launch, now=100.0)
    assert key is not None
    assert launches.take("forged", now=100.0) is None
    assert launches.take(key, now=100.5) == launch
    assert launches.take(key, now=100.6) is None  # once
    late = launches.add(launch, now=200.0)
    assert late is not None
    assert launches.take(late, now=200.0 + LAUNCH_TTL) is None


def test_the_form_builds_argv_only_from_offered_choices(tmp_path: Path) -> None:
    books = offers()
    launch = code_launch(
        {"codebook": "cpp-attachment", "dyad": " D1 ", "observer": "o1", "label": ""},
        tmp_path,
        books,
    )
    assert isinstance(launch, Launch)
    assert launch.argv[1:] == (
        "-m", "observer", "code", "--session-dir", str(tmp_path),
        "--codebook", str(next(o.path for o in books if o.key == "cpp-attachment")),
        "--dyad", "D1", "--observer", "o1",
    )  # fmt: skip
    assert code_launch({"codebook": "/etc/passwd"}, tmp_path, books) == [
        "codebook: choose one of the codebooks offered"
    ]
    assert replay_launch("../x.json", tmp_path) == ["session: choose one of the sessions listed"]


def test_the_touch_screen_box_adds_touch_to_argv_and_makes_a_touch_page(tmp_path: Path) -> None:
    books = offers()
    form = {"codebook": "cpp-attachment", "dyad": "D1", "observer": "o1"}
    plain_launch = code_launch(form, tmp_path, books)
    touch_launch = code_launch({**form, "touch": "1"}, tmp_path, books)
    assert isinstance(plain_launch, Launch) and isinstance(touch_launch, Launch)
    assert "--touch" not in plain_launch.argv and not plain_launch.touch
    assert touch_launch.argv[-1] == "--touch" and touch_launch.touch
    assert code_launch({**form, "touch": "--video=x"}, tmp_path, books) == plain_launch
    page = terminal("t", "ws://h/ws/k", "/ended/k", touch=True)
    assert 'class="-touch"' in page and "user-scalable=no" in page
    assert "<body>" in terminal("t", "ws://h/ws/k", "/ended/k")
    box = landing(books, tmp_path, [])
    assert 'name="touch"' in box and "Touch screen" in box


async def test_the_childs_keyboard_message_reaches_the_page_and_nothing_else_does() -> None:
    from observer.serve.bridge import KEYBOARD, READY, Child, frame

    script = (
        "import sys, json\n"
        "out = sys.stdout.buffer\n"
        f"out.write({READY!r})\n"
        "def meta(m):\n"
        "    b = json.dumps(m).encode()\n"
        "    out.write(b'M' + len(b).to_bytes(4, 'big') + b)\n"
        f"meta({{'type': {KEYBOARD!r}, 'wanted': True}})\n"
        "meta({'type': 'open_url', 'url': 'http://elsewhere'})\n"
        f"meta({{'type': {KEYBOARD!r}, 'wanted': 'yes'}})\n"
        "meta({'type': 'exit'})\n"
        "out.flush()\n"
    )
    child = Child([sys.executable, "-c", script], "t", lambda line: None)
    await child.start(80, 24)
    said: list[str] = []

    async def page(text: str) -> None:
        said.append(text)

    async def screen(data: bytes) -> None:
        pass

    async def close() -> None:
        pass

    await child.pump(screen, close, page)
    assert said == [f'["{KEYBOARD}", true]', f'["{KEYBOARD}", false]']
    assert frame(b"D", b"x") == b"D\x00\x00\x00\x01x"


async def test_the_form_starts_or_joins_a_paired_session(tmp_path: Path) -> None:
    books = offers()
    form = {"codebook": "cpp-attachment", "dyad": "D1", "observer": "o1", "pair": " clinic-a "}
    start = code_launch({**form, "pair_as": "start"}, tmp_path, books)
    join = code_launch({**form, "pair_as": "join"}, tmp_path, books)
    assert isinstance(start, Launch) and isinstance(join, Launch)
    assert start.argv[-4:] == ("--pair", "clinic-a", "--role", "primary")
    assert join.argv[-4:] == ("--pair", "clinic-a", "--role", "reliability")
    plain = code_launch(form, tmp_path, books)  # the plain button: no pair
    assert isinstance(plain, Launch) and "--pair" not in plain.argv
    bad = code_launch({**form, "pair": "../x", "pair_as": "join"}, tmp_path, books)
    assert isinstance(bad, list) and bad[0].startswith("pair name:")
    assert "Start a paired session" in pages.landing(books, tmp_path, [])


def test_via_travels_from_header_to_session(tmp_path: Path) -> None:
    header = make_header("S1", BOOK, "D1", "o1", via="browser")
    assert header["via"] == "browser"
    meta, _ = parse_header(header, "j")
    assert meta.via == "browser"
    assert "via" not in make_header("S1", BOOK, "D1", "o1")
    with pytest.raises(InputError, match="'via' must be"):
        parse_header({**header, "via": "carrier-pigeon"}, "j")
    session = attrs.evolve(make_session(BOOK, 3), via="browser")
    assert unstructure(session)["via"] == "browser"
    assert "via" not in unstructure(make_session(BOOK, 3))
    back = load_session(write_session(tmp_path, session))
    assert back.via == "browser"
    data = {**converter.unstructure(session), "via": "fax"}
    bad = tmp_path / "bad.json"
    bad.write_bytes(__import__("orjson").dumps(data))
    with pytest.raises(InputError) as error:
        load_session(bad)
    assert [(p.location, p.message) for p in error.value.problems] == [
        ("via", "must be one of 'terminal', 'browser' (got 'fax')")
    ]


def test_the_web_key_recorder_stamps_each_read_and_logs_before_the_app_sees_it() -> None:
    from observer.tui.webdriver import WebRecordingDriver

    logged: list[list[tuple[float, str, str | None]]] = []
    seen: list[object] = []

    class Log:
        def record(self, keys: list[tuple[float, str, str | None]]) -> None:
            logged.append(keys)

    class App:
        key_log = Log()

    def packet(kind: bytes, payload: bytes) -> bytes:
        return kind + len(payload).to_bytes(4, "big") + payload

    class Reads:
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield packet(b"D", b" ") + packet(b"D", b"w")
            yield b""  # a quiet 0.1 s
            yield packet(b"M", b'{"type": "focus"}') + packet(b"D", b"k")

        def close(self) -> None:
            pass

    driver = WebRecordingDriver.__new__(WebRecordingDriver)
    driver._app = App()  # type: ignore[assignment]
    driver._debug = False
    driver._input_reader = Reads()  # type: ignore[assignment]
    driver.process_message = lambda message: seen.append(message)  # type: ignore[method-assign]
    metas: list[str] = []
    driver._on_meta = lambda packet_type, payload: metas.append(payload.decode())  # type: ignore[method-assign]
    thread = threading.Thread(target=driver.run_input_thread)
    thread.start()
    thread.join(10)
    keys = [m for m in seen if type(m).__name__ == "Key"]
    assert [k.key for k in keys] == ["space", "w", "k"]  # type: ignore[attr-defined]
    assert [[key for _, key, _ in batch] for batch in logged] == [["space", "w"], ["k"]]
    first, second = logged
    assert first[0][0] == first[1][0]  # one read, one stamp
    assert [k.time for k in keys] == [first[0][0], first[1][0], second[0][0]]  # type: ignore[attr-defined]
    assert metas == ['{"type": "focus"}']


@contextlib.asynccontextmanager
async def _coding_page(srv: Any, folder: Path, **ws: Any) -> AsyncIterator[Any]:
    """What a browser does: the form, the page's websocket (``ws``: its options), three
    keys on disk; the socket is yielded with the page still open."""
    import aiohttp

    headers = {"Origin": srv.base, "Cookie": f"observer_token={srv.token}"}
    form = {"codebook": "cpp-attachment", "dyad": "D1", "observer": "o1"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.post(f"{srv.base}/code", data=form, allow_redirects=False) as response:
            page = response.headers["Location"]
        url = srv.base.replace("http", "ws", 1) + page.replace("/run/", "/ws/")
        async with http.ws_connect(f"{url}?width=100&height=30", **ws) as socket:
            await eventually(lambda: list(folder.glob("*.journal.jsonl")), "the journal")
            for key in (" ", "w", "2"):
                await socket.send_str(json.dumps(["stdin", key]))
            await eventually(lambda: len(actions(folder)) >= 3, "three actions journaled")
            yield socket


async def _code_in_a_page(srv: Any, folder: Path, stop: int | None) -> None:
    """Three keys coded in a page; then the page closes (``stop`` None) or the server is
    sent ``stop`` with the page open."""
    async with _coding_page(srv, folder) as socket:
        if stop is not None:
            srv.process.send_signal(stop)
            async for _ in socket:  # closed by the server once the child has ended
                pass


@pytest.mark.parametrize(
    "stop", [None, signal.SIGTERM, signal.SIGHUP], ids=["closed", "TERM", "HUP"]
)
async def test_a_page_that_goes_away_leaves_its_journal(tmp_path: Path, stop: int | None) -> None:
    folder = tmp_path / "s"
    with served(folder) as srv:
        await _code_in_a_page(srv, folder, stop)
        if stop is not None:
            assert await asyncio.to_thread(srv.process.wait, 30) == 0
        await eventually(
            lambda: "the session was not finished" in srv.log(), "the child ended", timeout=30
        )
    [journal] = folder.glob("*.journal.jsonl")
    assert [a["a"] for a in actions(folder)] == ["clock", "key", "key"]
    [entry] = [e for e in scan_folder(folder) if e.path == journal]
    assert entry.status == "unfinished" and entry.events == 1  # recoverable, not in use


def test_without_the_serve_extra_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from support.clirun import run

    for name in [m for m in sys.modules if m.startswith(("aiohttp", "observer.serve.server"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # import aiohttp: ImportError
    code, out, err = run(["serve", "--port", "0"], capsys)
    assert (code, out) == (2, "")
    assert err == "observer: observer serve needs the serve extra: pip install 'observer[serve]'\n"


async def _code_then_go_silent(srv: Any, folder: Path) -> None:
    """A page whose network vanished: three keys on disk, then no answer to anything
    (no pong to the server's pings), until the server gives the page up."""
    async with _coding_page(srv, folder, autoping=False, heartbeat=None):
        while "page closed" not in srv.log():  # never reading: no pong goes back
            await asyncio.sleep(0.1)


async def test_a_connection_that_goes_silent_is_given_up_and_its_journal_kept(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "s"
    with served(folder) as srv:
        await _code_then_go_silent(srv, folder)  # about 23 s: docs/serve.md
        await eventually(
            lambda: "the session was not finished" in srv.log(), "the child ended", timeout=30
        )
    assert [a["a"] for a in actions(folder)] == ["clock", "key", "key"]
    [entry] = scan_folder(folder)
    assert entry.status == "unfinished" and entry.events == 1


def test_behind_a_tls_proxy_the_cookie_is_secure_and_the_socket_wss(tmp_path: Path) -> None:
    proxied = {"X-Forwarded-Proto": "https"}
    with served(tmp_path / "s") as srv:
        _, headers, _ = fetch(srv.url, headers=proxied)
        assert "Secure" in headers["Set-Cookie"]
        form = urlencode({"codebook": "cpp-attachment", "dyad": "D1", "observer": "o1"}).encode()
        send = {**same_origin(srv.base, srv.token), **proxied}
        _, headers, _ = fetch(srv.base + "/code", data=form, headers=send)
        _, _, body = fetch(srv.base + headers["Location"], headers={**cookie(srv.token), **proxied})
        assert 'data-session-websocket-url="wss://' in body


def test_unused_launch_ids_are_capped() -> None:
    from observer.serve.launches import MAX_WAITING

    launches = Launches()
    launch = Launch(("observer",), "t")
    keys = [launches.add(launch, now=100.0) for _ in range(MAX_WAITING)]
    assert all(keys) and launches.add(launch, now=100.0) is None  # full: refused
    assert keys[0] is not None
    assert launches.take(keys[0], now=100.0) == launch  # one opened: room for one more
    assert launches.add(launch, now=100.0) is not None
    assert launches.add(launch, now=100.0 + LAUNCH_TTL) is not None  # the old ones expired


def test_too_many_unopened_pages_are_refused_with_a_page(tmp_path: Path) -> None:
    from observer.serve.launches import MAX_WAITING

    with served(tmp_path / "s") as srv:
        form = urlencode({"codebook": "cpp-attachment", "dyad": "D1", "observer": "o1"}).encode()
        for _ in range(MAX_WAITING):
            status, _, _ = fetch(
                srv.base + "/code", data=form, headers=same_origin(srv.base, srv.token)
            )
            assert status == 303
        status, _, body = fetch(
            srv.base + "/code", data=form, headers=same_origin(srv.base, srv.token)
        )
        assert status == 503 and f"{MAX_WAITING} pages were started and not opened" in body


def test_a_huge_header_is_one_line_in_the_log_not_a_traceback(tmp_path: Path) -> None:
    with served(tmp_path / "s") as srv:
        parts = urlsplit(srv.base)
        with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (64 << 10) + b"\r\n\r\n")
            answer = s.recv(200)
        assert answer.split()[1].startswith(b"4")  # refused (431 or 400), not served
        assert fetch(srv.base + "/", headers=cookie(srv.token))[0] == 200  # still serving
    log = srv.log()
    assert "Traceback" not in log, log
    refused = [line for line in log.splitlines() if "refused a bad request" in line]
    assert len(refused) == 1, log
