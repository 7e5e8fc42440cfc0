"""Strict structuring of parsed JSON into attrs models, with every problem reported by path.

Two paths. The fast one hands the whole document to a cattrs converter whose
primitive hooks refuse coercion (``5`` is not a string, ``true`` is not a number).
Only when that fails does the walker go through the document field by field,
collecting one readable problem per fault (``codes[3].kind: must be one of 'point',
'state' (got 'pointt')``), so a user sees everything wrong at once.

Semantic rules (references, duplicates, ranges) are not checked here: each model
module checks those on the structured value.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, Literal, TypeVar, Union

import attrs
import cattrs
import orjson

from observer.errors import InputError, Problem, join_path

T = TypeVar("T")

Number = int | float
"""A JSON number: an int stays an int (so ``1`` is not rewritten as ``1.0``)."""

MAX_SECONDS = 7 * 24 * 3600
"""The longest time observer accepts anywhere (a session, a segment, a tolerance, a
pause): one week in seconds. Nothing observed comes near it; a larger number in a
file is refused when it is read, so it can never overflow a computation later."""

_NOTHING = object()


def _strict_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _strict_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError
    return float(value)


def _strict_number(value: Any, _: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError
    return value


def _strict_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook_factory(_is_plain_union, _union_hook_factory)
    conv.register_structure_hook_factory(_is_sequence, lambda tp: _sequence_hook(conv, tp))
    return conv


def _is_sequence(tp: Any) -> bool:
    return typing.get_origin(tp) in (list, tuple)


def _sequence_hook(conv: cattrs.Converter, tp: Any) -> Callable[[Any, Any], Any]:
    """Lists only: cattrs alone would take a string or an object as a sequence of
    its characters or keys (``"examples": "a hug"`` becoming five examples)."""
    args = typing.get_args(tp)
    item_tp = args[0] if args else Any
    item_hook = conv.get_structure_hook(item_tp)
    as_tuple = typing.get_origin(tp) is tuple

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise TypeError
        items = [item_hook(item, item_tp) for item in value]
        return tuple(items) if as_tuple else items

    return hook


def _is_plain_union(tp: Any) -> bool:
    """Unions without attrs classes: cattrs cannot tell their members apart alone."""
    if typing.get_origin(tp) not in (Union, types.UnionType):
        return False
    return not any(attrs.has(arg) for arg in typing.get_args(tp))


_SCALARS = {str: (str,), int: (int,), float: (int, float), bool: (bool,), type(None): (type(None),)}


def _union_hook_factory(tp: Any) -> Callable[[Any, Any], Any]:
    args = typing.get_args(tp)
    if all(arg in _SCALARS for arg in args):
        # Scalars only (``float | None``, ``int | float``): one isinstance test.
        accepted = tuple({t for arg in args for t in _SCALARS[arg]})
        allows_bool = bool in args
        to_float = float in args and int not in args

        def scalar_hook(value: Any, _: Any) -> Any:
            if not isinstance(value, accepted) or (isinstance(value, bool) and not allows_bool):
                raise TypeError
            if to_float and type(value) is int:
                return float(value)
            return value

        return scalar_hook

    def walk_hook(value: Any, _: Any) -> Any:
        problems: list[Problem] = []
        result = _walk(value, tp, "$", "", problems)
        if problems:
            raise TypeError
        return result

    return walk_hook


converter = _make_converter()
"""Strict converter shared by every model module (structure and unstructure)."""


def structure(raw: Any, cls: type[T], *, file: str, path: str = "$") -> T:
    """Structure ``raw`` as ``cls`` or raise :class:`InputError` with every problem."""
    try:
        return converter.structure(raw, cls)
    except Exception:  # any failure sends us to the precise walker
        pass
    problems: list[Problem] = []
    result = _walk(raw, cls, path, file, problems)
    if problems:
        raise InputError(problems)
    return typing.cast(T, result)


def dumps(value: Any, *, sort_keys: bool = False, indent: bool = False) -> bytes:
    """Serialise an attrs model (or plain data) to JSON bytes."""
    option = 0
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    return orjson.dumps(converter.unstructure(value), option=option)


# --- the walker -----------------------------------------------------------------


@cache
def _fields(cls: type) -> tuple[tuple[str, str, Any, bool], ...]:
    """(name in the file, argument name, type, has a default) of every field; a field
    whose name in the file is a Python keyword (``class``) says so in its metadata."""
    hints = typing.get_type_hints(cls)
    out = []
    for field in attrs.fields(cls):
        arg = field.alias or field.name
        name = field.metadata.get("json", arg)
        out.append((name, arg, hints[field.name], field.default is not attrs.NOTHING))
    return tuple(out)


def _describe(tp: Any) -> str:
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp in (float, Number):
        return "a number"
    if tp is type(None):
        return "null"
    origin = typing.get_origin(tp)
    if origin in (list, tuple):
        return "a list"
    if origin is dict or attrs.has(tp):
        return "an object"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if set(args) >= {int, float}:
            rest = [a for a in args if a not in (int, float)]
            return " or ".join(["a number", *(_describe(a) for a in rest)])
        return " or ".join(_describe(a) for a in args)
    return getattr(tp, "__name__", str(tp))


def got(value: Any) -> str:
    """A short description of a JSON value for messages: ``'abc'``, ``5``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _walk(value: Any, tp: Any, path: str, file: str, problems: list[Problem]) -> Any:
    """Structure ``value`` as ``tp``; on faults append problems and return _NOTHING."""

    def fail(message: str) -> Any:
        problems.append(Problem(file, path, message))
        return _NOTHING

    if tp is Any:
        return value
    checker = _PRIMITIVES.get(tp)
    if checker is not None:
        if checker(value):
            return float(value) if tp is float else value
        return fail(f"expected {_describe(tp)}, got {got(value)}")
    if tp is type(None):
        return value if value is None else fail(f"expected null, got {got(value)}")
    if attrs.has(tp):
        return _walk_attrs(value, tp, path, file, problems)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Literal:
        if value in args and all(type(value) is type(a) for a in args if a == value):
            return value
        choices = ", ".join(repr(a) for a in args)
        return fail(f"must be one of {choices} (got {got(value)})")
    if origin in (Union, types.UnionType):
        for arg in args:
            scratch: list[Problem] = []
            result = _walk(value, arg, path, file, scratch)
            if not scratch:
                return result
        # One non-null alternative: report its own precise problems.
        non_null = [a for a in args if a is not type(None)]
        if len(non_null) == 1 and value is not None:
            return _walk(value, non_null[0], path, file, problems)
        return fail(f"expected {_describe(tp)}, got {got(value)}")
    if origin in (list, tuple):
        if not isinstance(value, list):
            return fail(f"expected a list, got {got(value)}")
        item_tp = args[0] if args else Any
        items = [_walk(v, item_tp, join_path(path, i), file, problems) for i, v in enumerate(value)]
        if any(item is _NOTHING for item in items):
            return _NOTHING
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            return fail(f"expected an object, got {got(value)}")
        val_tp = args[1] if len(args) == 2 else Any
        out = {k: _walk(v, val_tp, join_path(path, k), file, problems) for k, v in value.items()}
        if any(v is _NOTHING for v in out.values()):
            return _NOTHING
        return out
    raise TypeError(f"structure: unsupported type {tp!r}")  # a programming error


def _walk_attrs(value: Any, cls: type, path: str, file: str, problems: list[Problem]) -> Any:
    if not isinstance(value, dict):
        problems.append(Problem(file, path, f"expected an object, got {got(value)}"))
        return _NOTHING
    fields = _fields(cls)
    known = {name for name, _, _, _ in fields}
    ok = True
    for key in value:
        if key not in known:
            problems.append(Problem(file, join_path(path, key), "unknown field"))
            ok = False
    kwargs: dict[str, Any] = {}
    for name, arg, tp, has_default in fields:
        if name not in value:
            if not has_default:
                problems.append(Problem(file, join_path(path, name), "missing required field"))
                ok = False
            continue
        given = value[name]
        if given is not None:
            tp = _WHEN_GIVEN.get((cls, name), tp)
        result = _walk(given, tp, join_path(path, name), file, problems)
        if result is _NOTHING:
            ok = False
        else:
            kwargs[arg] = result
    if not ok:
        return _NOTHING
    return cls(**kwargs)  # every value is already structured by the walk above


_WHEN_GIVEN: dict[tuple[type, str], Any] = {}
"""(model, field) -> the type a non-null value must have, for fields that are optional
only for some variants (a category rating has no ``min``; a scale's is a number)."""


def when_given(cls: type, name: str, tp: Any) -> None:
    """Describe a non-null ``cls.name`` as ``tp`` in problems (``expected a number``)."""
    _WHEN_GIVEN[(cls, name)] = tp


_PRIMITIVES: dict[Any, Callable[[Any], bool]] = {
    str: lambda v: isinstance(v, str),
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}
