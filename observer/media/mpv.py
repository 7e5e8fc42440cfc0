"""mpv, started by observer and driven over its JSON IPC (``--input-ipc-server``).

Our own small asyncio client, not ``python-mpv``: python-mpv binds libmpv through
ctypes (a native library that must match the installed mpv, and a runtime
dependency we do not otherwise need), while the JSON IPC is a line protocol on a
Unix socket that the standard library speaks. The socket lives in a private folder
(``tempfile.mkdtemp``: mode 0700, named ``observer-mpv-PID-…`` after observer's pid), is
made 0600, and is removed at exit; folders left by an observer that was killed (its pid
no longer runs) are removed at the next start. On Linux mpv gets a parent-death signal
(``PR_SET_PDEATHSIG``, SIGKILL): it dies with observer however observer ends::

    player = await Player.start(Path("clip.mp4"), extra_args=["--vo=null"])
    player.position(time.monotonic())   # the playhead model (observer.media.position)
    await player.set_pause(False, mono)
    await player.seek(12.0, mono)       # absolute, exact (hr-seek)
    await player.frame_step(back=True)  # one frame (mpv pauses)
    await player.set_speed(0.5, mono)
    await player.close()

mpv reports ``time-pos``, ``pause``, ``speed``, ``duration``,
``estimated-frame-number`` and ``container-fps`` as property changes; each report
updates the model with the monotonic time it arrived (mpv does not notify changes of
the frame number, so ``frame`` is also derived from each ``time-pos``). ``on_change`` (if set) is
called after every report; ``on_exit`` once when mpv goes away (quit, crash, kill).
Failures to start raise :class:`MediaError` with one line saying what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from observer.media.position import PositionModel
from observer.stopsignals import die_with_parent, pid_runs

OBSERVED = ("time-pos", "pause", "speed", "duration", "estimated-frame-number", "container-fps")
MIN_SPEED = 0.25
MAX_SPEED = 4.0
"""The speeds of coding from a video (the coding keys' range)."""
MPV_SPEEDS = (0.01, 100.0)
"""What mpv accepts (replay's presets go up to 16x)."""
START_TIMEOUT_S = 20.0
SETTLE_S = 2.0
"""How long a frame step waits for a seek to show its frame before it is sent anyway."""
ENV_ARGS = "OBSERVER_MPV_ARGS"


class MediaError(Exception):
    """mpv cannot play the file; the message is one line saying what to do."""


def mpv_args(given: str | None) -> list[str]:
    """Extra mpv arguments: ``--mpv-args`` if given, else ``$OBSERVER_MPV_ARGS``."""
    text = given if given is not None else os.environ.get(ENV_ARGS, "")
    try:
        return shlex.split(text)
    except ValueError as e:
        raise MediaError(f"cannot read the mpv arguments {text!r}: {e}") from None


def preflight(path: Path, extra_args: Sequence[str]) -> str:
    """Check what can be checked before starting mpv; return the mpv executable."""
    if sys.platform == "win32":
        raise MediaError(
            "--video is not available on Windows yet: observer talks to mpv through a Unix"
            " socket; code from the recording on Linux or macOS, or without --video"
        )
    exe = shutil.which("mpv")
    if exe is None:
        raise MediaError(
            "mpv is not installed: install it (e.g. `apt install mpv`, `brew install mpv`)"
            " and try again"
        )
    if not path.is_file() or not os.access(path, os.R_OK):
        raise MediaError(f"{path}: cannot read the video file: check the path")
    headless = any(a.startswith("--vo=") for a in extra_args)
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if not headless and not has_display and sys.platform.startswith("linux"):
        raise MediaError(
            "no display for the video window: run observer on the desktop, or pass"
            " --mpv-args '--vo=null' to code without seeing the picture"
        )
    return exe


class Player:
    """One running mpv playing one file; see the module docstring."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        folder: Path,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.process = process
        self._reader = reader
        self._writer = writer
        self.folder = folder
        self.now = now
        self.model = PositionModel()
        self.fps: float | None = None
        self.frame: int | None = None
        self.alive = True
        self.error: str | None = None
        """Why mpv stopped playing the file (a load failure), if it did."""
        self.on_change: Callable[[str], None] | None = None
        self.on_exit: Callable[[], None] | None = None
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._loaded = asyncio.get_running_loop().create_future()
        self._settled = asyncio.Event()
        """Set while no seek is under way: none sent that mpv has not begun (its ``seek``
        event), none begun that has not shown its frame (``playback-restart``). A frame
        step sent during a seek is swallowed by it."""
        self._seeks_sent = 0
        self._seeking = True  # the file's load: settled by its first playback-restart
        self._task = asyncio.get_running_loop().create_task(self._read())

    # --- start and stop ----------------------------------------------------------

    @classmethod
    async def start(
        cls,
        path: Path,
        extra_args: Sequence[str] = (),
        now: Callable[[], float] = time.monotonic,
    ) -> Player:
        exe = preflight(path, extra_args)
        for place in {Path(tempfile.gettempdir()), Path("/tmp")}:
            sweep_stale_folders(place)
        folder = _private_folder()
        socket = folder / "ipc.sock"
        args = [
            exe,
            f"--input-ipc-server={socket}",
            "--idle=no",
            "--keep-open=always",
            "--pause",
            "--hr-seek=yes",
            "--no-terminal",
            "--msg-level=all=no",
            *extra_args,
            "--",
            str(path),
        ]
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            preexec_fn=die_with_parent(),
        )
        try:
            reader, writer = await _connect(process, socket, path)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        player = cls(process, reader, writer, folder, now)
        try:
            await player._begin(path)
        except BaseException:
            await player.close()
            raise
        return player

    async def _begin(self, path: Path) -> None:
        cannot = MediaError(f"{path}: mpv cannot play this file: is it a video?")
        try:
            for index, name in enumerate(OBSERVED, start=1):
                await self.command("observe_property", index, name)
            duration = await asyncio.wait_for(self._loaded, START_TIMEOUT_S)
        except TimeoutError:
            raise MediaError(f"{path}: mpv did not open the file in time") from None
        except MediaError:
            raise cannot from None  # mpv quit while opening it
        if duration is None:
            raise cannot
        # The frame rate's change may come after the duration's, on a busy machine well
        # after: ask for it, a while (an audio file, or a stream without one, has none).
        deadline = time.monotonic() + PROBE_FPS_S
        while self.fps is None:
            with contextlib.suppress(MediaError):
                fps = await self.get("container-fps")
                if isinstance(fps, int | float) and fps > 0:
                    self.fps = float(fps)
                    self.model.fps = self.fps
            if self.fps is not None or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        """Quit mpv (killing it if it does not quit) and remove the socket folder."""
        if self.alive:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.command("quit"), 2.0)
        try:
            await asyncio.wait_for(self.process.wait(), 3.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
        self._writer.close()
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- the model ----------------------------------------------------------------

    def position(self, mono: float) -> float:
        return self.model.at(mono)

    @property
    def duration(self) -> float | None:
        return self.model.duration

    @property
    def paused(self) -> bool:
        return self.model.paused

    @property
    def speed(self) -> float:
        return self.model.speed

    # --- commands -----------------------------------------------------------------

    def send(self, *args: Any) -> asyncio.Future[Any]:
        """Send one command now (no await needed: the model was already updated by the
        caller); the future gets its data, or MediaError on an mpv error."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        # Controls are sent and not always awaited: a failure is then only logged here.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        if not self.alive:
            future.set_exception(MediaError("mpv has stopped: reopen the video"))
            return future
        self._next_id += 1
        rid = self._next_id
        self._waiting[rid] = future
        try:
            self._writer.write(orjson.dumps({"command": list(args), "request_id": rid}) + b"\n")
        except OSError:
            self._waiting.pop(rid, None)
            future.set_exception(MediaError("mpv has stopped: reopen the video"))
        return future

    async def command(self, *args: Any) -> Any:
        """Send one command and wait for its data (MediaError on an mpv error)."""
        return await self.send(*args)

    async def get(self, name: str) -> Any:
        return await self.command("get_property", name)

    # Each control updates the model at once, at the key's own time (``mono``), then
    # sends the command; await the returned future to wait for mpv's answer.

    def set_pause(self, paused: bool, mono: float | None = None) -> asyncio.Future[Any]:
        self.model.set_paused(paused, self.now() if mono is None else mono)
        return self.send("set_property", "pause", paused)

    def set_speed(self, speed: float, mono: float | None = None) -> asyncio.Future[Any]:
        """Clamped to what mpv accepts (``self.speed`` is the speed set)."""
        speed = min(MPV_SPEEDS[1], max(MPV_SPEEDS[0], speed))
        self.model.set_speed(speed, self.now() if mono is None else mono)
        return self.send("set_property", "speed", speed)

    def seek(self, position: float, mono: float | None = None) -> asyncio.Future[Any]:
        """Seek exactly to ``position``, clamped to the file."""
        position = max(0.0, position)
        if self.model.duration is not None:
            position = min(position, self.model.duration)
        self.model.seek(position, self.now() if mono is None else mono)
        self._seeks_sent += 1
        self._settled.clear()
        return self.send("seek", position, "absolute+exact")

    def frame_step(self, *, back: bool = False, mono: float | None = None) -> asyncio.Future[Any]:
        """One frame forward or back (mpv pauses); the model follows mpv's report. Right
        after a seek the step waits (at most ``SETTLE_S``) for mpv to show the frame the
        seek went to: sent during the seek, mpv drops it."""
        self.model.set_paused(True, self.now() if mono is None else mono)
        command = "frame-back-step" if back else "frame-step"
        if self._settled.is_set():
            return self.send(command)
        return asyncio.ensure_future(self._step_when_settled(command))

    async def settle(self) -> None:
        """Until no seek is under way (at most ``SETTLE_S``)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), SETTLE_S)

    async def _step_when_settled(self, command: str) -> Any:
        await self.settle()
        return await self.send(command)

    # --- reading ------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                mono = self.now()
                try:
                    message = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(message, dict):
                    self._dispatch(message, mono)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._gone()

    def _dispatch(self, message: dict[str, Any], mono: float) -> None:
        rid = message.get("request_id")
        if isinstance(rid, int) and rid in self._waiting:
            future = self._waiting.pop(rid)
            if not future.done():
                if message.get("error") == "success":
                    future.set_result(message.get("data"))
                else:
                    future.set_exception(MediaError(f"mpv: {message.get('error')}"))
            return
        event = message.get("event")
        if event in ("seek", "playback-restart"):
            self._seek_event(event)
        if event == "property-change":
            self._property(str(message.get("name")), message.get("data"), mono)
        elif event == "end-file" and message.get("reason") == "error":
            self.error = str(message.get("file_error") or "cannot play the file")
            if not self._loaded.done():
                self._loaded.set_result(None)

    def _seek_event(self, event: str) -> None:
        """A seek began (ours, or mpv's own for a step back) or showed its frame. A
        restart of an earlier seek that comes after a seek was sent settles nothing."""
        if event == "seek":
            self._seeks_sent = max(0, self._seeks_sent - 1)
            self._seeking = True
        else:
            self._seeking = False
        if self._seeks_sent == 0 and not self._seeking:
            self._settled.set()
        else:
            self._settled.clear()

    def _property(self, name: str, data: Any, mono: float) -> None:
        model = self.model
        number = data if isinstance(data, int | float) and not isinstance(data, bool) else None
        if name == "time-pos" and number is not None:
            model.report(float(number), mono)
            if self.fps:  # mpv does not notify estimated-frame-number changes
                self.frame = round(number * self.fps)
        elif name == "pause" and isinstance(data, bool):
            model.paused = data
        elif name == "speed" and number is not None:
            model.speed = float(number)
        elif name == "duration" and number is not None:
            model.duration = float(number)
            if not self._loaded.done():
                self._loaded.set_result(model.duration)
        elif name == "estimated-frame-number":
            self.frame = int(number) if number is not None else None
        elif name == "container-fps":
            self.fps = float(number) if number is not None and number > 0 else None
            model.fps = self.fps
        if self.on_change is not None:
            self.on_change(name)

    def _gone(self) -> None:
        if not self.alive:
            return
        self.alive = False
        self.model.set_paused(True, self.now())  # the clock stops where it was
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(MediaError("mpv has stopped: reopen the video"))
        self._waiting.clear()
        if not self._loaded.done():
            self._loaded.set_result(None)
        if self.on_exit is not None:
            self.on_exit()


SOCKET_PATH_MAX = 100
"""A Unix socket's path must fit in 108 bytes (Linux; 104 on macOS)."""


FOLDER_PREFIX = "observer-mpv-"


def _private_folder() -> Path:
    """A new 0700 folder for the socket: in the temporary folder, or in /tmp when that
    one's path is too long for a socket. Its name holds observer's pid."""
    prefix = f"{FOLDER_PREFIX}{os.getpid()}-"
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if len(str(folder / "ipc.sock").encode()) > SOCKET_PATH_MAX:
        folder.rmdir()
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    return folder


def sweep_stale_folders(place: Path) -> None:
    """Remove the socket folders in ``place`` (ours only) whose observer no longer runs."""
    if sys.platform == "win32":
        return  # no Unix sockets, and mpv is refused there
    try:
        entries = list(place.iterdir())
    except OSError:
        return
    for entry in entries:
        pid_text = entry.name.removeprefix(FOLDER_PREFIX).partition("-")[0]
        if not entry.name.startswith(FOLDER_PREFIX) or not pid_text.isdecimal():
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        if not entry.is_dir() or entry.is_symlink() or info.st_uid != os.getuid():
            continue
        if not pid_runs(int(pid_text)):
            shutil.rmtree(entry, ignore_errors=True)


async def _connect(
    process: asyncio.subprocess.Process, socket: Path, path: Path
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise MediaError(f"{path}: mpv cannot open this file: is it a video?")
        if socket.exists():
            os.chmod(socket, 0o600)
            try:
                if sys.platform == "win32":  # preflight refuses --video there
                    raise OSError("no Unix sockets")
                return await asyncio.open_unix_connection(str(socket))
            except OSError:
                pass
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 0.02)
    raise MediaError("mpv did not start in time: check that `mpv FILE` plays it")


HEADLESS = ("--vo=null", "--ao=null")


PROBE_FPS_S = 2.0
"""How long a start waits for a frame rate after the duration (none for audio)."""


async def probe(path: Path) -> tuple[float, float | None]:
    """The file's duration and frame rate as mpv reads them (headless, paused, then
    quit): what a session's ``media`` record needs besides the file's size and hash."""
    player = await Player.start(path, HEADLESS)
    try:
        duration = player.duration
        if duration is None:  # _begin waits for it: mpv quit while opening the file
            raise MediaError(f"{path}: mpv cannot play this file: is it a video?")
        return duration, player.fps  # the start waited for the frame rate too
    finally:
        await player.close()


def probe_now(path: Path) -> tuple[float, float | None]:
    """:func:`probe` from synchronous code, in an event loop of its own (on a thread,
    so a caller already inside an event loop can use it too)."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, probe(path)).result()
