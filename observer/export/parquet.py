"""Events as Parquet (pyarrow, the ``formats`` extra): the CSV export's columns, typed.

``session, dyad, observer, code, label, group, actor, kind, segment, status`` and
``modifiers``, ``flags`` are strings (empty where the CSV is empty), ``start, end,
duration`` doubles in seconds (``end`` and ``duration`` null for a point event).

- One file (:func:`parquet_chunks`): every session given, written a row group at a
  time as the sessions are read (at most :data:`BATCH_ROWS` events are held).
- A folder tree (:func:`write_partitioned`), partitioned the way DuckDB, pyarrow,
  Spark and polars read as *hive* partitioning: ``DIR/site=a/observer=x/part-0.parquet``.
  The partition keys (:data:`PARTITION_KEYS`) are per session: ``site`` is the name of
  the folder the session file is in (a multi-site study keeps each site's sessions in
  its own folder, as ``observer reliability site-a/ site-b/`` reads them), ``codebook``
  the codebook id, ``observer`` and ``dyad`` the session's. A key's column is in the
  folder names, not in the files (as hive partitioning has it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from observer.durable import fsync
from observer.errors import InputError, Problem
from observer.export.tables import ChunkSink, arrow_array, arrow_schema
from observer.export.tabular import COLUMNS, event_columns
from observer.jsonio import make_folders
from observer.sessionfile import Session

BATCH_ROWS = 65_536
"""Events per row group: what is held in memory before it is written."""
OPEN_FILES = 128
"""Partition files open at once while a folder tree is written."""
PARTITION_KEYS = ("site", "codebook", "observer", "dyad")
_NUMBERS = frozenset({"start", "end", "duration"})
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def schema(drop: Sequence[str] = ()) -> Any:
    return arrow_schema(
        [
            (name, "number" if name in _NUMBERS else "text", "")
            for name in COLUMNS
            if name not in drop
        ]
    )


def batches(sessions: Iterable[Session], drop: Sequence[str] = ()) -> Iterator[Any]:
    """Record batches of whole sessions' events, each yielded once it holds
    :data:`BATCH_ROWS` rows or more (and the rest at the end)."""
    import pyarrow as pa

    shape = schema(drop)
    held: dict[str, list[Any]] = {name: [] for name in shape.names}
    rows = 0

    def batch() -> Any:
        arrays = [
            arrow_array("number" if name in _NUMBERS else "text", held[name])
            for name in shape.names
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=shape)

    for session in sessions:
        columns = event_columns(session)
        for name in shape.names:
            held[name].extend(columns[name])
        rows += len(session.events)
        if rows >= BATCH_ROWS:
            yield batch()
            held = {name: [] for name in shape.names}
            rows = 0
    if rows:
        yield batch()


def parquet_chunks(sessions: Iterable[Session]) -> Iterator[bytes]:
    """One Parquet file of every session's events, in pieces (a row group per batch)."""
    import pyarrow.parquet as pq

    sink = ChunkSink()
    with pq.ParquetWriter(sink, schema()) as writer:
        for batch in batches(sessions):
            writer.write_batch(batch)
            yield sink.take()
    yield sink.take()


def partition_values(path: str, session: Session, keys: Sequence[str]) -> tuple[str, ...]:
    """The session's value of each partition key; an InputError when a site folder's
    name cannot be a partition value."""
    out: list[str] = []
    for key in keys:
        if key == "site":
            value = Path(path).resolve().parent.name
            if not _SAFE.fullmatch(value):
                raise InputError.one(
                    path,
                    "$",
                    f"its folder's name {value!r} cannot be a site: use letters, digits,"
                    " '.', '_' and '-', starting with a letter or digit",
                )
        elif key == "codebook":
            value = session.codebook.id
        else:
            value = session.dyad if key == "dyad" else session.observer
            if not _SAFE.fullmatch(value):  # an observer may be empty
                raise InputError.one(
                    path, key, f"{value!r} cannot be a partition value (letters, digits, . _ -)"
                )
        out.append(value)
    return tuple(out)


class _Partitions:
    """One ParquetWriter per partition folder, at most :data:`OPEN_FILES` open at once
    (the least recently used is closed, and that partition's next rows go to its next
    ``part-N.parquet``); rows are held per partition and written as row groups once
    :data:`BATCH_ROWS` rows are held in all."""

    def __init__(self, folder: Path, shape: Any) -> None:
        self.folder, self.shape = folder, shape
        self.open: dict[Path, Any] = {}  # partition folder -> (writer, handle), oldest first
        self.parts: dict[Path, int] = {}
        self.held: dict[Path, list[Any]] = {}
        self.rows = 0
        self.files = 0

    def add(self, where: Path, batch: Any) -> None:
        self.held.setdefault(where, []).append(batch)
        self.rows += batch.num_rows
        if self.rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        for where, held in self.held.items():
            self._writer(where).write_table(pa.Table.from_batches(held, schema=self.shape))
        self.held.clear()
        self.rows = 0

    def _writer(self, where: Path) -> Any:
        import pyarrow.parquet as pq

        if where in self.open:
            self.open[where] = self.open.pop(where)  # now the most recently used
            return self.open[where][0]
        if len(self.open) >= OPEN_FILES:
            self._close(next(iter(self.open)))
        make_folders(self.folder / where)
        n = self.parts.get(where, 0)
        self.parts[where] = n + 1
        fd = os.open(
            self.folder / where / f"part-{n}.parquet", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
        )
        handle = os.fdopen(fd, "wb")
        self.open[where] = (pq.ParquetWriter(handle, self.shape), handle)
        self.files += 1
        return self.open[where][0]

    def _close(self, where: Path) -> None:
        writer, handle = self.open.pop(where)
        writer.close()
        handle.flush()
        fsync(handle.fileno())
        handle.close()

    def close(self) -> None:
        self.flush()
        for where in list(self.open):
            self._close(where)


def write_partitioned(
    named: Iterable[tuple[str, Session]], folder: Path, keys: Sequence[str]
) -> int:
    """Fill ``folder`` (new and private: the caller renames it into place once it is
    complete) with ``KEY=VALUE/.../part-N.parquet``, every file 0600 and fsynced,
    every folder 0700. Returns the number of files written."""
    problems: list[Problem] = []
    drop = [k for k in keys if k in COLUMNS]  # observer, dyad: in the folder names only
    shape = schema(drop)
    files = _Partitions(folder, shape)
    try:
        for path, session in named:
            try:
                values = partition_values(path, session, keys)
            except InputError as error:
                problems.extend(error.problems)
                continue
            if problems:
                continue
            where = Path(*(f"{k}={v}" for k, v in zip(keys, values, strict=True)))
            for batch in batches([session], drop):
                files.add(where, batch)
    finally:
        files.close()
    if problems:
        raise InputError(problems)
    return files.files
