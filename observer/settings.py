"""What observer remembers between runs for the person at the keyboard (the reviewer
id, the observer id), in ``$XDG_CONFIG_HOME/observer/config.json`` (default
``~/.config/observer/config.json``), mode 0600 in a 0700 folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from observer import jsonio
from observer.errors import InputError


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "observer" / "config.json"


def read_config(path: Path | None = None) -> dict[str, Any]:
    """The settings, {} when there are none (or the file is unreadable)."""
    try:
        data = jsonio.read_json(path or config_path())
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def remember(name: str, value: str, path: Path | None = None) -> Path:
    """Keep ``name`` = ``value`` (other settings in the file are kept); atomic, 0600."""
    path = path or config_path()
    data = read_config(path)
    data[name] = value
    payload = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    jsonio.make_folders(path.parent)  # 0700 whatever the umask, parents too
    if path.exists():
        os.chmod(path, jsonio.PRIVATE_MODE)
        jsonio.replace(path, payload)
    else:
        jsonio.write_new(path, payload)
    return path
