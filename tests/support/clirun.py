"""Run the ``observer`` command in this process, as the console script would."""

from __future__ import annotations

import pytest

from observer.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``observer ARGV``: (exit status, stdout, stderr)."""
    try:
        main(argv)
    except SystemExit as done:
        code = int(done.code or 0)
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err
