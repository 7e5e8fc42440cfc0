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
from observer.export import modifier_text
from observer.export.tables import ChunkSink
from observer.export.tabular import COLUMNS
from observer.sessionfile import Session, segment_finder

BATCH_ROWS = 65_536
"""Events per row group: what is held in memory before it is written."""
PARTITION_KEYS = ("site", "codebook", "observer", "dyad")
_NUMBERS = frozenset({"start", "end", "duration"})
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def schema(drop: Sequence[str] = ()) -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(name, pa.float64() if name in _NUMBERS else pa.string())
            for name in COLUMNS
            if name not in drop
        ]
    )


def _columns(session: Session) -> dict[str, list[Any]]:
    """The session's events, column by column."""
    book = session.book
    codes = book.code_by_id
    segment_at = segment_finder(session)
    n = len(session.events)
    out: dict[str, list[Any]] = {
        "session": [session.id] * n,
        "dyad": [session.dyad] * n,
        "observer": [session.observer] * n,
        "status": [session.status] * n,
    }
    code: list[str] = []
    label: list[str] = []
    group: list[str] = []
    actor: list[str] = []
    kind: list[str] = []
    start: list[float] = []
    end: list[float | None] = []
    duration: list[float | None] = []
    modifiers: list[str] = []
    segment: list[str] = []
    flags: list[str] = []
    for event in session.events:
        c = codes[event.code]
        code.append(c.id)
        label.append(c.label)
        group.append(c.group)
        actor.append(c.actor)
        kind.append(c.kind)
        start.append(round(event.start, 6))
        stop = event.end
        if stop is None:
            end.append(None)
            duration.append(None)
        else:
            end.append(round(stop, 6))
            duration.append(max(0.0, round(stop - event.start, 6)))
        modifiers.append(modifier_text(event.modifiers, c.modifiers) if event.modifiers else "")
        segment.append(segment_at(event.start))
        flags.append(";".join(event.flags))
    out.update(
        code=code,
        label=label,
        group=group,
        actor=actor,
        kind=kind,
        start=start,
        end=end,
        duration=duration,
        modifiers=modifiers,
        segment=segment,
        flags=flags,
    )
    return out


def batches(sessions: Iterable[Session], drop: Sequence[str] = ()) -> Iterator[Any]:
    """Record batches of at most about :data:`BATCH_ROWS` rows (a session's events
    are never split across two batches unless it alone has more)."""
    import pyarrow as pa

    shape = schema(drop)
    held: dict[str, list[Any]] = {name: [] for name in shape.names}
    rows = 0
    for session in sessions:
        columns = _columns(session)
        for name in shape.names:
            held[name].extend(columns[name])
        rows += len(session.events)
        if rows >= BATCH_ROWS:
            yield pa.RecordBatch.from_pydict(held, schema=shape)
            held = {name: [] for name in shape.names}
            rows = 0
    if rows:
        yield pa.RecordBatch.from_pydict(held, schema=shape)


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


def write_partitioned(
    named: Iterable[tuple[str, Session]], folder: Path, keys: Sequence[str]
) -> int:
    """Fill ``folder`` (new, private) with ``KEY=VALUE/.../part-N.parquet``: each
    partition's sessions in one file (more when it passes pyarrow's open-file limit),
    every file 0600 and fsynced, every folder 0700. Returns the number of files."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    problems: list[Problem] = []
    shape = schema()
    part_fields = [pa.field(k, pa.string()) for k in keys]
    extra = [k for k in keys if k not in shape.names]  # site, codebook: not CSV columns
    full = pa.schema([*shape, *(f for f in part_fields if f.name in extra)])

    def stream() -> Iterator[Any]:
        for path, session in named:
            try:
                values = partition_values(path, session, keys)
            except InputError as error:
                problems.extend(error.problems)
                continue
            if problems:
                continue
            for batch in batches([session]):
                if extra:
                    constant = [
                        pa.array([v] * batch.num_rows, pa.string())
                        for k, v in zip(keys, values, strict=True)
                        if k in extra
                    ]
                    batch = pa.RecordBatch.from_arrays([*batch.columns, *constant], schema=full)
                yield batch

    ds.write_dataset(
        pa.RecordBatchReader.from_batches(full, stream()),
        folder,
        format="parquet",
        partitioning=ds.partitioning(pa.schema(part_fields), flavor="hive"),
        basename_template="part-{i}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        max_rows_per_group=BATCH_ROWS,
        min_rows_per_group=8192,
        create_dir=True,
    )
    if problems:
        raise InputError(problems)
    files = 0
    for root, dirs, names in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o700)
        for name in names:
            target = os.path.join(root, name)
            os.chmod(target, 0o600)
            fd = os.open(target, os.O_RDONLY)
            try:
                fsync(fd)
            finally:
                os.close(fd)
            files += 1
    return files
