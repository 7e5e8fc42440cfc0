"""The config and state folders: XDG's when set, else the platform's own (on Linux the
same places as XDG's defaults, so nothing moves for existing users)."""

from __future__ import annotations

from pathlib import Path

import pytest

from observer.live.copies import fallback_folder
from observer.settings import config_dir, config_path, state_dir


def test_xdg_folders_are_used_when_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    assert config_path() == tmp_path / "c" / "observer" / "config.json"
    assert fallback_folder() == tmp_path / "s" / "observer" / "unsaved"


def test_otherwise_the_platforms_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_dir() == tmp_path / ".config" / "observer"  # Linux: XDG's defaults
    assert state_dir() == tmp_path / ".local" / "state" / "observer"
