"""The contraction part: λ‖J_f(x)‖²_F, the encoder Jacobian's squared Frobenius norm.

Rifai, Vincent, Muller, Glorot & Bengio 2011, "Contractive auto-encoders: explicit
invariance during feature extraction". A one-layer sigmoid encoder gets the closed form;
any other encoder (deeper, convolutional, variational) an unbiased estimate from random
projections of the code (or, asked for, the exact Jacobian by autograd); see
:mod:`aekit.objectives.penalties`.
"""

from __future__ import annotations

from typing import Any

from aekit.estimators.params import Int, Number, Param
from aekit.estimators.parts.base import Part
from aekit.objectives.objective import Penalty
from aekit.objectives.penalties import contractive


class Contraction(Part):
    name = "contraction"
    params = (
        Param(
            "contraction_weight",
            0.0,
            Number(0, None, "left"),
            "lambda, the weight of the encoder-Jacobian penalty (0: none)",
        ),
        Param(
            "contraction_projections",
            "auto",
            Int(1),
            "how the penalty measures a Jacobian with no closed form: k random projections "
            "of the code per row (Hutchinson's estimate, k backward passes), or exact (one "
            "pass per code unit); auto: 1 projection",
            words=("auto", "exact"),
        ),
    )

    def penalties(self, est: Any) -> list[tuple[str, Penalty]]:
        if not est.contraction_weight:
            return []
        k = est.contraction_projections
        projections = None if k == "exact" else (1 if k == "auto" else int(k))
        return [("contractive", contractive(est.contraction_weight, projections))]
