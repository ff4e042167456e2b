"""Parameters declared once: default, allowed values, help text.

Each estimator parameter is a :class:`Param`. From that one declaration come the
scikit-learn ``_parameter_constraints`` checked at the top of ``fit``, the generated
``__init__`` signature and docstring entry, and the ``aekit train`` flag with its parser,
help and default (:mod:`aekit.cli.flags`). A value kind (:class:`Int`, :class:`Real`,
:class:`Choice`, :class:`Flag`, :class:`Sizes`, :class:`Text`) knows the three spellings
of its values: scikit-learn's constraint, the command line's text, and the help's.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

from aekit.errors import ConfigError


@dataclass(frozen=True)
class Int:
    annotation: ClassVar[Any] = int
    low: int | None = None
    high: int | None = None

    def constraints(self) -> list[Any]:
        closed = {(True, True): "both", (True, False): "left", (False, True): "right"}
        side = closed.get((self.low is not None, self.high is not None), "neither")
        return [Interval(Integral, self.low, self.high, closed=side)]

    def parse(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise argparse.ArgumentTypeError(f"expected an integer {self.span()}, got {text!r}")
        return value

    def span(self) -> str:
        if self.high is None:
            return f">= {self.low}" if self.low is not None else ""
        return f"in [{self.low}, {self.high}]"


@dataclass(frozen=True)
class Number:
    annotation: ClassVar[Any] = float
    low: float | None = None
    high: float | None = None
    closed: str = "both"  # scikit-learn's: "left", "right", "both" or "neither"

    def constraints(self) -> list[Any]:
        return [Interval(Real, self.low, self.high, closed=self.closed)]

    def parse(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or not self._inside(value):
            raise argparse.ArgumentTypeError(f"expected a number {self.span()}, got {text!r}")
        return value

    def _inside(self, value: float) -> bool:
        left = self.closed in ("left", "both")
        right = self.closed in ("right", "both")
        if self.low is not None and (value < self.low or (value == self.low and not left)):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and not right))
        )

    def span(self) -> str:
        lo = "[" if self.closed in ("left", "both") else "("
        hi = "]" if self.closed in ("right", "both") else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"in {lo}{low}, {high}{hi}"


@dataclass(frozen=True)
class Choice:
    annotation: ClassVar[Any] = str
    options: tuple[str, ...]

    def constraints(self) -> list[Any]:
        return [StrOptions(set(self.options))]

    def parse(self, text: str) -> str:
        if text not in self.options:
            raise argparse.ArgumentTypeError(
                f"expected one of {', '.join(self.options)}, got {text!r}"
            )
        return text


@dataclass(frozen=True)
class Flag:
    """True or false; on the command line ``--name`` / ``--no-name``."""

    annotation: ClassVar[Any] = bool

    def constraints(self) -> list[Any]:
        return ["boolean"]

    def parse(self, text: str) -> bool:  # not used: argparse's BooleanOptionalAction parses
        raise NotImplementedError


@dataclass(frozen=True)
class Sizes:
    """A tuple of positive integers (layer widths, an image shape); one int means (int,)."""

    annotation: ClassVar[Any] = tuple[int, ...] | int

    allow_minus_one: bool = False  # an image shape may leave one entry to infer

    def constraints(self) -> list[Any]:
        return [Interval(Integral, 1, None, closed="left"), tuple, list]

    def parse(self, text: str) -> tuple[int, ...]:
        if text.strip().lower() in ("", "none"):
            return ()
        try:
            sizes = tuple(int(t) for t in text.split(",") if t.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated integers, got {text!r}"
            ) from None
        if any(s < 1 and not (self.allow_minus_one and s == -1) for s in sizes):
            raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
        return sizes

    def check(self, name: str, value: Any) -> None:
        items = [value] if isinstance(value, Integral) else list(value)
        for item in items:
            bad = isinstance(item, bool) or not isinstance(item, Integral)
            if bad or (item < 1 and not (self.allow_minus_one and item == -1)):
                raise ConfigError(f"{name} must hold positive integers, got {tuple(items)!r}")


@dataclass(frozen=True)
class Text:
    """Free text checked elsewhere (a device name)."""

    annotation: ClassVar[Any] = str

    def constraints(self) -> list[Any]:
        return [str]

    def parse(self, text: str) -> str:
        return text


@dataclass(frozen=True)
class Objects:
    """Python objects that have no text form (callbacks): never a flag.

    ``checked=False`` leaves the value to a check of the estimator's own, with its own
    message (an encoder: "must be an aekit autoencoder").
    """

    annotation: ClassVar[Any] = Any
    checked: bool = True

    def constraints(self) -> list[Any]:
        return [list, tuple] if self.checked else ["no_validation"]

    def parse(self, text: str) -> Any:
        raise NotImplementedError


Kind = Int | Number | Choice | Flag | Sizes | Text | Objects


@dataclass(frozen=True)
class Param:
    """One estimator parameter, declared once.

    ``words`` are strings also accepted ("auto"); ``none`` says whether None is, and
    ``none_means`` what it means (for help). ``flag`` overrides the command-line flag
    (default ``--name-with-dashes``), ``aliases`` keep older spellings, ``cli=False`` keeps
    a parameter off the command line (callbacks).
    """

    name: str
    default: Any
    kind: Kind
    help: str
    words: tuple[str, ...] = ()
    none: bool = False
    none_means: str = "none"
    flag: str | None = None
    aliases: tuple[str, ...] = ()
    cli: bool = True
    extra: tuple[Any, ...] = field(default=())  # more scikit-learn constraints

    def constraints(self) -> Any:
        """scikit-learn's constraint list (or "no_validation": the estimator checks it)."""
        if self.kind.constraints() == ["no_validation"]:
            return "no_validation"
        found = self.kind.constraints() + list(self.extra)
        if self.words:
            found.append(StrOptions(set(self.words)))
        if self.none:
            found.append(None)
        return found

    @property
    def flags(self) -> tuple[str, ...]:
        main = self.flag or "--" + self.name.replace("_", "-")
        return (main, *self.aliases)

    def parse(self, text: str) -> Any:
        """The value a command-line word stands for."""
        if text in self.words:
            return text
        if self.none and text.lower() == "none":
            return None
        return self.kind.parse(text)

    def shown(self, value: Any) -> str:
        """``value`` as the command line spells it."""
        if value is None:
            return "none"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (tuple, list)):
            return ",".join(str(v) for v in value) if value else "none"
        return str(value)

    def with_default(self, default: Any) -> Param:
        return dataclasses.replace(self, default=default)

    def annotation(self) -> Any:
        """The type a model file's value must have (:mod:`aekit.models.schema` checks it)."""
        found: Any = self.kind.annotation
        for word in self.words:
            found = found | Literal[word]
        return found | None if self.none else found


def by_name(params: Sequence[Param]) -> dict[str, Param]:
    """Name -> declaration; a name declared twice is a bug, refused."""
    found: dict[str, Param] = {}
    for p in params:
        if p.name in found:
            raise ValueError(f"parameter {p.name!r} is declared twice")
        found[p.name] = p
    return found


def check_values(declared: dict[str, Param], values: dict[str, Any], caller: str) -> None:
    """scikit-learn's check of ``values`` against the declarations, as a ConfigError.

    A bool given for a number is refused too (scikit-learn's intervals take True as 1).
    """
    constraints = {name: p.constraints() for name, p in declared.items()}
    try:
        validate_parameter_constraints(constraints, values, caller_name=caller)
    except InvalidParameterError as exc:
        raise ConfigError(str(exc)) from None
    for name, p in declared.items():
        if isinstance(values.get(name), bool) and isinstance(p.kind, (Int, Number)):
            raise ConfigError(
                f"The {name!r} parameter of {caller} must be a number, not a bool. "
                f"Got {values[name]!r} instead."
            )
