"""A real ``observer serve`` for the tests: started on a free port, stopped with ctrl+c."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest

pytest.importorskip("aiohttp", reason="observer serve needs the serve extra")


@attrs.frozen
class Served:
    url: str
    """The address printed at start, with its token."""
    base: str
    token: str
    process: subprocess.Popen[str]
    errors: Path

    def log(self) -> str:
        return self.errors.read_text()


@contextmanager
def served(folder: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    errors = folder.parent / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "observer",
            "serve",
            "--port",
            "0",
            "--session-dir",
            str(folder),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=errors.open("w"),
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("observer serve: open "), (line, errors.read_text())
        url = line.split("open ", 1)[1].strip()
        base, _, token = url.partition("?token=")
        yield Served(url, base.rstrip("/"), token, process, errors)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of one request, redirects not followed."""

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    opener = urllib.request.build_opener(Keep)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def actions(folder: Path) -> list[dict[str, Any]]:
    """The actions in the folder's journals so far (header lines left out)."""
    out = []
    for path in sorted(folder.glob("*.journal.jsonl")):
        for line in path.read_text().splitlines()[1:]:
            with contextlib.suppress(ValueError):  # a line being written
                out.append(json.loads(line))
    return out


def wait_for(what: Callable[[], Any], timeout: float = 30.0, why: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting: {why or what}")
