"""Binarisation of values in [0, 1]: each becomes 1 with that probability.

Binarised MNIST is read this way (Salakhutdinov & Murray 2008, "On the quantitative
analysis of deep belief networks"); drawn afresh every time a training batch is seen, it is
the *dynamic* binarisation of Burda et al. (2016), "Importance Weighted Autoencoders", which
keeps a model of binary images from overfitting one fixed draw.
"""

from __future__ import annotations

import torch

from aekit.errors import DataError
from aekit.objectives.objective import Resample


def binarize(X: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """A Bernoulli draw of ``X``: each value in [0, 1] becomes 1 with that probability.

    >>> binarize(torch.tensor([0.0, 1.0, 1.0])).tolist()
    [0.0, 1.0, 1.0]
    """
    if X.numel() and (float(X.min()) < 0.0 or float(X.max()) > 1.0):
        raise DataError("binarize needs values in [0, 1] (probabilities)")
    return torch.bernoulli(X, generator=generator)


def dynamic_binarization() -> Resample:
    """A fresh Bernoulli draw of each training batch, input and target alike.

    No range check per batch (it would wait on the device every step): the Bernoulli
    likelihood this is used with has already checked the data lie in [0, 1].
    """

    def draw(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return torch.bernoulli(x, generator=generator)  # (batch, n_features), 0s and 1s

    return draw
