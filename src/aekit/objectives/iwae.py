"""Importance-weighted log-likelihood bound of a variational autoencoder, and dynamic
binarisation for evaluating on binary data.

Burda, Grosse & Salakhutdinov (2016), "Importance Weighted Autoencoders":

    log p(x) ≥ E[ log (1/k) Σ_i p(x, z_i) / q(z_i|x) ],   z_i ~ q(z|x) independently,

which equals the ELBO's expectation at k = 1 and rises towards log p(x) as k grows. The
log-likelihoods are proper ones (see :func:`aekit.objectives.elbo.data_log_prob`: Bernoulli
exact, Gaussian with unit variance including its −(d/2)·log 2π).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

import torch
from torch import nn

from aekit.errors import ConfigError, DataError
from aekit.models.posterior import standard_normal_log_prob
from aekit.objectives.elbo import data_log_prob

if TYPE_CHECKING:
    from aekit.models.vae import VariationalAutoencoder

MAX_ROWS = 16384  # k × batch rows decoded at once, to bound memory


@torch.no_grad()
def iwae_log_likelihood(
    model: nn.Module,
    X: torch.Tensor,
    k: int = 100,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The k-sample importance-weighted bound on log p(x) for each row of ``X``.

    Parameters
    ----------
    model : nn.Module
        Has ``posterior(x)``, ``decode_raw(z)`` and ``likelihood`` (a VAE module).
    X : Tensor of shape (n_samples, n_features)
    k : int, default=100
        Importance samples per row.
    generator : torch.Generator, optional
        Source of the samples (on ``X``'s device).

    Returns
    -------
    Tensor of shape (n_samples,)
        The estimates in nats, float32.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k must be an integer >= 1, got {k!r}")
    vae = cast("VariationalAutoencoder", model)  # nn.Module attributes read as Tensor | Module
    batch = max(1, MAX_ROWS // k)
    parts = []
    for start in range(0, X.shape[0], batch):
        xb = X[start : start + batch]  # (batch, n_features)
        q = vae.posterior(xb)
        z = q.sample(generator, (k,))  # (k, batch, code_size)
        log_w = (
            data_log_prob(vae.likelihood, vae.decode_raw(z), xb)  # log p(x|z)
            + standard_normal_log_prob(z)  # log p(z)
            - q.log_prob(z)  # log q(z|x)
        )  # (k, batch)
        parts.append(torch.logsumexp(log_w, dim=0) - math.log(k))
    return torch.cat(parts)


def binarize(X: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Dynamic binarisation: each value in [0, 1] becomes 1 with that probability."""
    if X.numel() and (float(X.min()) < 0.0 or float(X.max()) > 1.0):
        raise DataError("binarize needs values in [0, 1] (probabilities)")
    return torch.bernoulli(X, generator=generator)
