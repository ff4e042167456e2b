"""How anomalous a row is to a fitted member: its loss under the member's own likelihood.

Scores are measured in the member's training (scaled) space, where it learnt:

- an autoencoder (any member with a decoder): the reconstruction loss per row, squared error
  summed over features for a Gaussian likelihood, binary cross-entropy summed over features
  for a Bernoulli one (Japkowicz et al. 1995; Sakurada & Yairi 2014), less its floor (see
  below);
- a :class:`~aekit.VariationalAutoencoder`: the negative ELBO per row, −``elbo(X)``, a bound
  on −log p(x) (An & Cho 2015, "Variational autoencoder based anomaly detection using
  reconstruction probability"), in nats (for a Gaussian VAE with the scaler's constant
  log-Jacobian added, as ``elbo`` gives it), less the same floor;
- an :class:`~aekit.RBM`: its free energy F(v), −log p(v) up to a constant.

The floor: cross-entropy against a grey pixel cannot fall below the pixel's own entropy, so
raw cross-entropy ranks rows by how grey they are as much as by how badly they are
reconstructed (on one-class Fashion-MNIST, T-shirts normal, it put sandals, mostly black,
below the T-shirts: test ROC AUC 0.54 for a 784-512-128-32 member; 0.92 with the floor
taken off). Each Bernoulli term is therefore the cross-entropy less the target's entropy,
KL(Bern(x) || Bern(x̂)), the deviance; it is unchanged for binary data, and a Gaussian
term's floor is 0 (:meth:`aekit.objectives.likelihood.Likelihood.floor`).

Higher is more anomalous. The per-feature terms (:func:`feature_losses`) are those of the
deterministic reconstruction; for an autoencoder they sum to the score.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import torch

from aekit.estimators.base import BaseAutoencoder
from aekit.estimators.inference import fitted_input
from aekit.estimators.rbm import RBM
from aekit.estimators.variational import VariationalAutoencoder
from aekit.models.protocols import Autoencoder
from aekit.models.rbm import RBM as RBMModule


def row_scores(member: BaseAutoencoder, X: Any) -> np.ndarray:
    """The anomaly score of each row of ``X``: ndarray of shape (n_samples,), float64."""
    if isinstance(member, VariationalAutoencoder):
        Xs = member.scaler_.transform(fitted_input(member, X))
        likelihood = cast(Autoencoder, member.module_).likelihood
        floor = likelihood.floor(torch.from_numpy(Xs)).sum(1).double().numpy()  # (n_samples,)
        return -member.elbo(X) - floor  # a fixed posterior sample (seed 0): deterministic
    if isinstance(member, RBM):
        Xs = member.scaler_.transform(fitted_input(member, X))
        rbm = cast(RBMModule, member.module_)
        return member._batched(rbm.free_energy, Xs).astype(np.float64)  # (n_samples,)
    return feature_losses(member, X).sum(axis=1)


def feature_losses(member: BaseAutoencoder, X: Any) -> np.ndarray:
    """Each feature's reconstruction loss: ndarray of shape (n_samples, n_features), float64.

    The terms the member's likelihood sums per row, less each one's floor, of the
    deterministic reconstruction (the posterior mean for a VAE, the mean-field one for an
    RBM), in the scaled space.
    """
    Xs = member.scaler_.transform(fitted_input(member, X))
    likelihood = cast(Autoencoder, member.module_).likelihood

    def per_feature(xb: torch.Tensor) -> torch.Tensor:
        output = member.module_(xb).output  # (batch, n_features): logits or mean
        # Likelihood.loss sums each row: one element per row keeps every term apart.
        terms = likelihood.loss(output.reshape(-1, 1), xb.reshape(-1, 1))  # (batch * n_features,)
        return (terms.reshape(xb.shape) - likelihood.floor(xb)).clamp_min(0.0)  # rounding

    return member._batched(per_feature, Xs).astype(np.float64)
