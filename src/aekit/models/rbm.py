"""Restricted Boltzmann machine, the building block of RBM pretraining.

An RBM couples visible units ``v`` and hidden units ``h`` through one weight matrix ``W``
(no connections within a layer), so each layer is conditionally independent given the other
and block Gibbs sampling alternates ``h ~ p(h | v)`` and ``v ~ p(v | h)``.

Units:

- visible: Bernoulli (logistic) for data in [0, 1], or Gaussian with unit variance for
  standardised real-valued data;
- hidden: Bernoulli (logistic), or linear Gaussian units (unit variance, mean ``W v + c``)
  for the top, code layer of a stack, as in Hinton & Salakhutdinov (2006), "Reducing the
  dimensionality of data with neural networks", Science 313.

It is trained by contrastive divergence (Hinton 2002, "Training products of experts by
minimizing contrastive divergence", Neural Computation 14): see
:mod:`aekit.objectives.contrastive`. The energy is summed from these terms, and the free
energy ``F(v) = -log sum_h exp(-E(v, h))`` (up to a constant) has a closed form that
:meth:`RBM.free_energy` computes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from aekit.errors import check_choice
from aekit.models.config import check_widths
from aekit.models.output import ModelOutput
from aekit.models.schema import init_fields
from aekit.objectives.likelihood import get_likelihood

UNITS = ("bernoulli", "gaussian")


@dataclass
class RBMConfig:
    """An RBM: ``n_features`` visible units and ``code_size`` hidden units.

    Attributes
    ----------
    n_features : int
        Number of visible units.
    code_size : int
        Number of hidden units (the width of ``encode``'s output).
    likelihood : str
        Visible units: "bernoulli" (data in [0, 1]) or "gaussian" (unit variance: standardise
        the data first).
    hidden_units : str
        "bernoulli" (logistic) or "gaussian" (linear, unit variance; the code layer of a stack).
    """

    n_features: int
    code_size: int = 32
    likelihood: str = "bernoulli"
    hidden_units: str = "bernoulli"
    kind: str = field(default="rbm", init=False)  # registry name of the builder

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        check_widths(self.n_features, self.code_size)
        check_choice("likelihood", self.likelihood, UNITS)
        check_choice("hidden_units", self.hidden_units, UNITS)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RBMConfig:
        kwargs = init_fields(cls, data)
        return cls(**kwargs)


class RBM(nn.Module):
    """A restricted Boltzmann machine with weights ``W`` (code_size, n_features).

    ``W`` has the shape of an ``nn.Linear(n_features, code_size)`` weight, so an RBM unrolls
    into an autoencoder layer directly: encoder weight ``W`` and bias ``hidden_bias``,
    decoder weight ``W.T`` and bias ``visible_bias``.
    """

    def __init__(self, config: RBMConfig) -> None:
        super().__init__()
        self.config = config
        self.likelihood = get_likelihood(config.likelihood)
        # Small random weights, zero biases (Hinton 2010, "A practical guide to training RBMs").
        self.W = nn.Parameter(0.01 * torch.randn(config.code_size, config.n_features))
        self.visible_bias = nn.Parameter(torch.zeros(config.n_features))
        self.hidden_bias = nn.Parameter(torch.zeros(config.code_size))

    @property
    def gaussian_visible(self) -> bool:
        return self.config.likelihood == "gaussian"

    @property
    def gaussian_hidden(self) -> bool:
        return self.config.hidden_units == "gaussian"

    # -- conditionals ------------------------------------------------------------------
    def hidden_input(self, v: torch.Tensor) -> torch.Tensor:
        return F.linear(v, self.W, self.hidden_bias)  # (batch, code_size)

    def hidden_probs(self, v: torch.Tensor) -> torch.Tensor:
        """E[h | v]: logistic probabilities, or the mean of linear Gaussian units."""
        x = self.hidden_input(v)
        return x if self.gaussian_hidden else torch.sigmoid(x)

    def visible_mean(self, h: torch.Tensor) -> torch.Tensor:
        """E[v | h]: logistic probabilities, or the mean of unit-variance Gaussian units."""
        x = F.linear(h, self.W.t(), self.visible_bias)  # (batch, n_features)
        return x if self.gaussian_visible else torch.sigmoid(x)

    def sample_hidden(
        self, v: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        mean = self.hidden_probs(v)
        return _sample(mean, gaussian=self.gaussian_hidden, generator=generator)

    def sample_visible(
        self, h: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        mean = self.visible_mean(h)
        return _sample(mean, gaussian=self.gaussian_visible, generator=generator)

    @torch.no_grad()
    def gibbs(
        self, v: torch.Tensor, k: int = 1, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Run ``k`` steps of block Gibbs sampling from ``v``; returns the visible sample."""
        for _ in range(k):
            v = self.sample_visible(self.sample_hidden(v, generator), generator)
        return v  # (batch, n_features)

    # -- energy ------------------------------------------------------------------------
    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """Free energy F(v) per sample, shape (batch,), up to an additive constant.

        Bernoulli visible: ``-b.v``; Gaussian visible: ``||v - b||^2 / 2``. Bernoulli hidden:
        ``- sum_j softplus(c_j + W_j v)``; Gaussian hidden: ``- sum_j (c_j + W_j v)^2 / 2``.
        """
        x = self.hidden_input(v)  # (batch, code_size)
        if self.gaussian_visible:
            visible = 0.5 * (v - self.visible_bias).square().sum(dim=1)
        else:
            visible = -(v @ self.visible_bias)
        hidden = 0.5 * x.square() if self.gaussian_hidden else F.softplus(x)
        return visible - hidden.sum(dim=1)

    # -- the autoencoder view (estimators encode and decode through these) ------------
    def encode(self, v: torch.Tensor) -> torch.Tensor:
        return self.hidden_probs(v)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        return self.visible_mean(h)

    def forward(self, v: torch.Tensor) -> ModelOutput:
        """Mean-field one-step reconstruction; ``output`` is raw (logits for Bernoulli)."""
        code = self.hidden_probs(v)
        return ModelOutput(code=code, output=F.linear(code, self.W.t(), self.visible_bias))


def _sample(
    mean: torch.Tensor, *, gaussian: bool, generator: torch.Generator | None
) -> torch.Tensor:
    if gaussian:
        noise = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        return mean + noise
    return torch.bernoulli(mean, generator=generator)
