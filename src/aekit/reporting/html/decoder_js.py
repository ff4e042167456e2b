"""The decoder packed for the page, so the page decodes any code itself (hover, interpolation).

A decoder made of dense layers (an MLP or a VAE's decoder, an RBM's visible layer) is
written as its layers' weights in float16 with each layer's activation, the output
function of its likelihood (logistic for Bernoulli) and the saved preprocessing to undo;
``report.js`` runs the same forward pass. Before a decoder is packed, :func:`pack` runs that
forward pass here on the float16 weights and compares it with the model's own
``inverse_transform``: a decoder that does not match (or a convolutional one, or one with
more than :data:`MAX_DECODER_WEIGHTS` weights) is not packed, and the page shows
interpolations computed when it was written instead (:mod:`.anchors`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import erf
from torch import nn

from aekit.models import mlp
from aekit.models.mlp import MLPAutoencoder
from aekit.models.rbm import RBM
from aekit.models.vae import VariationalAutoencoder
from aekit.reporting.html.packing import floats16, floats32

# 300k float16 weights are 800 kB of base64: the 2 MB page of 2,000 points keeps room for its
# thumbnails. Fashion-MNIST's default decoder (32-128-256-784) has 237k; the
# 30-250-500-1000-784 decoder of Hinton & Salakhutdinov has 1.4 M and is not packed.
MAX_DECODER_WEIGHTS = 300_000
TOLERANCE = 0.02  # largest error of the page's decoding, as a share of the output's span
CHECKED_CODES = 256


@dataclass
class Layer:
    weight: np.ndarray  # (n_out, n_in), as nn.Linear holds it
    bias: np.ndarray  # (n_out,)
    activation: str | None  # after this layer; None on the last


def dense_layers(module: nn.Module) -> tuple[list[Layer], str] | str:
    """The decoder's layers and its output function, or why it has none the page can run."""
    if isinstance(module, RBM):
        weight = module.W.detach().double().numpy().T  # (n_features, code_size)
        layer = Layer(weight, module.visible_bias.detach().double().numpy(), None)
        return [layer], _output(module.likelihood.name)
    if not isinstance(module, MLPAutoencoder | VariationalAutoencoder):
        return f"a {type(module).__name__} decoder is not a stack of dense layers"
    name = next((n for n, cls in mlp._ACTIVATIONS.items() if type(module.act) is cls), None)
    if name is None:
        return f"its activation {type(module.act).__name__} is not one the page knows"
    decoders: list[Any] = list(module.decoder_layers)
    layers = []
    for i, dense in enumerate(decoders):
        weight = dense.weight.detach().double().numpy()  # a tied layer: the transpose, (out, in)
        bias = dense.bias.detach().double().numpy()
        layers.append(Layer(weight, bias, name if i < len(decoders) - 1 else None))
    return layers, _output(module.likelihood.name)


def pack(member: Any, codes: np.ndarray, budget: int = MAX_DECODER_WEIGHTS) -> dict[str, Any]:
    """The page's decoder record: ``{"packed": True, ...}`` or ``{"packed": False, "why": ...}``."""
    found = dense_layers(member.module_)
    if isinstance(found, str):
        return {"packed": False, "why": found}
    layers, output = found
    n_weights = sum(layer.weight.size + layer.bias.size for layer in layers)
    if n_weights > budget:
        return {
            "packed": False,
            "why": f"its {n_weights:,} weights are more than the {budget:,} this page embeds",
        }
    rounded = [Layer(_half(layer.weight), _half(layer.bias), layer.activation) for layer in layers]
    sample = codes[:CHECKED_CODES]
    scaler = member.scaler_
    expected = member.inverse_transform(sample).astype(np.float64)
    got = forward(rounded, output, sample)
    if scaler.kind != "none":
        got = got * scaler.scale.astype(np.float64) + scaler.offset.astype(np.float64)
    span = float(np.ptp(expected)) or 1.0
    error = float(np.max(np.abs(got - expected))) / span
    if not error <= TOLERANCE:
        return {"packed": False, "why": f"packed as float16 it was off by {error:.1%}"}
    return {
        "packed": True,
        "n_weights": int(n_weights),
        "relative_error": error,
        "output": output,
        "layers": [
            {"w": floats16(lay.weight), "b": floats16(lay.bias), "act": lay.activation}
            for lay in layers
        ],
        "unscale": None
        if scaler.kind == "none"
        else {"offset": floats32(scaler.offset), "scale": floats32(scaler.scale)},
    }


def forward(layers: list[Layer], output: str, codes: np.ndarray) -> np.ndarray:
    """The page's forward pass (as ``report.js`` runs it), in float64: (n, n_features)."""
    h = np.asarray(codes, np.float64)  # (n, code_size)
    for layer in layers:
        h = h @ layer.weight.T + layer.bias
        if layer.activation is not None:
            h = ACTIVATIONS[layer.activation](h)
    return 1.0 / (1.0 + np.exp(-h)) if output == "sigmoid" else h


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {  # as torch, and report.js
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": np.tanh,
    "gelu": lambda x: 0.5 * x * (1.0 + erf(x / np.sqrt(2.0))),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "silu": lambda x: x / (1.0 + np.exp(-x)),
}


def _output(likelihood: str) -> str:
    return "sigmoid" if likelihood == "bernoulli" else "identity"


def _half(a: np.ndarray) -> np.ndarray:
    return np.clip(a, -65000, 65000).astype(np.float16).astype(np.float64)
