"""The documentation tells the truth: the command reference is what the commands print,
every link inside the docs lands on a file and a heading that exist, and the project's
files stand on their own."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]
DOCS += [p for p in (REPO / "CONTRIBUTING.md", REPO / "CHANGELOG.md") if p.exists()]


def _commands_module() -> Any:  # docs/commands.py is a script, not part of the package
    spec = importlib.util.spec_from_file_location("docs_commands", REPO / "docs" / "commands.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_every_commands_help() -> None:
    module = _commands_module()
    current = module.DOC.read_text("utf-8")
    assert module.render(current) == current, "docs/commands.md is stale: python docs/commands.py"
    for name in module.command_names():
        assert f"<!-- help: {name} -->" in current, name


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    found: set[str] = set()
    fenced = False
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#+ (.*)", line)):
            found.add(_slug(m.group(1)))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc: Path) -> None:
    text = re.sub(r"```.*?```", "", doc.read_text("utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.exists(), f"{doc.name}: {target}"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"{doc.name}: {target}"


def test_the_project_names_no_outside_contract() -> None:
    word = "S" + "PEC"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    hits = [
        name
        for name in tracked
        if (REPO / name).is_file()
        and not name.endswith((".svg", ".boris", ".gz"))
        and re.search(rf"\b{word}\b", (REPO / name).read_text("utf-8", errors="replace"))
    ]
    assert hits == []
