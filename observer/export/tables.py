"""A :class:`~observer.table.Table` written as CSV/TSV, SPSS ``.sav``, Stata ``.dta``
or Parquet.

- **CSV/TSV**: the columns' names as the header, cells as :func:`text_cell` writes them.
- **SPSS and Stata** (pyreadstat, which writes a whole pandas DataFrame: these files
  are made in memory, not streamed): each column a variable named after it, reduced
  to what both packages accept (:func:`variable_names`), its label the variable label;
  a ``category`` column numbered 1, 2, ... in the order of its values, each value its
  number's value label; a ``check`` 0/1 labelled ``no``/``yes``; a missing number
  system-missing (``.`` in Stata); text as text.
- **Parquet** (pyarrow): text and categories as strings, numbers as doubles, integers
  as 64-bit integers, checks as booleans; a missing cell null.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from observer.table import Table, text_cell

StatsFormat = Literal["sav", "dta"]

NAME_LENGTH = 32
"""Stata's limit on a variable name (SPSS allows 64): one set of names fits both."""
LABEL_LENGTH = {"sav": 256, "dta": 80}
VALUE_LABEL_BYTES = 120
"""SPSS's limit on a value label (Stata's is far larger)."""
RESERVED = frozenset(
    {
        # SPSS
        *("all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"),
        # Stata (its reserved names that start with _ cannot occur: such names get v_)
        *("byte", "double", "float", "if", "in", "int", "long", "using", "strl"),
    }
)
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")
CHUNK = 1 << 20


def variable_names(names: Sequence[str]) -> list[str]:
    """Each name as an SPSS and Stata variable name: every character but ASCII
    letters, digits and ``_`` becomes ``_``, a name not starting with a letter gets
    ``v_`` in front, names are cut to 32 characters; a name that is a reserved word
    gets ``_`` after it, and one equal to an earlier one (ignoring case) ``_2``, ``_3``..."""
    taken: set[str] = set()
    out: list[str] = []
    for name in names:
        base = _NOT_NAME.sub("_", name)
        if not base[:1].isalpha():
            base = f"v_{base}"
        base = base[:NAME_LENGTH]
        if base.lower() in RESERVED or re.fullmatch(r"str[0-9]+", base.lower()):
            base = f"{base}_"
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = base[: NAME_LENGTH - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes, never inside a character."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def csv_chunks(table: Table, delimiter: str = ",") -> Iterator[bytes]:
    """The table as CSV (or TSV): the header, then its rows, in pieces."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    for start in range(0, max(table.rows, 1), 10_000):
        for row in zip(*(cells[start : start + 10_000] for cells in table.cells), strict=True):
            writer.writerow([text_cell(v) for v in row])
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()


def _frame(table: Table, fmt: StatsFormat) -> tuple[Any, dict[str, Any]]:
    """The pandas DataFrame pyreadstat writes, and the labels it is given."""
    import numpy as np
    import pandas as pd

    names = variable_names([c.name for c in table.columns])
    data: dict[str, Any] = {}
    labels: list[str | None] = []
    value_labels: dict[str, dict[int | float, str]] = {}
    measure: dict[str, str] = {}
    formats: dict[str, str] = {}
    for name, column, cells in zip(names, table.columns, table.cells, strict=True):
        labels.append(_cut(column.label or column.name, LABEL_LENGTH[fmt]) or None)
        if column.kind == "text":
            data[name] = pd.Series(["" if v is None else str(v) for v in cells], dtype=object)
            measure[name] = "nominal"
            continue
        if column.kind == "category":
            number = {v: float(i) for i, v in enumerate(column.values, start=1)}
            values = [np.nan if v is None else number[str(v)] for v in cells]
            value_labels[name] = {
                i: _cut(v, VALUE_LABEL_BYTES) for i, v in enumerate(column.values, start=1)
            }
            measure[name], formats[name] = "nominal", "F8.0"
        elif column.kind == "check":
            values = [np.nan if v is None else float(bool(v)) for v in cells]
            value_labels[name] = {0: "no", 1: "yes"}
            measure[name], formats[name] = "nominal", "F1.0"
        else:
            values = [np.nan if v is None else float(v) for v in cells]
            measure[name] = "scale"
            if column.kind == "integer":
                formats[name] = "F8.0"
        data[name] = pd.Series(values, dtype="float64")
    frame = pd.DataFrame(data, columns=names)
    options: dict[str, Any] = {"column_labels": labels, "variable_value_labels": value_labels}
    if fmt == "sav":
        options["variable_measure"] = measure
        options["variable_format"] = formats
    return frame, options


def stats_chunks(table: Table, fmt: StatsFormat, file_label: str = "") -> Iterator[bytes]:
    """The table as an SPSS ``.sav`` or Stata ``.dta`` file, in pieces. pyreadstat
    writes a whole DataFrame to a path: the file is made in a private temporary
    folder (0700) and read back from there, then removed."""
    import pyreadstat

    frame, options = _frame(table, fmt)
    folder = Path(tempfile.mkdtemp(prefix="observer-export-"))
    try:
        path = folder / f"table.{fmt}"
        if fmt == "sav":
            pyreadstat.write_sav(
                frame, path, file_label=_cut(file_label, 64), compress=False, **options
            )
        else:
            pyreadstat.write_dta(
                frame, path, file_label=_cut(file_label, 80), version=14, **options
            )
        del frame
        os.chmod(path, 0o600)
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                yield block
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {
        "text": pa.string(),
        "category": pa.string(),
        "number": pa.float64(),
        "integer": pa.int64(),
        "check": pa.bool_(),
    }[kind]


def arrow_array(kind: str, cells: Sequence[Any]) -> Any:
    """``cells`` as an Arrow array of the column kind's type (None: null), made from
    its buffers: ``pyarrow.array`` would import pandas (a second more to start, 100 MB
    more memory) only to ask whether the cells are a pandas object."""
    import numpy as np
    import pyarrow as pa

    n = len(cells)
    valid = None
    if any(v is None for v in cells):
        mask = np.fromiter((v is not None for v in cells), dtype=np.bool_, count=n)
        valid = pa.py_buffer(np.packbits(mask, bitorder="little"))
    if kind in ("text", "category"):
        known: dict[Any, bytes] = {None: b""}  # most columns repeat a few values
        encoded = [known.get(v) or known.setdefault(v, str(v).encode("utf-8")) for v in cells]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=n), out=offsets[1:])
        data = pa.py_buffer(b"".join(encoded))
        del encoded, known
        if offsets[-1] < 2**31:
            return pa.Array.from_buffers(
                pa.string(), n, [valid, pa.py_buffer(offsets.astype(np.int32)), data]
            )
        wide = pa.Array.from_buffers(pa.large_string(), n, [valid, pa.py_buffer(offsets), data])
        return wide.cast(pa.string())
    if kind == "check":
        bits = np.packbits(
            np.fromiter((bool(v) for v in cells), dtype=np.bool_, count=n), bitorder="little"
        )
        return pa.Array.from_buffers(pa.bool_(), n, [valid, pa.py_buffer(bits)])
    if kind == "integer":
        ints = np.fromiter((0 if v is None else int(v) for v in cells), dtype=np.int64, count=n)
        return pa.Array.from_buffers(pa.int64(), n, [valid, pa.py_buffer(ints)])
    floats = np.fromiter((0.0 if v is None else float(v) for v in cells), dtype=np.float64, count=n)
    return pa.Array.from_buffers(pa.float64(), n, [valid, pa.py_buffer(floats)])


def arrow_schema(columns: Sequence[tuple[str, str, str]]) -> Any:
    """(name, kind, label) as an Arrow schema, each label in its field's metadata."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(name, arrow_type(kind), metadata={"label": label} if label else None)
            for name, kind, label in columns
        ]
    )


def parquet_chunks(table: Table) -> Iterator[bytes]:
    """The table as one Parquet file, in pieces."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema([(c.name, c.kind, c.label) for c in table.columns])
    arrays = [
        arrow_array(c.kind, cells) for c, cells in zip(table.columns, table.cells, strict=True)
    ]
    sink = ChunkSink()
    with pq.ParquetWriter(sink, schema) as writer:
        writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
    yield sink.take()


class ChunkSink(io.RawIOBase):
    """A write-only file that keeps what is written until :meth:`take`: lets pyarrow's
    ParquetWriter stream into :func:`observer.jsonio.write_new` piece by piece."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._at = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        block = bytes(data)
        self._parts.append(block)
        self._at += len(block)
        return len(block)

    def tell(self) -> int:
        return self._at

    def take(self) -> bytes:
        block = b"".join(self._parts)
        self._parts.clear()
        return block
