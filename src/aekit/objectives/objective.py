"""An objective turns a model and a batch into a total loss and its named terms.

A variant's objective is a composition: a likelihood (the reconstruction loss), an
optional input corruption, and any number of penalty terms on the forward output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from aekit.models.output import ModelOutput
from aekit.objectives.likelihood import Likelihood

# A penalty sees the model, its input and its forward output, and returns a per-sample term
# (batch,) already multiplied by its weight.
Penalty = Callable[[nn.Module, torch.Tensor, ModelOutput], torch.Tensor]
Corruption = Callable[[torch.Tensor, torch.Generator | None], torch.Tensor]


@dataclass
class LossOutput:
    loss: torch.Tensor  # scalar: batch mean of the total
    terms: dict[str, torch.Tensor]  # each a scalar batch mean, for logs and tests
    forward: ModelOutput


@dataclass
class Objective:
    likelihood: Likelihood
    penalties: Sequence[tuple[str, Penalty]] = field(default_factory=tuple)
    corruption: Corruption | None = None  # applied in training only

    @property
    def graph_safe(self) -> bool:
        """True when a step draws no random numbers, so a CUDA graph can replay it."""
        return self.corruption is None

    def __call__(
        self,
        model: nn.Module,
        x: torch.Tensor,
        *,
        train: bool = True,
        generator: torch.Generator | None = None,
    ) -> LossOutput:
        x_in = self.corruption(x, generator) if (train and self.corruption) else x
        out: ModelOutput = model(x_in)
        reconstruction = self.likelihood.loss(out.output, x)  # (batch,)
        terms = {"reconstruction": reconstruction.mean()}
        total = reconstruction
        for name, penalty in self.penalties:
            value = penalty(model, x_in, out).float()
            terms[name] = value.mean()
            total = total + value
        return LossOutput(loss=total.mean(), terms=terms, forward=out)
