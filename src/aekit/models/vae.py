"""The variational autoencoder's network (Kingma & Welling 2014, "Auto-Encoding Variational
Bayes").

The encoder maps n_features → hidden[0] → … → 2·code_size: the mean and log-variance of a
diagonal Gaussian posterior q(z|x). The decoder mirrors the hidden widths and maps a code z to
the likelihood's raw output (logits for Bernoulli, the mean for Gaussian). The loss (the ELBO)
lives in :mod:`aekit.objectives.elbo`, outside the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from aekit.models.config import HiddenLayersJSON, check_units, check_widths
from aekit.models.init import initialise
from aekit.models.mlp import make_activation
from aekit.models.output import ModelOutput
from aekit.models.posterior import DiagonalGaussian
from aekit.objectives.likelihood import get_likelihood


@dataclass
class VAEConfig(HiddenLayersJSON):
    """A variational autoencoder: MLP encoder to (mean, log-variance), mirrored decoder.

    Attributes
    ----------
    n_features : int
        Input width.
    hidden : tuple of int
        Encoder hidden widths, input side first; the decoder mirrors them.
    code_size : int
        Dimension of the latent code z.
    activation : str
        Hidden-unit nonlinearity.
    likelihood : str
        "gaussian" (unit-variance Gaussian, identity output) or "bernoulli" (logistic output).
    """

    n_features: int
    hidden: tuple[int, ...] = (256, 128)
    code_size: int = 16  # small latents suffice; unused dimensions collapse to the prior
    activation: str = "elu"
    likelihood: str = "gaussian"
    kind: str = field(default="vae", init=False)  # registry name of the builder

    def __post_init__(self) -> None:
        self.hidden = tuple(int(h) for h in self.hidden)
        self.validate()

    def validate(self) -> None:
        check_widths(self.n_features, self.code_size, self.hidden)
        check_units(self.activation, self.likelihood)


class VariationalAutoencoder(nn.Module):
    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        self.config = config
        self.likelihood = get_likelihood(config.likelihood)
        sizes = [config.n_features, *config.hidden]
        self.encoder_layers = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        )
        self.posterior_layer = nn.Linear(sizes[-1], 2 * config.code_size)  # → (mean, logvar)
        back = [config.code_size, *reversed(config.hidden), config.n_features]
        self.decoder_layers = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(back[:-1], back[1:], strict=True)
        )
        self.act = make_activation(config.activation)
        initialise(self, output=self.decoder_layers[-1])

    def posterior(
        self, x: torch.Tensor, hidden: list[torch.Tensor] | None = None
    ) -> DiagonalGaussian:
        h = x  # (batch, n_features)
        for layer in self.encoder_layers:
            h = self.act(layer(h))
            if hidden is not None:
                hidden.append(h)  # (batch, width), for penalties
        mean, logvar = self.posterior_layer(h).chunk(2, dim=-1)  # each (batch, code_size)
        return DiagonalGaussian(mean, logvar)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior mean: the deterministic code ``transform`` returns."""
        return self.posterior(x).mode()  # (batch, code_size)

    def decode_raw(self, code: torch.Tensor) -> torch.Tensor:
        h = code  # (..., code_size)
        last = len(self.decoder_layers) - 1
        for i, layer in enumerate(self.decoder_layers):
            h = layer(h)
            if i < last:
                h = self.act(h)
        return h  # (..., n_features), before the likelihood's output function

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self.decode_raw(code))

    def forward(self, x: torch.Tensor) -> ModelOutput:
        hidden: list[torch.Tensor] = []
        q = self.posterior(x, hidden)
        code = q.mode()
        return ModelOutput(code=code, output=self.decode_raw(code), hidden=hidden, posterior=q)
