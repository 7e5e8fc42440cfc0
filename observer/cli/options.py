"""The options and arguments several commands share, each defined and validated once.

Every numeric option of every command takes :class:`Number` (a finite number in a
closed range; NaN and infinities are refused like any out-of-range value, with
exit status 2 and one line), so a new numeric option is one more use of it. The
choices of ``--method`` come from the analysis' own table of methods. This
module imports no analysis at start-up (``observer code`` uses it): a factory that needs a
core table imports it when the command that uses it is loaded.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from observer.limits import MAX_SECONDS

Decorator = Callable[[Any], Any]

MIN_SECONDS = 0.001
"""The smallest time unit, interval or step (one millisecond: session times are
rounded to it)."""


class Number(click.ParamType[float]):
    """A finite number from ``low`` to ``high`` (``low`` itself excluded when
    ``low_open``), or a whole number with ``integer``; anything else (NaN, an
    infinity, out of range, not a number) is a usage error naming the range."""

    name = "number"

    def __init__(
        self,
        low: float,
        high: float,
        *,
        integer: bool = False,
        low_open: bool = False,
        unit: str = "",
    ) -> None:
        self.low, self.high, self.integer, self.low_open = low, high, integer, low_open
        self.unit = unit
        self.name = "integer" if integer else "number"

    def describe(self) -> str:
        what = "a whole number" if self.integer else "a number"
        if self.unit:
            what += f" of {self.unit}"
        return f"{what} {'' if self.low_open else 'from '}{self.range()}"

    def range(self) -> str:
        low = f"over {self.low:g}, up" if self.low_open else f"{self.low:g}"
        high = f"{self.high:d}" if self.integer else f"{self.high:g}"
        return f"{low} to {high}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, bool):
            self.fail(f"must be {self.describe()}", param, ctx)
        number: float | int
        if isinstance(value, int | float):
            number = value
        else:
            try:
                number = int(value, 10) if self.integer else float(value)
            except (TypeError, ValueError):
                self.fail(f"must be {self.describe()}, not {str(value)[:40]!r}", param, ctx)
        if self.integer and not isinstance(number, int):
            self.fail(f"must be {self.describe()}, not {number!r}", param, ctx)
        below = number <= self.low if self.low_open else number < self.low
        if not math.isfinite(number) or below or number > self.high:
            self.fail(f"must be {self.describe()}, not {str(value)[:40]}", param, ctx)
        return number

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "N" if self.integer else "S" if self.unit == "seconds" else "X"


class NumberPair(click.ParamType[tuple[float, float]]):
    """``A,B``: two :class:`Number` s of ``of``, the second not below the first."""

    name = "pair"

    def __init__(self, of: Number) -> None:
        self.of = of

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        parts = str(value).split(",")
        if len(parts) != 2:
            self.fail(f"must be two numbers A,B, each {self.of.describe()}", param, ctx)
        a, b = (self.of.convert(part.strip(), param, ctx) for part in parts)
        if b < a:
            self.fail(f"B ({b:g}) is before A ({a:g}): a window runs A to B", param, ctx)
        return (a, b)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "A,B"


SECONDS = Number(0, MAX_SECONDS, unit="seconds")
"""A time in seconds: 0 to one week (the longest session)."""
STEP = Number(MIN_SECONDS, MAX_SECONDS, unit="seconds")
"""A time unit, an interval, a step: one millisecond to one week."""
OFFSET = Number(-MAX_SECONDS, MAX_SECONDS, unit="seconds")
"""A shift in time, either way: up to one week."""


def number_option(*names: str, type: Number | NumberPair, help: str, **kwargs: Any) -> Decorator:
    """A numeric option: always one of the shared types above (or another Number); its
    help ends with the range it takes."""
    number = type.of if isinstance(type, NumberPair) else type
    described = f"{help} [{'each ' if number is not type else ''}{number.range()}]"
    return click.option(*names, type=type, help=described, **kwargs)


def sessions_argument(function: Any) -> Any:
    """``SESSION...``: one or more session files."""
    return click.argument("sessions", nargs=-1, required=True, type=click.Path(path_type=Path))(
        function
    )


def tolerance(*, default: float | None, help: str) -> Decorator:
    """``--tolerance S``: seconds two times may differ and still agree (0 to one week)."""
    return number_option(
        "--tolerance", type=SECONDS, default=default, show_default=default is not None, help=help
    )


def unit(*, help: str) -> Decorator:
    """``--unit S``: seconds per time unit (one millisecond to one week), default 1."""
    return number_option("--unit", type=STEP, default=1.0, show_default=True, help=help)


MAX_UNITS = 5_000_000
"""The most time units a session may be cut into (``--unit``): more would take minutes
and gigabytes for a figure no finer than the events' own millisecond times."""


def check_units(duration: float, step: float, option: str = "--unit") -> None:
    """Refuse (exit status 2) a step that cuts ``duration`` into more than MAX_UNITS."""
    units = duration / step
    if units > MAX_UNITS:
        raise click.UsageError(
            f"{option} {step:g} makes {units:,.0f} time units (at most {MAX_UNITS:,}):"
            " use a larger unit"
        )


def interval(function: Any) -> Any:
    """``--interval S``: seconds per interval (one millisecond to one week)."""
    return number_option("--interval", type=STEP, help="Seconds per interval.")(function)


def output_format(*choices: str, default: str | None = None, help: str | None = None) -> Decorator:
    """``--format``: one of ``choices`` (the first is the default unless one is given;
    ``default=""`` makes the option required)."""
    chosen = choices[0] if default is None else default
    given: dict[str, Any] = {"default": chosen, "show_default": True} if chosen else {}
    return click.option(
        "--format", "fmt", type=click.Choice(choices), required=not chosen, help=help, **given
    )


class MethodList(click.ParamType[list[str]]):
    """``M,M,...`` of the analysis' methods, or ``all`` (every one, in its order)."""

    name = "methods"

    def __init__(self, methods: Sequence[str]) -> None:
        self.methods = list(methods)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, list):
            return value
        if value == "all":
            return list(self.methods)
        chosen = [m.strip() for m in str(value).split(",") if m.strip()]
        unknown = [m for m in chosen if m not in self.methods]
        if unknown or not chosen:
            self.fail(
                f"{', '.join(unknown) or value!r}: choose from {', '.join(self.methods)}, or all",
                param,
                ctx,
            )
        return chosen


def method(
    *, several: bool, extra: Sequence[str] = (), help: str, one: str | None = None
) -> Decorator:
    """``--method``: one of the analysis' agreement methods (its table, ``METHODS``),
    ``extra`` or ``all``; with ``several``, a comma-separated list of them; with ``one``,
    exactly one method, ``one`` by default (no ``all``)."""
    from observer.analysis.agreement import METHODS

    if one is not None:
        choice = click.Choice([*METHODS, *extra])
        return click.option("--method", type=choice, default=one, show_default=True, help=help)
    kind: click.ParamType[Any] = (
        MethodList([*METHODS, *extra]) if several else click.Choice([*METHODS, *extra, "all"])
    )
    return click.option("--method", type=kind, default="all", show_default=True, help=help)


def corrected(function: Any) -> Any:
    """``--corrected``: analyse the sessions with supervisors' corrections applied."""
    return click.option(
        "--corrected",
        is_flag=True,
        help="Apply the corrections in the sessions' reviews first (the files are not changed).",
    )(function)


def codebook_map(function: Any) -> Any:
    """``--codebook-map MAP.json``: sessions of an older codebook version read as the
    newer one (observer.study.versions)."""
    return click.option(
        "--codebook-map",
        "codebook_map",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="MAP.json",
        help="Read sessions coded with an older version of the codebook as the newer one, "
        'through a mapping file {"from": "id@version", "to": "id@version", '
        '"codes": {old: new or null}} (docs/codebooks.md).',
    )(function)


def version_mapper(path: Path | None, sessions: Sequence[Path]) -> Any:
    """The mapper a ``--codebook-map`` asks for (None without one); its problems are
    the command's input errors."""
    if path is None:
        return None
    from observer.study.versions import load_map, mapper

    return mapper(load_map(path), sessions)


def output(*, help: str, metavar: str | None = None, dir_okay: bool = True) -> Decorator:
    """``-o, --output PATH``: what a command creates (never overwritten)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=dir_okay, path_type=Path),
        default=None,
        metavar=metavar,
        help=help,
    )


def file(*names: str, help: str, metavar: str | None = None) -> Decorator:
    """An option naming one file (not a folder), ``None`` when not given."""
    return click.option(
        *names,
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar=metavar,
        help=help,
    )


def session_dir(
    help: str = "Session folder (default: $OBSERVER_SESSION_DIR, else ./sessions).",
) -> Decorator:
    """``--session-dir DIR``: see :func:`resolve_session_dir` for the default."""
    return click.option(
        "--session-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help,
    )


def resolve_session_dir(value: Path | None) -> Path:
    """The ``--session-dir`` given, else $OBSERVER_SESSION_DIR, else ./sessions."""
    if value is not None:
        return value
    env = os.environ.get("OBSERVER_SESSION_DIR")
    return Path(env) if env else Path("sessions")


def ids(name: str, *, help: str) -> Decorator:
    """``--codes ID,...`` and the like: ids, comma-separated, duplicates dropped."""

    def split(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        found = tuple(dict.fromkeys(i.strip() for i in value.split(",") if i.strip()))
        if not found:
            raise click.BadParameter("needs at least one id (ID,ID,...)", ctx, param)
        return found

    return click.option(name, callback=split, metavar="ID,...", help=help)


def video(*, help: str) -> Decorator:
    """``--video FILE``: a recording mpv plays."""
    return click.option(
        "--video",
        "video_path",
        metavar="FILE",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=help,
    )


def mpv_args(function: Any) -> Any:
    """``--mpv-args ARGS``: extra mpv arguments for ``--video``."""
    return click.option(
        "--mpv-args",
        metavar="ARGS",
        default=None,
        help="Extra mpv arguments for --video (default: $OBSERVER_MPV_ARGS), e.g. '--vo=null'.",
    )(function)


def id_style(function: Any) -> Any:
    """``--ids dated|random``: the style of new session ids (observer.live.ids)."""
    return click.option(
        "--ids",
        "id_style",
        type=click.Choice(["dated", "random"]),
        default=None,
        envvar="OBSERVER_IDS",
        help="Session ids: dated (UTC start time, dyad, observer) or random (dyad, observer,"
        " 6 random characters: no date in the id or file name). Default: $OBSERVER_IDS, else"
        ' the folder\'s ids.txt, else "ids" in config.json, else random in an encrypted'
        " folder and dated in any other.",
    )(function)
