"""``observer --help`` lists every command without importing any command's module (nor
the live, analysis or export code behind them), and lists them exactly as click would
from the commands themselves."""

from __future__ import annotations

import re
import subprocess
import sys

import click
import pytest

from observer.cli import COMMANDS, cli


def test_the_command_list_imports_no_command() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "observer", "--help"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    imported = set(re.findall(r"\|\s+(observer[\w.]*)\s*$", done.stderr, re.M))
    heavy = sorted(m for m in imported if m.startswith(("observer.cli.", "observer.live",
                   "observer.analysis", "observer.export", "observer.tui", "observer.codebook")))  # fmt: skip
    assert heavy == []
    for name in COMMANDS:
        assert f"  {name} " in done.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_sentence_is_the_commands_own(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert command.get_short_help_str(limit=10_000) == COMMANDS[name].summary


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_the_list_is_what_click_writes_from_the_commands(width: int) -> None:
    ctx = click.Context(cli, terminal_width=width)
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    cli.format_commands(ctx, ours)
    click.Group.format_commands(cli, ctx, clicks)  # loads every command to ask it
    assert ours.getvalue() == clicks.getvalue()
