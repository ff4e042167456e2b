"""The importance-weighted bound of a variational autoencoder: to evaluate, and to train on.

Burda, Grosse & Salakhutdinov (2016), "Importance Weighted Autoencoders":

    log p(x) ≥ E[ log (1/k) Σ_i p(x, z_i) / q(z_i|x) ],   z_i ~ q(z|x) independently,

which equals the ELBO's expectation at k = 1 and rises towards log p(x) as k grows. The
log-likelihoods are proper ones (see :func:`aekit.objectives.elbo.data_log_prob`: Bernoulli
exact, Gaussian with unit variance including its −(d/2)·log 2π).

:func:`iwae_log_likelihood` estimates log p(x) of a trained model; :class:`IWAEObjective`
trains on the negative bound (the IWAE), its gradient flowing through the reparameterised
samples and the log-mean-exp of their weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import torch
from torch import nn

from aekit.errors import ConfigError
from aekit.models.output import ModelOutput
from aekit.models.posterior import DiagonalGaussian, standard_normal_log_prob
from aekit.objectives.binarization import binarize as binarize  # re-exported, its old home
from aekit.objectives.elbo import EVAL_SEED, ELBOObjective, data_log_prob
from aekit.objectives.likelihood import Likelihood

if TYPE_CHECKING:
    from aekit.models.vae import VariationalAutoencoder

MAX_ROWS = 16384  # k × batch rows decoded at once, to bound memory


def log_weights(
    likelihood: Likelihood,
    output: torch.Tensor,
    x: torch.Tensor,
    q: DiagonalGaussian,
    z: torch.Tensor,
) -> torch.Tensor:
    """log p(x|z_i) + log p(z_i) − log q(z_i|x) for each sample: shape (k, batch).

    ``output`` is the decoder's raw output for ``z`` of shape (k, batch, code_size).
    """
    return data_log_prob(likelihood, output, x) + standard_normal_log_prob(z) - q.log_prob(z)


def log_mean_exp(log_w: torch.Tensor) -> torch.Tensor:
    """log (1/k) Σ_i exp(log_w_i) over the first dimension, computed stably: (batch,)."""
    return torch.logsumexp(log_w, dim=0) - math.log(log_w.shape[0])


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
        log_w = log_weights(vae.likelihood, vae.decode_raw(z), xb, q, z)  # (k, batch)
        parts.append(log_mean_exp(log_w))
    return torch.cat(parts)


@dataclass
class IWAEObjective(ELBOObjective):
    """Loss = −(k-sample importance-weighted bound) per sample; k = 1 is the ELBO exactly.

    At ``samples=1`` every step is :class:`~aekit.objectives.elbo.ELBOObjective`'s (one
    sample, the closed-form KL). At k > 1 the terms logged beside the loss are those of the
    one-sample ELBO averaged over the k samples ("reconstruction", −log p(x|z), and the
    closed-form "kl"), so the gap between their sum and the loss is what the k samples
    bought. β must be 1: the bound weights no term. Evaluation draws its samples as the
    ELBO's does (the given generator, else one seeded ``EVAL_SEED``).
    """

    samples: int = 1  # k, importance samples per input

    def data_terms(
        self,
        model: nn.Module,
        x_in: torch.Tensor,
        x: torch.Tensor,
        *,
        train: bool,
        generator: torch.Generator | None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], ModelOutput]:
        if self.samples == 1:
            return super().data_terms(model, x_in, x, train=train, generator=generator)
        if self.beta != 1.0:
            raise ConfigError(f"the importance-weighted bound needs beta=1, got {self.beta!r}")
        if generator is None and not train:
            generator = torch.Generator(device=x.device).manual_seed(EVAL_SEED)
        vae = cast("VariationalAutoencoder", model)
        hidden: list[torch.Tensor] = []
        q = vae.posterior(x_in, hidden)  # the encoder sees the (corrupted) input
        z = q.sample(generator, (self.samples,))  # (k, batch, code_size)
        output = vae.decode_raw(z)  # (k, batch, n_features)
        log_w = log_weights(self.likelihood, output, x, q, z)  # (k, batch): the clean target
        bound = log_mean_exp(log_w)  # (batch,)
        reconstruction = -data_log_prob(self.likelihood, output.detach(), x)  # (k, batch), a log
        terms = {"reconstruction": reconstruction.mean(), "kl": q.kl().mean()}
        out = ModelOutput(code=q.mode(), output=output[0], hidden=hidden, posterior=q)
        return -bound, terms, out
