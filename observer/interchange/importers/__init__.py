"""Importers: other tools' coded events (and observer's own CSV/TSV) as session files.

One module per format; ``FORMATS`` is the table ``observer import --from`` reads.
Each importer takes the source file's bytes and returns :class:`Imported` sessions
(validated as any session file) or raises :class:`~observer.errors.InputError`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import attrs

from observer.codebook import Codebook
from observer.errors import Problem
from observer.sessionfile import ImportedFrom, Session

MAX_SOURCE_BYTES = 512 * 1024 * 1024


@attrs.frozen
class Imported:
    """What one source file gave: its sessions and the codebook they use."""

    sessions: tuple[Session, ...]
    codebook: Codebook
    derived: bool
    """True when the codebook was derived from the file (no --codebook given)."""
    notices: tuple[Problem, ...] = ()
    """What was left out or changed (printed on standard error)."""


def origin(fmt: str, path: Path, data: bytes) -> ImportedFrom:
    return ImportedFrom(fmt, path.name, hashlib.sha256(data).hexdigest())


FORMATS: dict[str, str] = {
    "csv": "observer.interchange.importers.tabular:import_csv",
    "tsv": "observer.interchange.importers.tabular:import_tsv",
    "eaf": "observer.interchange.importers.eaf:import_eaf",
}
"""format name -> "module:function(path, data, codebook) -> Imported"."""
