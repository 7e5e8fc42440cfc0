"""What observer remembers between runs for the person at the keyboard (the reviewer
id, the observer id), in ``config.json`` in the user's config folder, mode 0600 in a
0700 folder; and where the state observer keeps for that person goes (unsaved copies,
crash logs).

The folders are the platform's own (``platformdirs``): ``$XDG_CONFIG_HOME/observer``
(default ``~/.config/observer``) and ``$XDG_STATE_HOME/observer`` (default
``~/.local/state/observer``) on Linux; ``~/Library/Application Support/observer`` for
both on macOS; ``%LOCALAPPDATA%\\observer`` for both on Windows. A ``$XDG_CONFIG_HOME``
or ``$XDG_STATE_HOME`` that is set is used on every system."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from observer import jsonio
from observer.errors import InputError


def config_dir() -> Path:
    """The user's config folder for observer (see the module docstring)."""
    given = os.environ.get("XDG_CONFIG_HOME")
    if given:
        return Path(given) / "observer"
    import platformdirs  # only when asked: nothing of a first frame needs it

    return Path(platformdirs.user_config_dir("observer", appauthor=False))


def state_dir() -> Path:
    """The user's state folder for observer: unsaved copies, crash logs."""
    given = os.environ.get("XDG_STATE_HOME")
    if given:
        return Path(given) / "observer"
    import platformdirs

    return Path(platformdirs.user_state_dir("observer", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.json"


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
