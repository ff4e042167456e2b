"""Reconstruction losses that follow the data (the maximum-likelihood view).

Real-valued data: Gaussian likelihood, identity output, squared error.
Data in [0, 1]: Bernoulli likelihood, logistic output, cross-entropy.
Both are summed over features and averaged over the batch, so a Gaussian loss is
the "squared error per image" of Hinton & Salakhutdinov (2006).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from aekit.errors import ConfigError, DataError


@dataclass(frozen=True)
class Likelihood:
    name: str

    def loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Per-sample negative log-likelihood (up to a constant): shape (batch,)."""
        output = output.float()  # loss in float32 even under bf16 autocast
        if self.name == "bernoulli":
            nll = F.binary_cross_entropy_with_logits(output, target, reduction="none")
        else:
            nll = (output - target).square()
        return nll.flatten(1).sum(dim=1)

    def floor(self, target: torch.Tensor) -> torch.Tensor:
        """The least loss any output gives each element of ``target``: same shape, float32.

        Cross-entropy against a grey pixel x cannot fall below the pixel's own entropy
        -x log x - (1 - x) log(1 - x) (0 at x = 0 and x = 1); squared error reaches 0.
        ``loss`` minus this is the deviance (for Bernoulli, KL(Bern(x) || Bern(x̂))): how far
        the reconstruction is from the best one, whatever the row's share of grey pixels.
        """
        target = target.float()
        if self.name != "bernoulli":
            return torch.zeros_like(target)
        return -(torch.special.xlogy(target, target) + torch.special.xlogy(1 - target, 1 - target))

    def mean(self, output: torch.Tensor) -> torch.Tensor:
        """Map the decoder's raw output to the data space (the likelihood's mean)."""
        return torch.sigmoid(output) if self.name == "bernoulli" else output

    def raw_output(self, mean: torch.Tensor) -> torch.Tensor:
        """The raw output whose :meth:`mean` is ``mean`` (a Bernoulli mean is kept off 0 and
        1, whose logits are infinite)."""
        if self.name == "bernoulli":
            return torch.logit(mean.float().clamp(1e-3, 1 - 1e-3))
        return mean.float()


GAUSSIAN = Likelihood("gaussian")
BERNOULLI = Likelihood("bernoulli")


def get_likelihood(name: str) -> Likelihood:
    if name == "gaussian":
        return GAUSSIAN
    if name == "bernoulli":
        return BERNOULLI
    raise ConfigError(f"loss must be 'auto', 'gaussian' or 'bernoulli', got {name!r}")


def choose_likelihood(loss: str, X: np.ndarray) -> tuple[str, str]:
    """Resolve ``loss`` ('auto', 'gaussian', 'bernoulli') against the training data.

    Returns the likelihood's name and a sentence saying why it was chosen.
    """
    lo, hi = float(X.min()), float(X.max())
    in_unit = lo >= 0.0 and hi <= 1.0
    if loss == "auto":
        if in_unit:
            return "bernoulli", f"data lie in [0, 1] (min {lo:g}, max {hi:g}): Bernoulli"
        return "gaussian", f"data lie outside [0, 1] (min {lo:g}, max {hi:g}): Gaussian"
    get_likelihood(loss)
    if loss == "bernoulli" and not in_unit:
        raise DataError(
            f"loss 'bernoulli' needs data in [0, 1], found values in [{lo:g}, {hi:g}]; "
            "scale the data (scale='minmax') or use loss='gaussian'"
        )
    return loss, f"loss {loss!r} as asked"
