"""Make the clinic page's two screenshots (docs/images/clinic-*.svg) from the real app:
``python docs/clinic_screens.py``. A synthetic weekly coding with ``dpics-style``:
child-led play 1 min 48 s in, tallies beside the legend, a command's window counted
down; then the end summary with the criteria table."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from observer.codebook import load_codebook
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary
from observer.tui.coding.screen import CodingScreen

HERE = Path(__file__).parent / "images"
T0 = 1000.0
KEYS = (
    [("space", 0.0), ("f2", 2.0)]
    + [(key, 4.0 + 2.5 * i) for i, key in enumerate("lrdldrqlrdlytrdlcy")]
    + [("c", 108.0)]
)


async def wait(pilot: object, condition: object) -> None:
    for _ in range(1000):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.01)  # type: ignore[attr-defined]
    raise SystemExit("the screen never got there")


async def main() -> None:
    now = [T0]
    with tempfile.TemporaryDirectory() as folder:
        app = CodingApp(
            Path(folder), book=load_codebook("dpics-style"), dyad="D012", observer="th1",
            now=lambda: now[0],
        )  # fmt: skip
        async with app.run_test(size=(100, 32)) as pilot:
            await wait(pilot, lambda: isinstance(app.screen, CodingScreen) and app.screen.attached)
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            for key, at in KEYS:
                now[0] = T0 + at
                screen.press(
                    key, T0 + at, key if len(key) == 1 else (" " if key == "space" else None)
                )
            now[0] = T0 + 109.8
            screen.tick()
            await pilot.pause()
            (HERE / "clinic-coding.svg").write_text(app.export_screenshot(title="observer code"))
            screen.press("ctrl+e", T0 + 110.0)
            await wait(pilot, lambda: isinstance(app.screen, ConfirmEnd))
            await pilot.press("enter")
            await wait(pilot, lambda: isinstance(app.screen, RatingsForm | Summary))
            if isinstance(app.screen, RatingsForm):
                await pilot.press("ctrl+s")
            await wait(pilot, lambda: isinstance(app.screen, Summary))
            await pilot.pause()
            (HERE / "clinic-summary.svg").write_text(app.export_screenshot(title="observer code"))


if __name__ == "__main__":
    asyncio.run(main())
