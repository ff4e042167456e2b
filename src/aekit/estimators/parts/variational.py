"""The variational architecture (Kingma & Welling 2014, "Auto-Encoding Variational Bayes").

A Gaussian posterior q(z|x), a standard normal prior, trained on the ELBO
(:mod:`aekit.objectives.elbo`) or, with ``importance_samples`` k > 1, on the k-sample
importance-weighted bound (the IWAE of Burda et al. 2016, :mod:`aekit.objectives.iwae`). A
corruption (a denoising VAE: Im et al. 2017, "Denoising criterion for variational
auto-encoding framework"), dynamic binarisation, sparsity and contraction compose with it;
a k-sparse code does not (the code is a distribution, not a vector of activations).
"""

from __future__ import annotations

from typing import Any

from aekit.errors import ConfigError
from aekit.estimators.params import Int, Number, Param
from aekit.estimators.parts.base import Architecture, LossTerms
from aekit.estimators.parts.binarization import Binarization
from aekit.estimators.parts.contraction import Contraction
from aekit.estimators.parts.corruption import InputCorruption
from aekit.estimators.parts.mlp import ACTIVATION, CODE_SIZE, HIDDEN, layer_fields
from aekit.estimators.parts.sparsity import Sparsity
from aekit.models.vae import VAEConfig
from aekit.objectives.iwae import IWAEObjective


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
        Param(
            "importance_samples",
            1,
            Int(1),
            "k: train on the k-sample importance-weighted bound (IWAE, Burda et al. 2016), "
            "which needs beta 1; 1 trains on the ELBO",
        ),
    )
    parts = (InputCorruption(), Binarization(), Sparsity(), Contraction())

    def check(self, est: Any, architecture: Architecture) -> None:
        super().check(est, architecture)
        if est.importance_samples > 1 and est.beta != 1:
            raise ConfigError(
                f"importance_samples={est.importance_samples} trains on the importance-weighted "
                f"bound, which weights no term: it needs beta=1, got beta={est.beta!r}"
            )

    def make_config(
        self, est: Any, n_features: int, likelihood: str, input_shape: tuple[int, ...] | None
    ) -> VAEConfig:
        return VAEConfig(**layer_fields(est, n_features, likelihood))

    def objective(self, est: Any, loss: LossTerms) -> IWAEObjective:
        return IWAEObjective(
            loss.likelihood,
            loss.penalties,
            loss.corruption,
            loss.resample,
            beta=float(est.beta),
            samples=int(est.importance_samples),  # 1: exactly the ELBO's step
        )
