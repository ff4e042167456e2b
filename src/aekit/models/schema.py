"""Check a dict read from JSON against a dataclass's fields before anything is built from it.

The expected type of each key comes from the dataclass's own annotations (``int``,
``float``, ``bool``, ``str``, ``X | None``, ``tuple[int, ...]``, ``tuple[int, int]``,
``Literal[...]``), so every config class, present or future, gets the same checks: unknown
keys, missing required keys, wrong types, non-finite numbers and integers or lists too large
to be meant. Value ranges particular to a model stay in its config's ``validate``. Each
problem is one :class:`~aekit.errors.ConfigError` line naming the key, e.g.
``model.hidden[1] must be an integer, got 'a'``.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import math
import types
import typing
from typing import Any

from aekit.errors import ConfigError

MAX_INT = 2**63 - 1  # an int64: torch and NumPy take it without overflow
MAX_ITEMS = 256  # longest list a config may hold (layers, shape dimensions)
MAX_STRING = 4096
_SEQUENCES = (tuple, list, collections.abc.Sequence)


def init_fields(
    cls: type, data: Any, required: tuple[str, ...] = ("n_features",)
) -> dict[str, Any]:
    """The keyword arguments of config dataclass ``cls`` found in ``data``, read from JSON.

    Where every config's ``from_dict`` starts: a non-object, an unknown field or a missing
    required one is a ConfigError (types are :func:`check_fields`' business).
    """
    if not isinstance(data, dict):
        raise ConfigError(f"model config must be a JSON object, got {type(data).__name__}")
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = set(data) - known - {"kind"}
    if unknown:
        raise ConfigError(f"model config has unknown fields: {', '.join(sorted(unknown))}")
    missing = set(required) - set(data)
    if missing:
        raise ConfigError(f"model config is missing: {', '.join(sorted(missing))}")
    return {k: v for k, v in data.items() if k in known}


def check_fields(cls: type, data: Any, where: str) -> None:
    """Raise ConfigError unless ``data`` could build dataclass ``cls`` (types, not ranges).

    Fields with ``init=False`` (such as a config's ``kind``) may appear only with their
    default value.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a JSON object, got {_shown(data)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = _hints(cls)
    for key, value in data.items():
        field = fields.get(key)
        if field is None:
            known = ", ".join(sorted(n for n, f in fields.items() if f.init))
            raise ConfigError(f"{where}.{key} is not a known field (known: {known})")
        if not field.init:
            if value != field.default:
                raise ConfigError(f"{where}.{key} must be {field.default!r}, got {_shown(value)}")
            continue
        if key in hints:
            check_value(f"{where}.{key}", value, hints[key])
    for name, field in fields.items():
        required = field.default is dataclasses.MISSING
        required = required and field.default_factory is dataclasses.MISSING
        if field.init and required and name not in data:
            raise ConfigError(f"{where}.{name} is missing")


def check_arguments(func: Any, data: Any, where: str, skip: tuple[str, ...] = ()) -> None:
    """Check ``data`` as keyword arguments of ``func``: known names, annotated types."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a JSON object, got {_shown(data)}")
    import inspect

    names = [
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"
    ]
    hints = _hints(func)
    for key, value in data.items():
        if key not in names:
            raise ConfigError(f"{where}.{key} is not a known parameter")
        if key not in skip and key in hints:
            check_value(f"{where}.{key}", value, hints[key])


def check_value(name: str, value: Any, annotation: Any) -> None:
    """Raise ConfigError unless ``value`` (as read from JSON) matches ``annotation``."""
    problem = _problem(value, annotation)
    if problem:
        where, what = problem
        raise ConfigError(f"{name}{where} must be {what}, got {_shown(value, where)}")


def _problem(value: Any, annotation: Any) -> tuple[str, str] | None:
    """None when ``value`` fits; else (where inside the value, what was expected)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any or annotation is object:
        return None
    if annotation is None or annotation is type(None):
        return None if value is None else ("", "null")
    if origin in (typing.Union, types.UnionType):
        if any(_problem(value, a) is None for a in args):
            return None
        # A list that fits no branch: report the closest branch's own complaint.
        inner = [p for a in args if (p := _problem(value, a)) and p[0]]
        return inner[0] if inner else ("", " or ".join(_describe(a) for a in args))
    if origin is typing.Literal:
        return (
            None
            if value in args and type(value) in {type(a) for a in args}
            else (
                "",
                "one of " + ", ".join(repr(a) for a in args),
            )
        )
    if annotation is bool:
        return None if isinstance(value, bool) else ("", "true or false")
    if annotation is int:
        if not isinstance(value, int) or isinstance(value, bool):
            return ("", "an integer")
        return None if abs(value) <= MAX_INT else ("", f"an integer of magnitude <= {MAX_INT}")
    if annotation is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok and math.isfinite(value) else ("", "a finite number")
    if annotation is str:
        if not isinstance(value, str):
            return ("", "a string")
        return None if len(value) <= MAX_STRING else ("", f"at most {MAX_STRING} characters")
    if origin in _SEQUENCES or annotation in (tuple, list):
        return _sequence_problem(value, annotation, args, origin)
    if origin is dict or annotation is dict:
        return None if isinstance(value, dict) else ("", "a JSON object")
    return None  # an annotation this checker does not know: the config's validate decides


def _sequence_problem(
    value: Any, annotation: Any, args: tuple[Any, ...], origin: Any
) -> tuple[str, str] | None:
    if not isinstance(value, (list, tuple)) or len(value) > MAX_ITEMS:
        return ("", _describe(annotation))
    if not args:
        return None
    fixed = origin is tuple and not (len(args) == 2 and args[1] is Ellipsis)
    if fixed and len(value) != len(args):
        return ("", _describe(annotation))
    item_types = args if fixed else [args[0]] * len(value)
    for i, (item, item_type) in enumerate(zip(value, item_types, strict=False)):
        problem = _problem(item, item_type)
        if problem:
            return (f"[{i}]{problem[0]}", problem[1])
    return None


def _describe(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    simple = {int: "an integer", float: "a finite number", bool: "true or false", str: "a string"}
    if annotation in simple:
        return simple[annotation]
    if annotation is None or annotation is type(None):
        return "null"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in args)
    if origin in _SEQUENCES:
        if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            return f"a list of {len(args)} items ({', '.join(_describe(a) for a in args)})"
        item = _describe(args[0]).removeprefix("an ").removeprefix("a ") if args else "value"
        return f"a list of at most {MAX_ITEMS} {item}s"
    return getattr(annotation, "__name__", str(annotation))


def _hints(obj: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(obj)
    except (NameError, TypeError, AttributeError):  # unresolvable: check names only
        return {}


def _shown(value: Any, where: str = "") -> str:
    if where:  # the offending item, not the whole list
        for part in where.strip("[]").split("]["):
            try:
                value = value[int(part)]
            except (ValueError, IndexError, KeyError, TypeError):
                break
    if isinstance(value, (dict, list)):
        text = f"a {'JSON object' if isinstance(value, dict) else 'list'}"
        return text if len(repr(value)) > 40 else repr(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
