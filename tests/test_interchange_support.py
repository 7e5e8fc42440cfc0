"""Helpers shared by the interchange tests (no tests here)."""

from __future__ import annotations

import pytest

from observer.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``observer ARGS`` in this process: (exit status, stdout, stderr)."""
    try:
        main(args)
    except SystemExit as done:
        code = int(done.code or 0)
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err
