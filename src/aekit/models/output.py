"""What a model's forward pass returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from aekit.models.posterior import DiagonalGaussian


@dataclass
class ModelOutput:
    code: torch.Tensor  # (batch, code_size)
    output: torch.Tensor  # decoder's raw output, (batch, n_features): logits or mean
    hidden: list[torch.Tensor] = field(default_factory=list)  # encoder activations, for penalties
    posterior: DiagonalGaussian | None = None  # q(z|x), for a variational autoencoder
