"""Typed model configuration: everything needed to rebuild a model, as plain JSON."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Self

from aekit.errors import ConfigError, check_choice
from aekit.models.schema import init_fields

ACTIVATIONS = ("elu", "relu", "sigmoid", "tanh", "gelu", "leaky_relu", "silu")
LIKELIHOODS = ("gaussian", "bernoulli")


class HiddenLayersJSON:
    """``to_dict`` / ``from_dict`` of a config dataclass whose encoder widths are the tuple
    ``hidden``, a list in JSON."""

    hidden: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)  # type: ignore[call-overload]  # subclasses are dataclasses
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        kwargs = init_fields(cls, data)
        hidden = data.get("hidden", ())
        if not isinstance(hidden, (list, tuple)):
            raise ConfigError(f"model config 'hidden' must be a list, got {hidden!r}")
        return cls(**kwargs)


@dataclass
class MLPConfig(HiddenLayersJSON):
    """A multilayer autoencoder: encoder sizes mirrored by the decoder, linear code layer.

    Attributes
    ----------
    n_features : int
        Input width.
    hidden : tuple of int
        Encoder hidden widths, input side first; the decoder mirrors them.
    code_size : int
        Width of the (linear) code layer.
    activation : str
        Hidden-unit nonlinearity. ELU by default: with sigmoid units and no
        pretraining a 784-1000-500-250-30 net stays worse than PCA on Fashion-MNIST.
    likelihood : str
        "gaussian" (identity output, squared error) or "bernoulli" (logistic output,
        cross-entropy).
    tied : bool
        Decoder layer i uses the transpose of encoder layer i's weight (own bias).
    code_activation : str or None
        Nonlinearity on the code layer; None (the default) keeps it linear. A contractive
        autoencoder uses "sigmoid": its penalised hidden layer is the code.
    first_activation : str or None
        The first hidden layer's nonlinearity where it differs from ``activation``; None
        (the default) uses ``activation``. A KL-sparse layer needs "sigmoid", while deep
        sigmoid layers behind it would train badly.
    top_k : int or None
        Keep only the k largest code units (a k-sparse code, :mod:`aekit.models.top_k`).
    top_k_alpha : float
        Units kept when encoding: round(top_k_alpha * top_k).
    centred : bool
        The encoder subtracts a stored mean row (``input_mean``, the training rows' mean)
        before its first layer, and training starts with the output bias at that mean
        (:meth:`aekit.models.mlp.MLPAutoencoder.start_from_data`). False in model files
        older than the field.
    first_bias : float or None
        The first encoder layer's starting bias, where it is not zero. A KL-sparse layer
        starts at logit(rho), so every unit fires at rho from the first step on a centred
        input (:class:`aekit.estimators.parts.sparsity.Sparsity`). None in model files older
        than the field; only the start depends on it.
    """

    n_features: int
    hidden: tuple[int, ...] = (256, 128)
    code_size: int = 32
    activation: str = "elu"
    likelihood: str = "gaussian"
    tied: bool = False
    code_activation: str | None = None  # None: linear code (older model files lack the field)
    first_activation: str | None = None  # None: activation (older model files lack the field)
    top_k: int | None = None  # None: a dense code
    top_k_alpha: float = 1.0
    centred: bool = False
    first_bias: float | None = None  # None: zero, as every other bias starts
    kind: str = field(default="mlp", init=False)  # registry name of the builder

    def __post_init__(self) -> None:
        self.hidden = tuple(int(h) for h in self.hidden)
        self.validate()

    def validate(self) -> None:
        check_widths(self.n_features, self.code_size, self.hidden)
        check_units(self.activation, self.likelihood)
        check_choice("code_activation", self.code_activation, ACTIVATIONS, optional=True)
        check_choice("first_activation", self.first_activation, ACTIVATIONS, optional=True)
        if self.first_activation is not None and not self.hidden:
            raise ConfigError("first_activation needs a hidden layer (hidden=(n, ...))")
        if not isinstance(self.tied, bool):
            raise ConfigError(f"tied must be true or false, got {self.tied!r}")
        if not isinstance(self.centred, bool):
            raise ConfigError(f"centred must be true or false, got {self.centred!r}")
        if self.first_bias is not None and (
            isinstance(self.first_bias, bool)
            or not isinstance(self.first_bias, (int, float))
            or not math.isfinite(self.first_bias)
        ):
            raise ConfigError(
                f"first_bias must be None or a finite number, got {self.first_bias!r}"
            )
        check_top_k(self.top_k, self.top_k_alpha, self.code_size)


# Bounds keep a crafted config from asking for an absurd allocation.
MAX_WIDTH = 1 << 20


def _positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WIDTH:
        raise ConfigError(f"{name} must be an integer in [1, {MAX_WIDTH}], got {value!r}")


def check_widths(n_features: int, code_size: int, hidden: tuple[int, ...] = ()) -> None:
    """Every layer width is a positive integer no larger than MAX_WIDTH."""
    _positive_int("n_features", n_features)
    _positive_int("code_size", code_size)
    for h in hidden:
        _positive_int("hidden layer size", h)


def check_units(activation: str, likelihood: str) -> None:
    """The hidden units' nonlinearity and the output's likelihood are ones aekit builds."""
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("likelihood", likelihood, LIKELIHOODS)


def check_top_k(k: int | None, alpha: float, code_size: int) -> None:
    """A k-sparse code keeps 1..code_size units, and alpha >= 1 times as many when encoding."""
    if k is None:
        return
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= code_size:
        raise ConfigError(f"top_k must be an integer in [1, code_size={code_size}], got {k!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 1 <= alpha <= 1e6:
        raise ConfigError(f"top_k_alpha must be a number >= 1, got {alpha!r}")
