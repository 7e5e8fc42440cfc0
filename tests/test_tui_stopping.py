"""The stop machinery of ``observer code`` (observer/tui/stopping.py, the terminal
output of observer/tui/driver.py): a stop always ends the process, even when the
app's event loop never comes back."""

from __future__ import annotations

import asyncio
import io
import signal
import threading

from observer.tui.driver import TerminalOutput
from observer.tui.stopping import Stopper


def recorder() -> tuple[list[str], threading.Event, Stopper, list[signal.Signals]]:
    log: list[str] = []
    ended = threading.Event()
    stops: list[signal.Signals] = []

    def exit_now(status: int) -> None:
        log.append(f"exit {status}")
        ended.set()

    stopper = Stopper(stops.append, lambda: log.append("drained"), deadline=0.2, exit_now=exit_now)
    return log, ended, stopper, stops


def test_a_stop_that_the_app_never_finishes_drains_and_exits_after_the_deadline() -> None:
    log, ended, stopper, stops = recorder()
    stopper.request(signal.SIGHUP)  # no loop yet (start-up): nothing can act on it but the deadline
    assert ended.wait(30)
    assert log == ["drained", "exit 129"] and stops == []


def test_a_second_signal_ends_the_process_at_once() -> None:
    log, ended, stopper, _ = recorder()
    stopper.deadline = 3600.0
    stopper.request(signal.SIGTERM)
    stopper.request(signal.SIGINT)
    assert ended.wait(30)
    assert log == ["drained", "exit 143"]  # the first signal's status


async def test_a_stop_during_start_up_reaches_the_app_once_its_loop_runs() -> None:
    _, _, stopper, stops = recorder()
    stopper.deadline = 3600.0
    stopper.request(signal.SIGTERM)
    stopper.attach(asyncio.get_running_loop())
    for _ in range(500):  # it arrives from the stop thread, whichever came first
        if stops:
            break
        await asyncio.sleep(0.01)
    assert stops == [signal.SIGTERM]


def test_the_terminal_output_drops_what_a_hung_up_terminal_cannot_take() -> None:
    class HungUp(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(5, "Input/output error")

    lost: list[int] = []
    out = TerminalOutput(HungUp(), lambda: lost.append(1))
    for _ in range(100):  # Textual's output thread queues at most 30: it must go on
        out.write("\x1b[?1049l")
        out.flush()
    assert out.gone and lost == [1]
