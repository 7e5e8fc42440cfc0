"""The core never imports textual: it must run, and be tested, without a terminal."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import observer

UI_PACKAGES = ("observer.tui", "observer.cli")


def core_modules() -> list[str]:
    root = Path(observer.__file__).parent
    names = ["observer"]
    for info in pkgutil.walk_packages([str(root)], prefix="observer."):
        if not info.name.startswith(UI_PACKAGES) and info.name != "observer.__main__":
            names.append(info.name)
    return names


def test_there_are_core_modules_to_check() -> None:
    modules = core_modules()
    assert "observer.codebook" in modules
    assert "observer.sessionfile" in modules
    assert not any(m.startswith("observer.tui") for m in modules)


def test_core_modules_do_not_import_textual() -> None:
    modules = core_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"core imported textual: {result.stdout.strip()}"


def test_the_check_itself_detects_textual() -> None:
    """Guard against a check that cannot fail: importing the TUI does pull in textual."""
    script = "import sys, textual.app; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "True"
