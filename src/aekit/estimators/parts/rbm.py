"""The restricted Boltzmann machine, trained by contrastive divergence (CD-k).

Bernoulli or unit-variance Gaussian visible units, Bernoulli or linear Gaussian hidden units
(Hinton & Salakhutdinov 2006); CD-k after Hinton (2002). See :mod:`aekit.models.rbm` and
:mod:`aekit.objectives.contrastive`. No part composes with it: its objective is not a
reconstruction loss that penalties or corruption could join.
"""

from __future__ import annotations

from typing import Any

from aekit.estimators.params import Choice, Int, Param
from aekit.estimators.parts.base import Architecture, LossTerms
from aekit.models.rbm import UNITS, RBMConfig
from aekit.objectives.contrastive import ContrastiveDivergence


class RBMArchitecture(Architecture):
    name = "rbm"
    params = (
        Param("code_size", 32, Int(1), "number of hidden units (what transform returns)"),
        Param("hidden_units", "bernoulli", Choice(UNITS), "hidden units: bernoulli or gaussian"),
        Param("k", 1, Int(1), "Gibbs steps per contrastive-divergence update"),
    )

    def n_hidden(self, est: Any) -> int:
        return 0

    def check_width(self, est: Any, n_features: int) -> None:
        pass  # an RBM may have more hidden units than visible ones

    def make_config(
        self, est: Any, n_features: int, likelihood: str, input_shape: tuple[int, ...] | None
    ) -> RBMConfig:
        return RBMConfig(
            n_features=n_features,
            code_size=est.code_size,
            likelihood=likelihood,
            hidden_units=est.hidden_units,
        )

    def objective(self, est: Any, loss: LossTerms) -> ContrastiveDivergence:
        return ContrastiveDivergence(est.k)
