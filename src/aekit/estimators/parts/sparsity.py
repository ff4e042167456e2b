"""The sparsity part: a penalty that makes the first hidden layer fire rarely.

KL(ρ‖ρ̂) on each unit's mean activation (Ng, "Sparse autoencoder", CS294A notes, 2011) or an
L1 penalty on the activations; see :mod:`aekit.objectives.penalties`. A multilayer network
with ``hidden=()`` has one hidden layer, its code (Ng's 784-196-784): the penalty goes there,
and KL sparsity then needs ``code_activation="sigmoid"``.
"""

from __future__ import annotations

import math
from typing import Any

from aekit.errors import ConfigError
from aekit.estimators.params import Choice, Number, Param
from aekit.estimators.parts.base import Architecture, Part, activation_of
from aekit.objectives.objective import Penalty
from aekit.objectives.penalties import CODE, Layer, check_unit_interval, kl_sparsity, l1_activity

SPARSE_LAYER = 0  # the first hidden layer: the one whose filters plot_filters draws


class Sparsity(Part):
    name = "sparsity"
    params = (
        Param(
            "sparsity",
            None,
            Choice(("kl", "l1")),
            "penalty on the first hidden layer (the code when hidden is empty): kl (beta * "
            "KL(rho || mean activation), needs sigmoid units) or l1 (lambda * sum |h|)",
            none=True,
            none_means="no sparsity penalty",
        ),
        Param(
            "sparsity_target",
            0.05,
            Number(0, 1, "neither"),
            "rho, the mean activation kl sparsity aims at",
        ),
        Param("sparsity_weight", 3.0, Number(0, None, "left"), "beta for kl, lambda for l1"),
    )

    def centres_input(self, est: Any) -> bool:
        # KL: centred, with every unit starting at rho (first_bias). On the Fashion-MNIST
        # validation split (784-1000-500-250-30, rho 0.1, beta 0.1, 20 epochs) the error
        # fell from 1.28x to 1.05x the plain network's, the mean activation 8 % above rho;
        # centred without that start, every unit began near 0.5 and ended 2-2.5x rho
        # (benchmarks/results/member-defaults.md). L1 has no rho to start at: raw input.
        return est.sparsity != "l1"

    def first_bias(self, est: Any) -> float | None:
        if est.sparsity != "kl":
            return None
        rho = float(est.sparsity_target)
        return math.log(rho / (1.0 - rho))  # logit(rho): sigmoid(bias) = rho

    def check(self, est: Any, architecture: Architecture) -> None:
        if est.sparsity is None:
            return
        layer = self.layer(est, architecture)
        if layer == CODE:
            if est.sparsity == "kl":
                check_unit_interval(est.code_activation, "code_activation")
            return
        if architecture.n_hidden(est) < 1:
            code = (
                ", or a code_activation to penalise the code"
                if hasattr(est, "code_activation")
                else ""
            )
            raise ConfigError(
                f"sparsity={est.sparsity!r} needs at least one hidden layer before the code "
                f"(hidden=(n,)){code}"
            )
        if est.sparsity == "kl":
            first = getattr(est, "first_activation", None)  # multilayer only
            if first is None:
                check_unit_interval(activation_of(est))
            else:
                check_unit_interval(first, "first_activation")

    def penalties(self, est: Any) -> list[tuple[str, Penalty]]:
        if est.sparsity is None:
            return []
        layer = self.layer(est, est.architecture)
        if est.sparsity == "kl":
            penalty = kl_sparsity(est.sparsity_target, est.sparsity_weight, layer=layer)
        else:
            penalty = l1_activity(est.sparsity_weight, layer=layer)
        return [("sparsity", penalty)]

    @staticmethod
    def layer(est: Any, architecture: Architecture) -> Layer:
        """The penalised layer: the first hidden one, or the code of a one-layer encoder
        whose code has an activation (a variational code is a distribution, never penalised)."""
        one_layer = architecture.n_hidden(est) == 0
        if one_layer and getattr(est, "code_activation", None) is not None:
            return CODE
        return SPARSE_LAYER
