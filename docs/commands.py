"""Keep docs/commands.md's ``--help`` blocks equal to what the commands print.

``python docs/commands.py`` rewrites every block (and adds a section for a command that
has none); ``python docs/commands.py --check`` changes nothing and exits 1 when a block is
stale or missing. CI runs the check, so the command reference cannot drift from the
program.

A block is the fenced text between ``<!-- help: observer NAME -->`` and
``<!-- /help -->``; it sits under the command's ``## `observer NAME``` heading.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from observer.cli import COMMANDS, cli

DOC = Path(__file__).with_name("commands.md")
WIDTH = 88
BLOCK = re.compile(r"<!-- help: (observer[^>]*?) -->\n.*?<!-- /help -->", re.S)


def command_names() -> list[str]:
    """Every command and subcommand, as typed after ``observer``."""
    names: list[str] = ["observer"]
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        names.append(f"observer {name}")
        if isinstance(command, click.Group):
            names.extend(
                f"observer {name} {sub}" for sub in command.list_commands(click.Context(command))
            )
    return names


def help_text(name: str) -> str:
    args = name.split()[1:]
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="observer", terminal_width=WIDTH)
    if result.exit_code != 0:
        raise SystemExit(f"{name} --help exited {result.exit_code}: {result.output}")
    return result.output.rstrip() + "\n"


def block(name: str) -> str:
    return f"<!-- help: {name} -->\n```text\n$ {name} --help\n{help_text(name)}```\n<!-- /help -->"


def render(text: str) -> str:
    """``text`` with every block current and a section for each command lacking one."""
    text = BLOCK.sub(lambda m: block(m.group(1)), text)
    present = set(BLOCK.findall(text))
    for name in command_names():
        if name in present:
            continue
        heading = f"## `{name}`"
        if heading in text:
            start = text.index(heading) + len(heading)
            nxt = text.find("\n## ", start)
            end = len(text) if nxt < 0 else nxt
            text = text[:end].rstrip("\n") + "\n\n" + block(name) + "\n" + text[end:]
        else:
            text = text.rstrip("\n") + f"\n\n{heading}\n\n{block(name)}\n"
    return text


def main(argv: list[str]) -> int:
    current = DOC.read_text("utf-8")
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print(f"{DOC}: stale; run: python docs/commands.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(wanted, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
