"""The layers of a greedily pretrained stack, and how they unroll into a deep autoencoder.

Each layer of a stack is trained alone to model its input (the output of the frozen layers
below): a one-hidden-layer autoencoder (Bengio et al. 2007) or an RBM trained by contrastive
divergence (Hinton & Salakhutdinov 2006, "Reducing the dimensionality of data with neural
networks"). The first layer models the data with the data's likelihood; upper layers model
hidden activations, Bernoulli for sigmoid units and Gaussian otherwise; the top (code) layer
is linear (linear Gaussian hidden units for an RBM).

Unrolling copies them into an :class:`~aekit.models.mlp.MLPAutoencoder`: encoder layer ``i``
gets layer ``i``'s encoder weight and bias, the mirrored decoder layer its decoder weight
(the transpose ``W.T`` for tied layers and RBMs) and decoder bias.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.models.init import initialise
from aekit.models.mlp import MLPAutoencoder, TiedLinear, make_activation
from aekit.models.output import ModelOutput
from aekit.models.rbm import RBM, RBMConfig
from aekit.objectives.likelihood import Likelihood, get_likelihood

KINDS = ("autoencoder", "rbm")


class LayerAutoencoder(nn.Module):
    """One layer of a stack: ``encoder`` + activation (or linear) and a decoder back."""

    def __init__(
        self, n_in: int, n_out: int, activation: str | None, likelihood: Likelihood, tied: bool
    ) -> None:
        super().__init__()
        self.likelihood = likelihood
        self.encoder = nn.Linear(n_in, n_out)
        self.decoder: nn.Linear | TiedLinear = (
            TiedLinear(self.encoder) if tied else nn.Linear(n_out, n_in)
        )
        self.act = make_activation(activation) if activation else nn.Identity()
        initialise(self, output=self.decoder)  # as the whole network's layers would be

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.encoder(x))  # (batch, n_out)

    def forward(self, x: torch.Tensor) -> ModelOutput:
        code = self.encode(x)
        return ModelOutput(code=code, output=self.decoder(code))  # output: (batch, n_in)


def make_layer(
    kind: str,
    n_in: int,
    n_out: int,
    *,
    activation: str,
    likelihood: str,
    top: bool,
    tied: bool = True,
) -> nn.Module:
    """The module that pretrains one layer; ``top`` makes its hidden units linear."""
    if kind == "rbm":
        if activation != "sigmoid" and not top:
            raise ConfigError("RBM pretraining needs activation='sigmoid' (logistic hidden units)")
        hidden = "gaussian" if top else "bernoulli"
        return RBM(RBMConfig(n_in, n_out, likelihood=likelihood, hidden_units=hidden))
    if kind == "autoencoder":
        act = None if top else activation
        return LayerAutoencoder(n_in, n_out, act, get_likelihood(likelihood), tied)
    raise ConfigError(f"pretraining must be one of {', '.join(KINDS)}, got {kind!r}")


def hidden_likelihood(activation: str) -> str:
    """The likelihood an upper layer reconstructs its input (hidden activations) with."""
    return "bernoulli" if activation == "sigmoid" else "gaussian"


def linear_pair(layer: nn.Module) -> tuple[torch.Tensor, ...]:
    """(encoder weight, encoder bias, decoder weight, decoder bias) of a pretrained layer."""
    if isinstance(layer, RBM):
        return layer.W, layer.hidden_bias, layer.W.t(), layer.visible_bias
    pair = cast(LayerAutoencoder, layer)  # what make_layer builds when not an RBM
    return pair.encoder.weight, pair.encoder.bias, pair.decoder.weight, pair.decoder.bias


@torch.no_grad()
def unroll(layers: Sequence[nn.Module], model: MLPAutoencoder) -> None:
    """Copy the pretrained layers into ``model``'s encoder and mirrored decoder, in place.

    A centred model (``model.config.centred``) must have its ``input_mean`` set first.
    """
    n = len(model.encoder_layers)
    if len(layers) != n:
        raise ConfigError(f"{len(layers)} pretrained layers cannot fill an {n}-layer encoder")
    for i, layer in enumerate(layers):
        w_enc, b_enc, w_dec, b_dec = (t.detach().cpu() for t in linear_pair(layer))
        enc = cast(nn.Linear, model.encoder_layers[i])
        dec = cast("nn.Linear | TiedLinear", model.decoder_layers[n - 1 - i])
        enc.weight.copy_(w_enc)
        enc.bias.copy_(b_enc)
        if i == 0 and model.config.centred:
            # The layer was pretrained on the raw input x; the centred encoder reads x - mean,
            # so b + W mean keeps the same function while fine-tuning gets the centred
            # gradients (MLPAutoencoder.start_from_data).
            enc.bias.add_(w_enc @ model.input_mean.to(w_enc))
        if not isinstance(dec, TiedLinear):  # a tied decoder already reads enc.weight
            dec.weight.copy_(w_dec)
        dec.bias.copy_(b_dec)
