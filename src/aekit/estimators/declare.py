"""An estimator's ``__init__`` and parameter docs, generated from its declarations.

scikit-learn reads an estimator's parameters from its ``__init__`` signature
(``BaseEstimator._get_param_names``); a member's parameters are those of its architecture
and parts (:mod:`aekit.estimators.parts`), so the signature is generated from them instead
of written out again in every class. The ``__init__`` stores each argument verbatim, as
scikit-learn's contract asks: validation happens in ``fit``.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from aekit.estimators.params import Param

WIDTH = 88


def make_init(params: dict[str, Param], positional: tuple[str, ...] = ()) -> Callable[..., None]:
    """An ``__init__(self, *, name=default, ...)`` storing each argument under its name.

    ``positional`` names the parameters that may also be given by position, in order.
    """

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(positional):
            raise TypeError(
                f"{type(self).__name__} takes {len(positional)} positional arguments "
                f"({', '.join(positional) or 'none'}); give the others by name"
            )
        kwargs.update(zip(positional, args, strict=False))
        unknown = sorted(set(kwargs) - set(params))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} takes no parameter {unknown[0]!r} (see "
                f"{type(self).__name__}().get_params() for those it takes)"
            )
        for name, param in params.items():
            setattr(self, name, kwargs.get(name, param.default))

    either, keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY
    order = [*positional, *(n for n in params if n not in positional)]
    # A function takes any attribute; inspect.signature reads this one.
    __init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", either)]
        + [
            inspect.Parameter(
                n,
                either if n in positional else keyword,
                default=params[n].default,
                annotation=params[n].annotation(),
            )
            for n in order
        ]
    )
    __init__.__annotations__ = {n: p.annotation() for n, p in params.items()}
    return __init__


def document(doc: str | None, params: dict[str, Param], attributes: str) -> str:
    """``doc`` with a numpydoc Parameters section (and ``attributes``) before its Examples."""
    lines = ["Parameters", "----------"]
    for name, p in params.items():
        lines.append(f"{name} : {_kind(p)}, default={p.default!r}")
        wrapped = textwrap.wrap(p.help[0].upper() + p.help[1:] + ".", WIDTH - 4)
        lines.extend("    " + line for line in wrapped)
    section = "\n".join(lines) + "\n"
    if attributes.strip():
        section += "\n" + textwrap.dedent(attributes).strip() + "\n"
    text = inspect.cleandoc(doc or "")
    for heading in ("Attributes\n----------", "Examples\n--------"):
        if heading in text:
            head, tail = text.split(heading, 1)
            return f"{head.rstrip()}\n\n{section}\n{heading}{tail}\n"
    return f"{text}\n\n{section}"


def _kind(p: Param) -> str:
    names = {
        "Int": "int",
        "Number": "float",
        "Choice": "{" + ", ".join(repr(o) for o in getattr(p.kind, "options", ())) + "}",
        "Flag": "bool",
        "Sizes": "tuple of int",
        "Text": "str",
        "Objects": "list" if getattr(p.kind, "checked", True) else "object",
    }
    found = names[type(p.kind).__name__]
    found += "".join(f" or {w!r}" for w in p.words)
    return found + (" or None" if p.none else "")
