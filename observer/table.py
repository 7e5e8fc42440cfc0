"""A typed table held column by column: what the statistics packages' files are made of.

Each :class:`Column` has a name (the id as observer writes it, such as
``cg-shares-play_count``), a kind, a label (an SPSS/Stata variable label) and, for
a ``category`` column, its values in order (written to SPSS and Stata as 1, 2, ...
with the value as its value label). Cells are ``None`` when missing; ``text``
cells are ``str`` (``""`` for none), ``number`` cells ``int | float``, ``integer``
cells ``int``, ``category`` cells one of the column's values, ``check`` cells
``bool``.
"""

from __future__ import annotations

from typing import Literal

import attrs

Kind = Literal["text", "number", "integer", "category", "check"]
Cell = str | int | float | bool | None


@attrs.frozen
class Column:
    name: str
    kind: Kind
    label: str = ""
    values: tuple[str, ...] = ()
    """A category's values, in the order they are numbered (1, 2, ...)."""


@attrs.define
class Table:
    columns: list[Column]
    cells: list[list[Cell]]
    """One list per column, all of one length."""

    @classmethod
    def empty(cls, columns: list[Column]) -> Table:
        return cls(columns, [[] for _ in columns])

    @property
    def rows(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def column(self, name: str) -> list[Cell]:
        return self.cells[[c.name for c in self.columns].index(name)]


def text_cell(value: Cell) -> str:
    """A cell as CSV text: empty when missing, ``yes``/``no`` for a check, a number
    as Python writes it (``12.5``, ``3``)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "yes" if value else "no"
    return str(value)


class Rows:
    """Rows of named cells whose columns are the union of every row's, in the order
    first seen; a cell a row lacks is missing. Two columns of one name but another
    kind (two codebooks disagreeing) become text; two categories' values are merged."""

    def __init__(self, first: list[Column] | None = None) -> None:
        self.columns: dict[str, Column] = {c.name: c for c in first or ()}
        self.rows: list[dict[str, Cell]] = []

    def add(self, cells: list[tuple[Column, Cell]]) -> None:
        row: dict[str, Cell] = {}
        for column, value in cells:
            known = self.columns.get(column.name)
            if known is None:
                self.columns[column.name] = column
            elif known.kind != column.kind:
                self.columns[column.name] = attrs.evolve(known, kind="text", values=())
            elif known.kind == "category" and known.values != column.values:
                merged = tuple(dict.fromkeys((*known.values, *column.values)))
                self.columns[column.name] = attrs.evolve(known, values=merged)
            row[column.name] = value
        self.rows.append(row)

    def table(self) -> Table:
        columns = list(self.columns.values())
        cells: list[list[Cell]] = []
        for column in columns:
            values = [row.get(column.name) for row in self.rows]
            if column.kind == "text":
                values = ["" if v is None else text_cell(v) for v in values]
            cells.append(values)
        return Table(columns, cells)
