"""An objective turns a model and a batch into a total loss and its named terms.

A variant's objective is a composition: a likelihood (the reconstruction loss), an
optional input corruption, and any number of penalty terms on the forward output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import nn

from aekit.models.output import ModelOutput
from aekit.objectives.likelihood import Likelihood

# A penalty sees the model, its input and its forward output, and returns a per-sample term
# (batch,) already multiplied by its weight.
Penalty = Callable[[nn.Module, torch.Tensor, ModelOutput], torch.Tensor]
Corruption = Callable[[torch.Tensor, torch.Generator | None], torch.Tensor]
# A fresh draw of a training batch from the distribution its values stand for (dynamic
# binarisation): unlike a corruption it replaces the target too.
Resample = Callable[[torch.Tensor, torch.Generator | None], torch.Tensor]


@dataclass
class LossOutput:
    loss: torch.Tensor  # scalar: batch mean of the total
    terms: dict[str, torch.Tensor]  # each a scalar batch mean, for logs and tests
    forward: ModelOutput


class TrainingObjective(Protocol):
    """Any objective the training engine can minimise: :class:`Objective`, the ELBO,
    contrastive divergence, cross-entropy. Type hints that accept all of them use this."""

    @property
    def graph_safe(self) -> bool: ...

    def __call__(
        self,
        model: nn.Module,
        x: torch.Tensor,
        /,
        *,
        train: bool = ...,
        generator: torch.Generator | None = ...,
    ) -> LossOutput: ...


@dataclass
class Objective:
    """Reconstruction loss + penalties, on a (possibly corrupted, possibly redrawn) input.

    Subclasses change how the data term is computed (:meth:`data_terms`: the ELBO of a
    variational autoencoder, say); the resampling, the corruption and the penalties compose
    with any.
    """

    likelihood: Likelihood
    penalties: Sequence[tuple[str, Penalty]] = field(default_factory=tuple)
    corruption: Corruption | None = None  # applied in training only
    resample: Resample | None = None  # in training only, before the corruption

    @property
    def graph_safe(self) -> bool:
        """True when a step draws no random numbers, so a CUDA graph can replay it."""
        random_terms = any(getattr(p, "random", False) for _, p in self.penalties)
        return self.corruption is None and self.resample is None and not random_terms

    def __call__(
        self,
        model: nn.Module,
        x: torch.Tensor,
        *,
        train: bool = True,
        generator: torch.Generator | None = None,
    ) -> LossOutput:
        if train and self.resample:
            x = self.resample(x, generator)  # the new draw is the target as well
        x_in = self.corruption(x, generator) if (train and self.corruption) else x
        total, terms, out = self.data_terms(model, x_in, x, train=train, generator=generator)
        for name, penalty in self.penalties:
            if getattr(penalty, "random", False):  # draws its own noise: from our stream
                noise = generator if train else None  # evaluation: fixed draws
                value = penalty(model, x_in, out, generator=noise).float()  # type: ignore[call-arg]
            else:
                value = penalty(model, x_in, out).float()
            terms[name] = value.mean()
            total = total + value
        return LossOutput(loss=total.mean(), terms=terms, forward=out)

    def data_terms(
        self,
        model: nn.Module,
        x_in: torch.Tensor,
        x: torch.Tensor,
        *,
        train: bool,
        generator: torch.Generator | None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], ModelOutput]:
        """Per-sample data loss (batch,), its named batch means, and the forward output."""
        out: ModelOutput = model(x_in)
        reconstruction = self.likelihood.loss(out.output, x)  # (batch,): the clean target
        return reconstruction, {"reconstruction": reconstruction.mean()}, out
