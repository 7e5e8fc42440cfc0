"""Strict structuring of parsed JSON into attrs models, with every problem reported by path.

Two cattrs converters share one set of strict hooks, and each hook raises the final
words of its fault (:class:`Invalid`: ``must be one of 'point', 'state' (got
'pointt')``): ``5`` is not a string, ``true`` is not a number, a string is not a list.
The fast converter structures the whole document. Only when it fails does the same
document go through the converter with cattrs' detailed validation, whose
``ClassValidationError`` and ``IterableValidationError`` carry a note naming the
attribute, index or key of every fault; :func:`problems_of` walks them into one
readable problem per fault (``codes[3].kind``), so a user sees everything wrong at once.

Semantic rules (references, duplicates, ranges) are not checked here: each model
module checks those on the structured value. Here too: the document's ``schema``
(:func:`check_schema`) and the order problems are reported in (:func:`sort_problems`).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, Literal, TypeVar, Union

import attrs
import cattrs
import orjson
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override

from observer.errors import InputError, Problem, join_path
from observer.limits import MAX_SECONDS as MAX_SECONDS
from observer.limits import Number as Number

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]


_NONE = type(None)


class Invalid(ValueError):
    """A value of the wrong shape; its text is the problem's message."""


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


def _describe(tp: Any) -> str:
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp in (float, Number):
        return "a number"
    if tp is _NONE:
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


def _expected(tp: Any, value: Any) -> Invalid:
    return Invalid(f"expected {_describe(tp)}, got {got(value)}")


# --- the strict hooks -----------------------------------------------------------


def _strict_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise _expected(str, value)
    return value


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _expected(int, value)
    return value


def _strict_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expected(float, value)
    return float(value)


def _strict_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _expected(bool, value)
    return value


def _literal_hook(tp: Any) -> Hook:
    args = typing.get_args(tp)
    choices = ", ".join(repr(a) for a in args)

    def hook(value: Any, _: Any) -> Any:
        if value in args and all(type(value) is type(a) for a in args if a == value):
            return value
        raise Invalid(f"must be one of {choices} (got {got(value)})")

    return hook


_SCALARS = {str: (str,), int: (int,), float: (int, float), bool: (bool,), _NONE: (_NONE,)}


def _scalar_union_hook(tp: Any) -> Hook:
    """Scalars only (``float | None``, ``int | float``): one isinstance test. A value
    that is not null is described as the one member besides null, where there is one
    (``expected a string``, not ``a string or null``)."""
    args = typing.get_args(tp)
    accepted = tuple({t for arg in args for t in _SCALARS[arg]})
    allows_bool = bool in args
    to_float = float in args and int not in args
    others = [a for a in args if a is not _NONE]
    wanted = others[0] if len(others) == 1 else tp

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, accepted) or (isinstance(value, bool) and not allows_bool):
            raise _expected(wanted if value is not None else tp, value)
        if to_float and type(value) is int:
            return float(value)
        return value

    return hook


def _union_hook(conv: cattrs.Converter, tp: Any) -> Hook:
    """The first member that takes the value; with one member besides null, that
    member's own precise problems, else ``expected a string or an object``."""
    args = typing.get_args(tp)
    if all(arg in _SCALARS for arg in args):
        return _scalar_union_hook(tp)
    optional = _NONE in args
    members = [(conv.get_structure_hook(a), a) for a in args if a is not _NONE]

    def hook(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        if len(members) == 1:
            member, member_tp = members[0]
            return member(value, member_tp)
        for member, member_tp in members:
            try:
                return member(value, member_tp)
            except Exception:  # the next member may take it
                continue
        raise _expected(tp, value)

    return hook


def _index_note(exc: Exception, tp: Any, index: int | str, item_tp: Any) -> Exception:
    note = IterableValidationNote(f"Structuring {tp} @ {index!r}", index, item_tp)
    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
    return exc


def _sequence_hook(conv: cattrs.Converter, tp: Any) -> Hook:
    """Lists only: cattrs alone would take a string or an object as a sequence of
    its characters or keys (``"examples": "a hug"`` becoming five examples)."""
    args = typing.get_args(tp)
    item_tp = args[0] if args else Any
    item_hook = conv.get_structure_hook(item_tp)
    as_tuple = typing.get_origin(tp) is tuple
    detailed = conv.detailed_validation

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise Invalid(f"expected a list, got {got(value)}")
        if not detailed:
            items = [item_hook(item, item_tp) for item in value]
        else:
            items, errors = [], []
            for i, item in enumerate(value):
                try:
                    items.append(item_hook(item, item_tp))
                except Exception as exc:
                    errors.append(_index_note(exc, tp, i, item_tp))
            if errors:
                raise IterableValidationError(f"While structuring {tp}", errors, tp)
        return tuple(items) if as_tuple else items

    return hook


def _mapping_hook(conv: cattrs.Converter, tp: Any) -> Hook:
    """JSON objects only; the keys are JSON's strings, the values structured."""
    args = typing.get_args(tp)
    value_tp = args[1] if len(args) == 2 else Any
    value_hook = conv.get_structure_hook(value_tp)
    detailed = conv.detailed_validation

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise Invalid(f"expected an object, got {got(value)}")
        if not detailed:
            return {k: value_hook(v, value_tp) for k, v in value.items()}
        out, errors = {}, []
        for k, v in value.items():
            try:
                out[k] = value_hook(v, value_tp)
            except Exception as exc:
                errors.append(_index_note(exc, tp, k, value_tp))
        if errors:
            raise IterableValidationError(f"While structuring {tp}", errors, tp)
        return out

    return hook


_WHEN_GIVEN: dict[tuple[type, str], Any] = {}
"""(model, field) -> the type a non-null value must have, for fields that are optional
only for some variants (a category rating has no ``min``; a scale's is a number)."""


def when_given(cls: type, name: str, tp: Any) -> None:
    """Describe a non-null ``cls.name`` as ``tp`` in problems (``expected a number``).
    Call before anything is structured as ``cls`` (a model module does, on import)."""
    _WHEN_GIVEN[(cls, name)] = tp


def _given_hook(conv: cattrs.Converter, tp: Any) -> Hook:
    inner = conv.get_structure_hook(tp)
    return lambda value, _: None if value is None else inner(value, tp)


def _class_hook(conv: cattrs.Converter, cls: type) -> Hook:
    """Objects only, no unknown fields; a field named in the file as a Python keyword
    (``class``) says so in its metadata (``{"json": "class"}``)."""
    overrides: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if "json" in field.metadata:
            overrides[field.name] = override(rename=field.metadata["json"])
        elif (cls, field.name) in _WHEN_GIVEN:
            given = _given_hook(conv, _WHEN_GIVEN[(cls, field.name)])
            overrides[field.name] = override(struct_hook=given)
    fn: Hook = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True, **overrides)

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise Invalid(f"expected an object, got {got(value)}")
        return fn(value, cls)

    return hook


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _is_literal(tp: Any) -> bool:
    return typing.get_origin(tp) is Literal


def _is_sequence(tp: Any) -> bool:
    return typing.get_origin(tp) in (list, tuple)


def _is_mapping(tp: Any) -> bool:
    return typing.get_origin(tp) is dict


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook_factory(attrs.has, lambda tp: _class_hook(conv, tp))
    conv.register_structure_hook_factory(_is_literal, _literal_hook)
    conv.register_structure_hook_factory(_is_union, lambda tp: _union_hook(conv, tp))
    conv.register_structure_hook_factory(_is_sequence, lambda tp: _sequence_hook(conv, tp))
    conv.register_structure_hook_factory(_is_mapping, lambda tp: _mapping_hook(conv, tp))
    return conv


converter = _make_converter(detailed=False)
"""Strict converter shared by every model module (structure and unstructure)."""

_detailed = _make_converter(detailed=True)
"""The same hooks with cattrs' detailed validation: run only on a document that failed."""


def structure(raw: Any, cls: type[T], *, file: str, path: str = "$") -> T:
    """Structure ``raw`` as ``cls`` or raise :class:`InputError` with every problem."""
    try:
        return converter.structure(raw, cls)
    except Exception:  # any failure: again, noting where each fault is
        pass
    try:
        return _detailed.structure(raw, cls)
    except Exception as exc:
        raise InputError(problems_of(exc, raw, path, file)) from None


def problems_of(exc: BaseException, value: Any, path: str, file: str) -> Iterator[Problem]:
    """The problems of the detailed converter's failure ``exc`` to structure ``value``
    at ``path``: per object its unknown fields (in the file's order), then its fields'
    faults in the model's order; per list or object of values, by index or key."""
    if isinstance(exc, ClassValidationError):
        faults, others = exc.group_exceptions()
        for other in others:
            if not isinstance(other, ForbiddenExtraKeysError):
                raise other  # the model's own constructor failed: a programming error
            for key in value:
                if key in other.extra_fields:
                    yield Problem(file, join_path(path, key), "unknown field")
        names = _json_names(exc.cl)
        for fault, note in faults:
            name = names[note.name]
            at = join_path(path, name)
            if type(fault) is KeyError:  # the generated code's ``o[name]``
                yield Problem(file, at, "missing required field")
            else:
                yield from problems_of(fault, value[name], at, file)
    elif isinstance(exc, IterableValidationError):
        for fault, index_note in exc.group_exceptions()[0]:
            index = index_note.index
            yield from problems_of(fault, value[index], join_path(path, index), file)
    elif isinstance(exc, Invalid):
        yield Problem(file, path, str(exc))
    else:
        raise exc  # not a fault of the input: a programming error


@cache
def _json_names(cls: type) -> dict[str, str]:
    """Attribute name -> the field's name in the file."""
    return {f.name: f.metadata.get("json", f.name) for f in attrs.fields(cls)}


def dumps(value: Any, *, sort_keys: bool = False, indent: bool = False) -> bytes:
    """Serialise an attrs model (or plain data) to JSON bytes."""
    option = 0
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    return orjson.dumps(converter.unstructure(value), option=option)


# --- the document as a whole ------------------------------------------------------


def check_schema(raw: Any, schema: str, file: str) -> None:
    """Refuse anything but a JSON object whose ``schema`` is ``schema``
    (``observer.codebook/1``): one problem, naming what it is instead."""
    family, _, _ = schema.partition("/")
    kind = family.removeprefix("observer.")
    if not isinstance(raw, dict):
        raise InputError.one(file, "$", f"a {kind} must be a JSON object")
    given = raw.get("schema")
    if given == schema:
        return
    if given is None:
        message = f"missing required field (expected {schema!r})"
    elif isinstance(given, str) and given.startswith(f"{family}/"):
        message = f"unsupported version {given!r}: this observer reads {schema!r}"
    else:
        message = f"not an observer {kind} (expected {schema!r}, got {given!r})"
    raise InputError.one(file, "schema", message)


def sort_problems(problems: Iterable[Problem], raw: dict[str, Any], model: Any) -> list[Problem]:
    """Problems in document order: fields in the order of ``model``'s fields (unknown
    fields after them, as they appear in the file), list items by index; duplicates
    dropped."""
    unknown = {name: i for i, name in enumerate(raw)}

    def key(problem: Problem) -> tuple[Any, ...]:
        if problem.location == "$":
            return ()
        out: list[Any] = []
        cls: Any = model
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", problem.location):
            if part.startswith("["):
                out.append((0, int(part[1:-1])))
                continue
            names = _field_names(cls)
            if part in names:
                out.append((1, names.index(part)))
            else:
                out.append((2, unknown.get(part, len(unknown)) if not out else 0, part))
            cls = _item_class(cls, part)
        return tuple(out)

    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=key)


@cache
def _field_names(cls: Any) -> list[str]:
    return list(_json_names(cls).values()) if attrs.has(cls) else []


@cache
def _item_class(cls: Any, name: str) -> Any:
    """The model class of field ``name`` or of its items (``codes`` -> Code), else None."""
    if not attrs.has(cls):
        return None
    tp = typing.get_type_hints(cls).get(name)
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    args = typing.get_args(tp)
    if _is_union(tp):  # an optional block (``Sampling | None``)
        return next((a for a in args if isinstance(a, type) and attrs.has(a)), None)
    return args[0] if typing.get_origin(tp) is tuple and args and attrs.has(args[0]) else None
