"""Session ids, safe as file names, in one of two styles:

- ``dated`` (the default of an unencrypted folder): ``<UTC yyyymmddThhmmssZ>-<dyad>-<observer>``;
- ``random`` (the default of an encrypted folder, one holding ``recipients.txt``):
  ``<dyad>-<observer>-<6 random characters>``, say ``D012-obs1-k7q2m9``, the
  characters lowercase base 36 drawn from :mod:`secrets`: no date in the id nor in
  the file's name (``started_at`` stays inside the file).

Which style a folder's new sessions get (:func:`id_style`): ``observer code --ids``
(or ``$OBSERVER_IDS``), else the folder's ``ids.txt`` (one word, ``random`` or
``dated``; ``#`` comments), else ``"ids"`` in the user's ``config.json``, else the
default above.

Dyad and observer ids are typed by people, so they are reduced to
``[A-Za-z0-9._-]`` (anything else becomes ``-``; runs of dots collapse, so no
``..`` survives; leading and trailing punctuation is dropped; at most
:data:`MAX_PART` characters). The id therefore always passes
``observer.sessionfile.valid_session_id`` and can never name a path outside the
session folder. ``new_session_id`` adds ``-2``, ``-3``, ... when a session or
journal of that id already exists in the folder, ignoring case (on macOS and Windows
``D1`` and ``d1`` name one file).
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from observer.errors import InputError
from observer.textsafe import control_problem

IdStyle = Literal["dated", "random"]
STYLES: tuple[IdStyle, ...] = ("dated", "random")
IDS_FILE = "ids.txt"
"""The session folder's own choice of id style (beside ``recipients.txt``)."""
RANDOM_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 6
"""36**6, about 2.2 billion: a collision in one folder is rare, and retried."""
MAX_TRIES = 1000

MAX_PART = 40
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")


def sanitize(text: str, fallback: str) -> str:
    """``text`` reduced to safe file-name characters, or ``fallback`` if nothing is left."""
    safe = _DOTS.sub(".", _UNSAFE.sub("-", text))
    safe = safe[:MAX_PART].strip("._-")
    return safe or fallback


def typed_problems(**fields: str | None) -> list[tuple[str, str]]:
    """(field, problem) for each typed id or label (dyad, observer, label) that holds
    control characters: refused at the door, in the form and on the command line."""
    out = []
    for name, value in fields.items():
        problem = control_problem(value) if value else None
        if problem is not None:
            out.append((name, problem))
    return out


def base_session_id(dyad: str, observer: str, when: datetime) -> str:
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    session_id = f"{stamp}-{sanitize(dyad, 'dyad')}-{sanitize(observer, 'observer')}"
    # here, not at the top: checking typed ids comes before the first frame, and the
    # session model costs about 25 ms to import
    from observer.sessionfile import valid_session_id

    assert valid_session_id(session_id), session_id
    return session_id


def taken(folder: Path, session_id: str) -> bool:
    """Whether anything in ``folder`` already uses this id (session, journal, set-aside),
    in any case."""
    prefix = f"{session_id}.".casefold()
    try:
        return any(name.casefold().startswith(prefix) for name in os.listdir(folder))
    except OSError:
        return False


def random_part(length: int = RANDOM_LENGTH) -> str:
    """``length`` lowercase base-36 characters from :mod:`secrets`."""
    return "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(length))


def random_session_id(dyad: str, observer: str, folder: Path) -> str:
    """``<dyad>-<observer>-<random>``, unique in ``folder`` (a new draw on a collision)."""
    from observer.sessionfile import valid_session_id

    head = f"{sanitize(dyad, 'dyad')}-{sanitize(observer, 'observer')}"
    for _ in range(MAX_TRIES):
        session_id = f"{head}-{random_part()}"
        if not taken(folder, session_id):
            assert valid_session_id(session_id), session_id
            return session_id
    raise RuntimeError(f"no free random session id in {folder} after {MAX_TRIES} draws")


def new_session_id(
    dyad: str,
    observer: str,
    folder: Path,
    when: datetime | None = None,
    style: IdStyle = "dated",
) -> str:
    """A fresh id for a session started ``when`` (default now), unique in ``folder``;
    ``style`` ``random``: without the date (:func:`random_session_id`)."""
    if style == "random":
        return random_session_id(dyad, observer, folder)
    base = base_session_id(dyad, observer, when or datetime.now(UTC))
    session_id, n = base, 1
    while taken(folder, session_id):
        n += 1
        session_id = f"{base}-{n}"
    return session_id


def _style_of(text: object, file: str, location: str) -> IdStyle:
    for style in STYLES:
        if text == style:
            return style
    raise InputError.one(file, location, f"must be random or dated, not {text!r}")


def folder_style(folder: Path) -> IdStyle | None:
    """The style named by the folder's ``ids.txt`` (None without one); InputError when
    it names neither."""
    path = folder / IDS_FILE
    try:
        data = path.read_bytes()[: 1 << 16]
    except (FileNotFoundError, NotADirectoryError):
        return None  # no folder yet (or not a folder): the folder's own check says so
    except OSError as error:
        raise InputError.one(str(path), "$", f"cannot read: {error.strerror}") from None
    words = [
        line.split("#", 1)[0].strip()
        for line in data.decode("utf-8", errors="replace").splitlines()
    ]
    words = [w for w in words if w]
    if len(words) != 1:
        raise InputError.one(str(path), "$", "must hold one word: random or dated")
    return _style_of(words[0], str(path), "$")


def id_style(folder: Path, given: str | None = None, config: Path | None = None) -> IdStyle:
    """The id style of the sessions started in ``folder`` (see the module docstring)."""
    if given is not None:
        return _style_of(given, "--ids", "$")
    chosen = folder_style(folder)
    if chosen is not None:
        return chosen
    from observer.settings import config_path, read_config

    configured = read_config(config).get("ids")
    if configured is not None:
        return _style_of(configured, str(config or config_path()), "ids")
    from observer.crypto.folder import is_encrypted

    return "random" if is_encrypted(folder) else "dated"
