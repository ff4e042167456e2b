"""The variational architecture (Kingma & Welling 2014, "Auto-Encoding Variational Bayes").

A Gaussian posterior q(z|x), a standard normal prior, trained on the ELBO
(:mod:`aekit.objectives.elbo`). A corruption (a denoising VAE: Im et al. 2017, "Denoising
criterion for variational auto-encoding framework"), sparsity and contraction compose with it;
a k-sparse code does not (the code is a distribution, not a vector of activations).
"""

from __future__ import annotations

from typing import Any

from aekit.estimators.params import Number, Param
from aekit.estimators.parts.base import Architecture, sizes
from aekit.estimators.parts.contraction import Contraction
from aekit.estimators.parts.corruption import InputCorruption
from aekit.estimators.parts.mlp import ACTIVATION, CODE_SIZE, HIDDEN, HIDDEN_SIZES
from aekit.estimators.parts.sparsity import Sparsity
from aekit.models.vae import VAEConfig
from aekit.objectives.elbo import ELBOObjective
from aekit.objectives.likelihood import Likelihood
from aekit.objectives.objective import Corruption, Penalty


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

    def check(self, est: Any, architecture: Architecture) -> None:
        HIDDEN_SIZES.check("hidden", est.hidden)

    def make_config(
        self, est: Any, n_features: int, likelihood: str, input_shape: tuple[int, ...] | None
    ) -> VAEConfig:
        return VAEConfig(
            n_features=n_features,
            hidden=sizes(est.hidden),
            code_size=est.code_size,
            activation=est.activation,
            likelihood=likelihood,
        )

    def objective(
        self,
        est: Any,
        likelihood: Likelihood,
        corruption: Corruption | None,
        penalties: list[tuple[str, Penalty]],
    ) -> ELBOObjective:
        return ELBOObjective(
            likelihood, penalties=penalties, corruption=corruption, beta=float(est.beta)
        )
