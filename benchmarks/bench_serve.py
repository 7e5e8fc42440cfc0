"""``observer serve``: a key's delay from the browser's keydown to its recorded time.

A real ``observer serve`` on loopback and a real headless Chromium (selenium): a
coding page is opened from the landing page, a listener in the page notes each
keydown's own timestamp (``performance.timeOrigin + event.timeStamp``, the wall
clock in milliseconds), and 60 code keys are typed 0.1 s apart. The recorded time
of each key is its stamp in the session's raw key log (the monotonic clock of the
serving machine, the same stamp the session's event gets), put on the wall clock
with this process's own reading of both clocks. The difference is what serving
adds to every time in a browser-coded session: the browser, the websocket, the
server, the pipe to the app. There is no budget: the figure is reported, and the
docs show it (docs/serve.md).

Needs the test extra (selenium) and Debian's chromium and chromium-driver; without
them the row says so. Usage: ``python -m benchmarks.bench_serve [--quick]``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import listing, median, percentile, row, scratch_dir

KEYS = 60
GAP_S = 0.1
LISTENER = """
window.observerKeys = [];
document.addEventListener("keydown",
    (e) => window.observerKeys.push([e.key, performance.timeOrigin + e.timeStamp]), true);
"""


def _wait(what: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if got := what():
            return got
        time.sleep(0.05)
    raise TimeoutError("observer serve did not answer in time")


def _browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1200,900")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)


def measure(folder: Path, keys: int) -> list[float]:
    """Delays in ms, one per key, in the order typed."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    serve = subprocess.Popen(
        [sys.executable, "-m", "observer", "serve", "--port", "0", "--session-dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    driver = None
    try:
        assert serve.stdout is not None
        url = serve.stdout.readline().split("open ", 1)[1].strip()
        driver = _browser()
        driver.get(url)
        driver.find_element(By.ID, "dyad").send_keys("B01")
        driver.find_element(By.ID, "observer").send_keys("bench")
        driver.find_element(By.ID, "start").click()
        log = _wait(lambda: list(folder.glob("*.keys.jsonl")))[0]
        driver.execute_script(LISTENER)
        driver.find_element(By.ID, "terminal").click()
        time.sleep(0.5)
        ActionChains(driver).send_keys(" ").perform()
        for i in range(keys):
            time.sleep(GAP_S)
            ActionChains(driver).send_keys("o" if i % 2 else "r").perform()
        offset = time.time() - time.monotonic()  # this machine's two clocks, read together
        stamps = _wait(lambda: _stamps(log, keys + 1)) if keys else []
        typed = driver.execute_script("return window.observerKeys")
    finally:
        if driver is not None:
            driver.quit()
        serve.send_signal(signal.SIGINT)
        serve.wait(30)
    down = [t for key, t in typed if key in ("o", "r", " ")]
    return [(s + offset) * 1000 - d for s, d in zip(stamps, down, strict=True)][1:]


def _stamps(log: Path, count: int) -> list[float] | None:
    lines = log.read_text().splitlines()[1:]
    stamps = sorted(json.loads(line)["mono"] for line in lines if line.endswith("}"))
    return stamps if len(stamps) >= count else None


def _cells(size: tuple[int, int], keys: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Where each key's target is in the touch layout at the page's terminal ``size``
    (the same app, headless, at that size)."""
    import asyncio
    import tempfile

    from observer.codebook import load_codebook
    from observer.tui.coding.app import CodingApp
    from observer.tui.targets import pressed

    async def find() -> dict[str, tuple[int, int]]:
        book = load_codebook("cpp-attachment")
        with tempfile.TemporaryDirectory() as folder:
            app = CodingApp(Path(folder), book=book, dyad="B01", observer="bench", touch=True)
            async with app.run_test(size=size) as pilot:
                await pilot.pause(0.5)
                found: dict[str, tuple[int, int]] = {}
                for y in range(size[1]):
                    for x in range(size[0]):
                        press = pressed(app.screen.get_style_at(x, y))
                        if press is not None and press[0] in keys:
                            found.setdefault(press[0], (x, y))
                return found

    return asyncio.run(find())


def measure_taps(folder: Path, taps: int) -> list[float]:
    """Delays in ms, one per tap on ``observer serve``'s touch page (a tablet emulated in
    Chromium, taps dispatched as touch events), from each touchstart's own timestamp in
    the page to the tap's recorded time."""
    from selenium.webdriver.common.by import By

    serve = subprocess.Popen(
        [sys.executable, "-m", "observer", "serve", "--port", "0", "--session-dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    driver = None
    try:
        assert serve.stdout is not None
        url = serve.stdout.readline().split("open ", 1)[1].strip()
        driver = _browser()
        metrics = {"width": 1024, "height": 768, "deviceScaleFactor": 1, "mobile": True}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        driver.execute_cdp_cmd(
            "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}
        )
        driver.get(url)
        driver.find_element(By.ID, "dyad").send_keys("B01")
        driver.find_element(By.ID, "observer").send_keys("bench")
        driver.find_element(By.ID, "touch").click()
        driver.find_element(By.ID, "start").click()
        log = _wait(lambda: list(folder.glob("*.keys.jsonl")))[0]
        size = _wait(lambda: driver.execute_script("return window.observerTerminal"))
        cells = _cells((size["width"], size["height"]), ("space", "o", "r"))
        box = driver.execute_script(
            "const b = document.querySelector('#terminal .xterm-screen').getBoundingClientRect();"
            "return [b.left, b.top, b.width / arguments[0], b.height / arguments[1]];",
            size["width"],
            size["height"],
        )
        time.sleep(0.5)

        def tap(key: str) -> None:
            x, y = cells[key]
            point = {"x": box[0] + (x + 0.5) * box[2], "y": box[1] + (y + 0.5) * box[3]}
            for kind, points in (("touchStart", [point]), ("touchEnd", [])):
                event = {"type": kind, "touchPoints": points}
                driver.execute_cdp_cmd("Input.dispatchTouchEvent", event)

        tap("space")
        for i in range(taps):
            time.sleep(GAP_S)
            tap("o" if i % 2 else "r")
        offset = time.time() - time.monotonic()  # this machine's two clocks, read together
        stamps = _wait(lambda: _stamps(log, taps + 1)) if taps else []
        touched = driver.execute_script("return window.observerTaps")
    finally:
        if driver is not None:
            driver.quit()
        serve.send_signal(signal.SIGINT)
        serve.wait(30)
    return [(s + offset) * 1000 - d for s, d in zip(stamps, touched, strict=True)][1:]


def run(quick: bool = False) -> list[dict[str, Any]]:
    what = "observer serve: browser keydown to recorded time, loopback"
    missing = [n for n in ("chromium", "chromedriver") if shutil.which(n) is None]
    try:
        import selenium  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError:
        missing.append("the test extra (selenium, textual-serve)")
    if missing:
        return [
            row(what, None, "reported", "ms", None, f"not measured: needs {', '.join(missing)}")
        ]
    with scratch_dir("serve") as folder:
        delays = measure(folder / "sessions", 20 if quick else KEYS)
    load = os.getloadavg()[0]
    note = (
        f"{len(delays)} keys 0.1 s apart; p99 {percentile(delays, 99):.1f} ms,"
        f" max {max(delays):.1f} ms; load {load:.1f}; first ten: {listing(delays[:10])}"
    )
    rows = [row(f"{what}, median", median(delays), "reported", "ms", None, note)]
    with scratch_dir("serve-touch") as folder:
        taps = measure_taps(folder / "sessions", 20 if quick else KEYS)
    load = os.getloadavg()[0]
    note = (
        f"{len(taps)} taps 0.1 s apart on the touch page (a 1024x768 tablet emulated);"
        f" p99 {percentile(taps, 99):.1f} ms, max {max(taps):.1f} ms; load {load:.1f};"
        f" first ten: {listing(taps[:10])}"
    )
    tapped = "observer serve --touch: touchstart to recorded time, loopback, median"
    rows.append(row(tapped, median(taps), "reported", "ms", None, note))
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    sys.exit(main(["--only", "serve", *sys.argv[1:]]))
