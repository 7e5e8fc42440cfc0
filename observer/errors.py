"""Problems with input, carried as values: one per line, each naming file and location."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

WHOLE = "$"
"""The location of a problem with the file (the document) as a whole."""


@attrs.frozen
class Problem:
    """One thing wrong with one input: ``FILE: LOCATION: MESSAGE``.

    ``location`` is a JSON path such as ``codes[3].key`` (``$`` for the document
    as a whole) or a line reference such as ``line 4, column 7``. A problem with the
    file as a whole prints as ``FILE: MESSAGE``: its ``$`` says nothing to a reader.
    """

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.located()}"

    def located(self) -> str:
        """``LOCATION: MESSAGE``, or the message alone for the file as a whole."""
        if self.location in (WHOLE, ""):
            return self.message
        return f"{self.location}: {self.message}"


ProblemAt = Callable[[str, str], "Problem"]
"""Makes a problem of one file at a location: ``p("codes[0].key", "...")``; every
check that reports problems of a file takes one."""


class InputError(Exception):
    """Bad input: one or more problems, reported together, exit status 2."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, file: str, location: str, message: str) -> InputError:
        return cls([Problem(file, location, message)])


def join_path(base: str, key: str | int) -> str:
    """Extend a JSON path: ``join_path("codes[3]", "key") == "codes[3].key"``."""
    if isinstance(key, int):
        return f"{base}[{key}]" if base != "$" else f"[{key}]"
    if base in ("", "$"):
        return key
    return f"{base}.{key}"
