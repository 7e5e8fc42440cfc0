"""One app process per page: the browser's keys in, the screen's bytes out.

The child runs under Textual's web driver, which reads framed packets on standard
input (``D`` data: the keys as terminal input; ``M`` meta: resize, focus, blur,
quit, as JSON) and writes the same framing on standard output after a
``__GANGLION__`` line. Its standard error (observer's own one-line messages) is
passed on to the server's log, made safe for a terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Awaitable, Callable, Sequence

from observer.stopsignals import KILL
from observer.textsafe import safe

READY = b"__GANGLION__\n"
KEYBOARD = "observer_keyboard"
"""The child's meta message (and the page's) saying whether text is being typed (a
note, a form's field): a touch screen's page opens its soft keyboard only then."""
QUIT_GRACE = 10.0
"""Seconds a child has to end (journal closed, files written) after ``quit``."""


def frame(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def child_environment(width: int, height: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
        TEXTUAL_FPS="60",
        TEXTUAL_COLOR_SYSTEM="truecolor",
        COLUMNS=str(width),
        ROWS=str(height),
    )
    env.pop("NO_COLOR", None)  # the page is a colour terminal whatever the server's is
    return env


class Child:
    """An ``observer code`` or ``observer replay`` process behind one page."""

    def __init__(self, argv: Sequence[str], title: str, log: Callable[[str], None]) -> None:
        self.argv = tuple(argv)
        self.title = title
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        self.errors: list[str] = []
        self.last_words: list[str] | None = None
        """What the child printed after its screen (``saved …``), once it has ended:
        set before the page's socket closes, so the page can show it."""

    async def start(self, width: int, height: int) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_environment(width, height),
            start_new_session=True,  # a ctrl+c at the server's terminal is the server's
        )

    async def _send(self, packet: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        if self.process.returncode is not None:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            self.process.stdin.write(packet)
            await self.process.stdin.drain()

    async def keys(self, text: str) -> None:
        await self._send(frame(b"D", text.encode("utf-8")))

    async def meta(self, message: dict[str, object]) -> None:
        await self._send(frame(b"M", json.dumps(message).encode("utf-8")))

    async def pump(
        self,
        screen: Callable[[bytes], Awaitable[None]],
        close: Callable[[], Awaitable[object]],
        page: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        """Forward the child's screen until it exits; then show on the page what it
        printed after (``saved …``, or why it could not start) and close the socket.
        ``page`` gets observer's own messages to the page's script (:data:`KEYBOARD`:
        whether text is being typed, for a touch screen's soft keyboard)."""
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        errors = asyncio.create_task(self._read_errors())
        said: list[str] = []
        try:
            if await self._ready(stdout):
                while True:
                    head = await stdout.readexactly(5)
                    payload = await stdout.readexactly(int.from_bytes(head[1:], "big"))
                    if head[:1] == b"D":
                        await screen(payload)
                    elif head[:1] == b"M":
                        meta = json.loads(payload)
                        kind = meta.get("type") if isinstance(meta, dict) else None
                        if kind == "exit":
                            break
                        if kind == KEYBOARD and page is not None:
                            await page(json.dumps([KEYBOARD, meta.get("wanted") is True]))
            said = (await stdout.read()).decode("utf-8", "replace").splitlines()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            await self.process.wait()
            await errors
            for line in said:
                self.log(safe(f"[{self.title}] {line}"))
            self.last_words = [safe(line) for line in (*said, *self.errors)]
            shown = "\r\n".join(self.last_words)
            with contextlib.suppress(ConnectionError, RuntimeError):
                await screen(f"\x1b[?1049l\x1b[0m\x1b[2J\x1b[H{shown}\r\n".encode())
            await close()

    async def _ready(self, stdout: asyncio.StreamReader) -> bool:
        for _ in range(10):
            line = await stdout.readline()
            if not line:
                return False
            if line == READY:
                return True
        return False

    async def _read_errors(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.errors.append(line)
            self.log(safe(f"[{self.title}] {line}"))

    async def stop(self) -> int | None:
        """Ask the child to quit (as Textual's web driver understands it), then wait;
        terminate it, and at last kill it, if it does not end in time."""
        process = self.process
        if process is None:
            return None
        if process.returncode is None:
            await self.meta({"type": "quit"})
        for sig in (None, signal.SIGTERM, KILL):
            if sig is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)
            try:
                await asyncio.wait_for(process.wait(), QUIT_GRACE)
                break
            except TimeoutError:
                continue
        if process.returncode not in (0, None):
            self.log(safe(f"[{self.title}] ended with status {process.returncode}"))
        return process.returncode
