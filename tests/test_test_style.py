"""The tests keep one async style: a test that awaits is an ``async def test_…``, run
by the event loop of ``conftest.py``; no test module or helper starts a loop of its
own (``asyncio.run``, ``run_until_complete``)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
RUNNER = TESTS / "conftest.py"  # the one place an event loop is started
LOOP_STARTERS = frozenset({"run", "run_until_complete", "run_forever"})


def loops_started(source: str) -> list[int]:
    """The lines of ``source`` that start an event loop: ``asyncio.run(…)``, a loop's
    ``run_until_complete(…)``/``run_forever()``, or ``run`` imported from asyncio."""
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "asyncio"
        for alias in node.names
        if alias.name in LOOP_STARTERS
    }

    def starts(func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in imported
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr in {"run_until_complete", "run_forever"}:
            return True
        return (
            func.attr == "run" and isinstance(func.value, ast.Name) and func.value.id == "asyncio"
        )

    lines = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and starts(n.func)]
    return sorted(lines)


def test_no_test_starts_an_event_loop_of_its_own() -> None:
    modules = sorted(p for p in TESTS.rglob("*.py") if p != RUNNER)
    assert len(modules) > 100 and TESTS / "support" / "pilot.py" in modules
    found = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in modules
        for line in loops_started(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "write these as `async def test_…` (conftest runs them): " + ", ".join(
        found
    )


def test_the_check_finds_every_way_of_starting_a_loop_and_nothing_else() -> None:
    assert loops_started("import asyncio\nasyncio.run(main())\n") == [2]
    assert loops_started("from asyncio import run as go\n\ngo(main())\n") == [3]
    assert loops_started("loop = asyncio.new_event_loop()\nloop.run_until_complete(f())\n") == [2]
    assert loops_started("asyncio.get_event_loop().run_forever()\n") == [1]
    # a script for a child process is text, not a call; awaiting is the one style
    assert loops_started('SCRIPT = """\nasyncio.run(main())\n"""\n') == []
    assert loops_started("async def test_x() -> None:\n    await asyncio.sleep(0)\n") == []
    assert loops_started("app.run(headless=True)\nsubprocess.run(['x'])\n") == []
    # the runner itself is the exception, and it does start one
    assert loops_started(RUNNER.read_text(encoding="utf-8"))
