"""What code holding a model as a plain ``nn.Module`` may call on it.

A type checker reads any attribute of an ``nn.Module`` as ``Tensor | Module``; code that knows
which kind of model it holds (an estimator's ``module_``, a classifier's encoder) casts the
module to one of these.
"""

from __future__ import annotations

from typing import Protocol

import torch

from aekit.objectives.likelihood import Likelihood


class Encoder(Protocol):
    """A model that maps a batch of inputs to codes: (batch, ...) -> (batch, code_size)."""

    def encode(self, x: torch.Tensor, /) -> torch.Tensor: ...


class Autoencoder(Encoder, Protocol):
    """Every model :func:`aekit.models.builders.build_module` makes: encoder, decoder and the
    likelihood of its reconstructions."""

    @property
    def likelihood(self) -> Likelihood: ...

    def decode(self, code: torch.Tensor, /) -> torch.Tensor: ...
