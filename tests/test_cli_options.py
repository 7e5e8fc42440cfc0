"""Every numeric option of every command refuses NaN, infinities and out-of-range
values the same way (exit status 2, one line): walked from the command group itself,
so a new command or option is covered the day it is added."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from support.clirun import run

from observer.cli import COMMANDS, cli
from observer.cli.options import Number, NumberPair

CLI = Path(__file__).resolve().parent.parent / "observer" / "cli"


def commands() -> Iterator[tuple[list[str], click.Command]]:
    """``(argv prefix, command)`` for every command and subcommand of ``observer``."""
    ctx = click.Context(cli)

    def walk(
        prefix: list[str], command: click.Command
    ) -> Iterator[tuple[list[str], click.Command]]:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk([*prefix, name], sub)
        else:
            yield prefix, command

    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        yield from walk([name], command)


def options() -> list[tuple[list[str], click.Option]]:
    return [
        (prefix, param)
        for prefix, command in commands()
        for param in command.params
        if isinstance(param, click.Option) and not param.is_flag
    ]


def bad_values(kind: Number) -> list[str]:
    values = ["nan", "NaN", "inf", "-inf", "infinity", "1e308", "-1e308", "x", ""]
    values += [f"{kind.high * 2 + 1:g}", f"{kind.low - 1:g}" if kind.low else "-1"]
    if kind.low_open:
        values.append(f"{kind.low:g}")
    if kind.integer:
        values.append(f"{kind.low + 0.5:g}")
    return values


def cases() -> Iterator[tuple[list[str], str]]:
    for prefix, option in options():
        name = option.opts[0]
        if isinstance(option.type, Number):
            for value in bad_values(option.type):
                yield [*prefix, name, value], f"{' '.join(prefix)} {name} {value!r}"
        elif isinstance(option.type, NumberPair):
            for value in bad_values(option.type.of):
                for pair in (f"{value},1", f"0,{value}"):
                    yield [*prefix, name, pair], f"{' '.join(prefix)} {name} {pair!r}"
            yield [*prefix, name, "2,1"], f"{' '.join(prefix)} {name} '2,1'"


CASES = list(cases())


def test_every_numeric_option_takes_the_shared_type() -> None:
    """No option parses numbers on its own (click's FLOAT, INT and ranges let NaN by)."""
    own = [
        f"{' '.join(prefix)} {option.opts[0]}"
        for prefix, option in options()
        if isinstance(option.type, click.types.FloatParamType | click.types.IntParamType)
    ]
    assert own == [], f"use observer.cli.options.Number for {own}"
    assert len({c[1].split(" '")[0] for c in CASES}) >= 15  # the walk found the options


@pytest.mark.parametrize(("argv", "label"), CASES, ids=[label for _, label in CASES])
def test_a_bad_number_is_one_line_and_exit_2(
    argv: list[str], label: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2, (label, err)
    assert err.count("\n") == 1 and "Invalid value for" in err, err
    assert "internal error" not in err and out == ""


def test_no_command_imports_another_command() -> None:
    shared = {"observer.cli", "observer.cli.options", "observer.cli.files"}
    found = []
    for path in CLI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level or (module.startswith("observer.cli") and module not in shared):
                    found.append(f"{path.name}: {module}")
    assert found == []
