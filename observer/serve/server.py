"""The aiohttp server of ``observer serve``.

Every request, page, static file and websocket alike, must carry the secret: in the
address (``?token=``, which sets an HttpOnly, SameSite=Strict cookie and redirects
to the same address without it) or in that cookie. Anything else gets 403. A form
or a websocket must also come from the server's own origin. Nothing in the session
folder has a route: the only files served are the terminal client's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
from aiohttp import WSMsgType, web
from aiohttp.http_exceptions import HttpProcessingError

from observer.live.folder import FolderEntry, scan_folder
from observer.serve.bridge import Child
from observer.serve.launches import (
    LAUNCH_TTL,
    MAX_WAITING,
    Launch,
    Launches,
    Offer,
    code_launch,
    replay_launch,
)
from observer.serve.pages import PAGE_SCRIPT, landing, message, terminal
from observer.serve.secret import matches
from observer.stopsignals import on_stop
from observer.textsafe import safe

COOKIE = "observer_token"
MAX_PAGES = 8
"""Terminal pages (child processes) at once; one more is refused, not queued."""
MAX_MESSAGE = 1 << 20
MAX_FORM = 64 << 10
MAX_ENDED = 32
"""Ended pages whose last words (``saved …``) the server keeps for the page to show."""
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",  # not no-referrer: forms would send Origin: null
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
        " font-src 'self'; img-src 'self' data:; connect-src 'self';"
        " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


@attrs.frozen
class Config:
    host: str
    port: int
    folder: Path
    token: str
    books: list[Offer]
    log: Callable[[str], None]
    ids: str | None = None
    """The style of new session ids (``observer code --ids``); None: the child decides."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_app(config: Config) -> web.Application:
    app = web.Application(middlewares=[_guard(config.token)], client_max_size=MAX_FORM)
    launches = Launches()
    children: set[Child] = set()
    ended: dict[str, Child] = {}  # launch id -> its child, the most recent MAX_ENDED

    # Reading the folder (every session, every journal replayed) runs in a thread: the
    # event loop carries other pages' keys meanwhile, and their times must not wait.
    def entries() -> Awaitable[list[FolderEntry]]:
        return asyncio.to_thread(scan_folder, config.folder)

    async def index(request: web.Request) -> web.Response:
        return _html(landing(config.books, config.folder, await entries()))

    async def start_code(request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        launch = code_launch(form, config.folder, config.books, ids=config.ids)
        if isinstance(launch, list):
            page = landing(config.books, config.folder, await entries(), launch, form)
            return _html(page, status=400)
        return _launched(launches, launch)

    async def start_replay(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        name = str(form.get("session", ""))
        launch = await asyncio.to_thread(replay_launch, name, config.folder)
        if isinstance(launch, list):
            return _html(message("Not a session", launch[0]), status=400)
        return _launched(launches, launch)

    async def run_page(request: web.Request) -> web.Response:
        key = request.match_info["launch"]
        launch = launches.peek(key)
        if launch is None:
            text = (
                "This page was opened already, or too long ago. A reload starts nothing,"
                " so no session is ever coded twice; start again from the start page,"
                " which offers to recover an unfinished session."
            )
            return _html(message("Page already used", text), status=410)
        scheme = "wss" if _secure(request) else "ws"
        address = f"{scheme}://{request.host}/ws/{key}"
        return _html(terminal(launch.title, address, f"/ended/{key}", touch=launch.touch))

    async def websocket(request: web.Request) -> web.StreamResponse:
        key = request.match_info["launch"]
        launch = launches.take(key)
        if launch is None:
            raise web.HTTPGone(text="this page was opened already")
        if len(children) >= MAX_PAGES:
            raise web.HTTPServiceUnavailable(text=f"at most {MAX_PAGES} pages at once")
        child = Child(launch.argv, launch.title, config.log)
        ended[key] = child
        while len(ended) > MAX_ENDED:
            ended.pop(next(iter(ended)))
        return await _drive(request, launch, child, children, config.log)

    async def last_words(request: web.Request) -> web.Response:
        """What the page's command printed once its screen ended (``saved …``)."""
        child = ended.get(request.match_info["launch"])
        lines = [] if child is None or child.last_words is None else child.last_words
        return web.json_response({"lines": lines})

    async def page_script(request: web.Request) -> web.Response:
        return web.Response(text=PAGE_SCRIPT, content_type="text/javascript")

    async def shutdown(app: web.Application) -> None:
        await asyncio.gather(*(child.stop() for child in list(children)))

    static = Path(str(files("textual_serve") / "static"))
    app.add_routes(
        [
            web.get("/", index),
            web.get("/favicon.ico", lambda request: _no_content()),
            web.post("/code", start_code),
            web.post("/replay", start_replay),
            web.get("/run/{launch}", run_page),
            web.get("/ws/{launch}", websocket),
            web.get("/ended/{launch}", last_words),
            web.get("/observer.js", page_script),
            web.static("/static", static, show_index=False, follow_symlinks=False),
        ]
    )
    app.on_response_prepare.append(_headers)
    app.on_shutdown.append(shutdown)
    return app


def _launched(launches: Launches, launch: Launch) -> web.Response:
    """To the page of a new launch id, or a refusal when too many wait unopened."""
    key = launches.add(launch)
    if key is None:
        text = (
            f"{MAX_WAITING} pages were started and not opened; each is good for"
            f" {LAUNCH_TTL / 60:.0f} minutes after its start. Open one of them, or start"
            " again once they have expired."
        )
        return _html(message("Too many pages waiting", text), status=503)
    raise web.HTTPSeeOther(f"/run/{key}")


async def _drive(
    request: web.Request,
    launch: Launch,
    child: Child,
    children: set[Child],
    log: Callable[[str], None],
) -> web.WebSocketResponse:
    socket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
    await socket.prepare(request)
    children.add(child)
    try:
        await child.start(_size(request, "width", 80), _size(request, "height", 24))
        pump = asyncio.create_task(child.pump(socket.send_bytes, socket.close, socket.send_str))
        log(f"[{launch.title}] page opened")
        async for msg in socket:
            if msg.type == WSMsgType.TEXT:
                await _from_page(msg.data, child, socket)
        log(f"[{launch.title}] page closed")
        await child.stop()  # a closed page: the child quits, its journal stays
        await pump
    finally:
        await child.stop()
        children.discard(child)
    return socket


async def _from_page(data: str, child: Child, socket: web.WebSocketResponse) -> None:
    """One message of textual-serve's browser client: keys, size, focus, ping."""
    with contextlib.suppress(ValueError):
        envelope = json.loads(data)
        if not isinstance(envelope, list) or not envelope:
            return
        kind, arg = envelope[0], envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(arg, str):
            await child.keys(arg)
        elif kind == "resize" and isinstance(arg, dict):
            width, height = _bounded(arg.get("width"), 80), _bounded(arg.get("height"), 24)
            await child.meta({"type": "resize", "width": width, "height": height})
        elif kind in ("focus", "blur"):
            await child.meta({"type": kind})
        elif kind == "ping":
            await socket.send_json(["pong", arg])


def _bounded(value: Any, default: int) -> int:
    return value if isinstance(value, int) and 2 <= value <= 1000 else default


def _size(request: web.Request, name: str, default: int) -> int:
    with contextlib.suppress(ValueError):
        return _bounded(int(request.query.get(name, "")), default)
    return default


def _secure(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto") == "https"


async def _no_content() -> web.Response:
    return web.Response(status=204)


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc == request.host


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _guard(token: str) -> Any:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.query.get("token")
        if not (matches(given, token) or matches(request.cookies.get(COOKIE), token)):
            return web.Response(
                status=403,
                text="403: open the address observer serve printed (it holds the token)\n",
            )
        unsafe = (
            request.method == "POST" or request.headers.get("Upgrade", "").lower() == "websocket"
        )
        if unsafe and not _same_origin(request):
            return web.Response(status=403, text="403: not from this server's own pages\n")
        if given is not None:  # keep the token in a cookie, out of the address bar
            response = web.HTTPSeeOther(request.rel_url.without_query_params("token"))
            response.set_cookie(
                COOKIE, token, httponly=True, samesite="Strict", secure=_secure(request), path="/"
            )
            return response
        return await handler(request)

    return guard


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


class OneLineLog(logging.Handler):
    """aiohttp's own log, into the server's: a request it could not even parse (a
    64 KiB header, bytes that are not HTTP) is one line, never its traceback."""

    def __init__(self, log: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError):
            self.log(self.format(record))
            return
        said = record.getMessage()
        peer = said.rsplit(" from ", 1)[1] if " from " in said else "a client"
        lines = str(error.message).strip().splitlines() or [type(error).__name__]
        reason = safe(lines[0].split(": b'", 1)[0])[:120]
        self.log(f"observer serve: refused a bad request from {peer}: {error.code} {reason}")


async def serve(config: Config, ready: Callable[[str], None]) -> None:
    """Serve until cancelled (ctrl+c) or sent SIGTERM or SIGHUP; then every page's
    process is asked to quit, and waited for. ``ready`` gets the address (with the
    real port) once bound."""
    aiohttp_log = logging.getLogger("aiohttp.server")
    one_line = OneLineLog(config.log)
    aiohttp_log.addHandler(one_line)
    aiohttp_log.propagate = False
    runner = web.AppRunner(make_app(config), handle_signals=False, access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    on_stop(loop, lambda _number: stop.set(), ("SIGTERM", "SIGHUP"))
    try:
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in host else host
        ready(f"http://{shown}:{port}/")
        await stop.wait()
    finally:
        await runner.cleanup()
        aiohttp_log.removeHandler(one_line)
