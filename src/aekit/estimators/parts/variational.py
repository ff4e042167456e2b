"""The variational architecture (Kingma & Welling 2014, "Auto-Encoding Variational Bayes").

A Gaussian posterior q(z|x), a standard normal prior, trained on the ELBO
(:mod:`aekit.objectives.elbo`). A corruption (a denoising VAE: Im et al. 2017, "Denoising
criterion for variational auto-encoding framework"), sparsity and contraction compose with it;
a k-sparse code does not (the code is a distribution, not a vector of activations).
"""

from __future__ import annotations

from typing import Any

from aekit.estimators.params import Number, Param
from aekit.estimators.parts.base import Architecture, LossTerms
from aekit.estimators.parts.contraction import Contraction
from aekit.estimators.parts.corruption import InputCorruption
from aekit.estimators.parts.mlp import ACTIVATION, CODE_SIZE, HIDDEN, layer_fields
from aekit.estimators.parts.sparsity import Sparsity
from aekit.models.vae import VAEConfig
from aekit.objectives.elbo import ELBOObjective


class Variational(Architecture):
    name = "vae"
    params = (
        HIDDEN,
        CODE_SIZE.with_default(16),
        ACTIVATION,
        Param(
            "beta",
            1.0,
            Number(0, None, "left"),
            "weight of the KL term (beta-VAE, Higgins et al. 2017); 1 trains on the ELBO",
        ),
    )
    parts = (InputCorruption(), Sparsity(), Contraction())

    def make_config(
        self, est: Any, n_features: int, likelihood: str, input_shape: tuple[int, ...] | None
    ) -> VAEConfig:
        return VAEConfig(**layer_fields(est, n_features, likelihood))

    def objective(self, est: Any, loss: LossTerms) -> ELBOObjective:
        return ELBOObjective(loss.likelihood, loss.penalties, loss.corruption, beta=float(est.beta))
